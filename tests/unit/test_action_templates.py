"""Rendering `$variables` in action templates: the seed's examples, the rules, and properties (hypothesis)."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assent.model.templates import MAX_VALUE_CHARS, TemplateError, render, variables_in

NAME_START = string.ascii_letters + "_"
NAME_CHARS = NAME_START + string.digits


def test_the_seeds_welcome_example():
    rendered = render(
        "Welcome, $name !",
        "All you have to do now is confirm your phone: $phone",
        {"name": "Jane", "phone": "+021000000"},
    )

    assert rendered.title == "Welcome, Jane !"
    assert rendered.message == "All you have to do now is confirm your phone: +021000000"


def test_a_doubled_dollar_is_a_literal_dollar_then_the_variable():
    rendered = render(
        "Approve $amount?", "A transaction of $$amount for $company?", {"amount": 100, "company": "X"}
    )

    assert rendered.title == "Approve 100?"
    assert rendered.message == "A transaction of $100 for X?"


@pytest.mark.parametrize("text", ["Costs $ 5", "ends in $", "$1 off", "$-sign", "$$"])
def test_a_dollar_not_followed_by_a_name_stays_literal(text):
    assert render(text, "", {}).title == text


def test_a_name_is_the_longest_run_of_name_characters():
    assert variables_in("$amountUSD and $a_1b") == ["amountUSD", "a_1b"]


def test_missing_and_unknown_names_are_listed():
    with pytest.raises(TemplateError) as missing:
        render("$a $b", "$c", {"a": "1"})
    with pytest.raises(TemplateError) as unknown:
        render("$a", "", {"a": "1", "z": "2", "y": "3"})

    assert missing.value.names == ("b", "c")
    assert unknown.value.names == ("y", "z")


@pytest.mark.parametrize(
    "value", ["\x00", "a\nb", "tab\there", "\u202eevil", "\u2066iso", "\u200f", "line\u2028sep", "\x7f"]
)
def test_control_and_direction_characters_in_values_are_refused(value):
    """SECURITY.md 16."""
    with pytest.raises(TemplateError, match="may not show as written"):
        render("$v", "", {"v": value})


def test_values_are_length_capped():
    assert render("$v", "", {"v": "x" * MAX_VALUE_CHARS}).title == "x" * MAX_VALUE_CHARS
    with pytest.raises(TemplateError, match="exceeds"):
        render("$v", "", {"v": "x" * (MAX_VALUE_CHARS + 1)})


def test_only_strings_and_numbers_are_values():
    assert render("$a/$b", "", {"a": 2, "b": 2.5}).title == "2/2.5"
    for value in (True, None, [1], {"k": "v"}):
        with pytest.raises(TemplateError, match="string or a number"):
            render("$a", "", {"a": value})


# --- Properties ---------------------------------------------------------------------------------------

names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=8).filter(lambda n: n[0] in NAME_START)
# Literal template text: anything printable, `$` included, with words that may look like names.
literals = st.text(alphabet=string.ascii_letters + string.digits + " _.,!?$", max_size=12)


@st.composite
def templates(draw: st.DrawFn, values: st.SearchStrategy[str]) -> tuple[str, dict[str, str]]:
    """A template made of literals and `$name`s, with a value for every name it uses."""
    parts = draw(st.lists(st.one_of(literals, names.map(lambda n: ("var", n))), max_size=8))
    text = ""
    for part in parts:
        if isinstance(part, tuple):
            # A name glued to a preceding name character would be read as part of a longer name.
            text += ("" if not text or text[-1] not in NAME_CHARS else " ") + "$" + part[1]
        else:
            text += part
    return text, {name: draw(values) for name in variables_in(text)}


def reference_render(template: str, values: dict[str, str]) -> str:
    """An independent renderer: a character scanner, as the rule is written in words."""
    out, i = [], 0
    while i < len(template):
        if template[i] == "$" and i + 1 < len(template) and template[i + 1] in NAME_START:
            j = i + 1
            while j < len(template) and template[j] in NAME_CHARS:
                j += 1
            out.append(values[template[i + 1 : j]])
            i = j
        else:
            out.append(template[i])
            i += 1
    return "".join(out)


safe_values = st.text(alphabet=string.digits + " .,+-", max_size=10)
hostile_values = st.text(alphabet=string.ascii_letters + string.digits + " $_", max_size=12)


@given(templates(safe_values))
def test_rendering_never_leaves_a_supplied_name(case):
    template, values = case

    rendered = render(template, "", values).title

    for name in values:
        assert not re.search(rf"\${name}(?![A-Za-z0-9_])", rendered)


@given(templates(hostile_values))
def test_rendering_never_expands_a_values_own_dollar_sequences(case):
    """Values holding `$name` for a supplied name come out as written: one pass, nothing re-read."""
    template, values = case

    rendered = render(template, "", values).title

    assert rendered == reference_render(template, values)
    uses = [m.group(1) for m in re.finditer(r"\$([A-Za-z_][A-Za-z0-9_]*)", template)]
    assert len(rendered) == len(template) + sum(len(values[n]) - len(n) - 1 for n in uses)
