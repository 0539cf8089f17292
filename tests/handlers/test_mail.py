"""Mail is the service's own words and a limited number of them (SECURITY.md 37): no text a user wrote goes
into it, and one address gets at most 5 mails an hour and 20 a day, whatever flow sends them."""

from __future__ import annotations

import uuid

import jwt
import pytest

from assent_tools.store import sent_mail
from tests.conftest import Clock
from tests.handlers import metasky
from tests.handlers.hyphen import Device, recover, signed_up
from tests.handlers.pakt import codes_sent_to, new_wallet, onboard, onboarded, resend, signed_validation


@pytest.fixture
def email() -> str:
    return f"inbox-{uuid.uuid4().hex[:12]}@example.com"


def _start_of_an_hour(clock: Clock) -> None:
    """Move the clock to an hour's first second: the budget counts in fixed hours, not to be crossed."""
    clock.advance(3600 - clock() % 3600 + 1)


def _mails_to(email: str) -> list[dict]:
    return [
        m for m in sent_mail("us-east-1") if m["destinations"] and email in m["destinations"]["ToAddresses"]
    ]


def test_recover_cannot_be_aimed_at_an_inbox(tables, clock: Clock, email):
    """SECURITY.md 37, the reported abuse: `recover` once mailed a code a minute to any account's address."""
    _start_of_an_hour(clock)
    signed_up(Device(), email)

    answers = []
    for _ in range(7):
        answers.append(recover(Device(), email).status)
        clock.advance(61)  # past the one-a-minute throttle
    mailed_in_the_hour = len(codes_sent_to(email))
    clock.advance(3600)
    recover(Device(), email)

    assert answers == [202] * 7  # the answer never says
    assert mailed_in_the_hour == 5 and len(codes_sent_to(email)) == 6


def test_a_resend_beyond_the_budget_is_refused(tables, clock: Clock, email):
    """SECURITY.md 37: onboarding's code and four resends fill the hour; the fifth resend is 429."""
    _start_of_an_hour(clock)
    access = onboarded(new_wallet(), email)["tempToken"]["token"]
    answers = []
    for _ in range(5):
        clock.advance(61)  # past the one-a-minute throttle
        answers.append(resend(access))

    assert [a.status for a in answers] == [200] * 4 + [429]
    assert answers[-1].error == "TOO_MANY_REQUESTS" and len(codes_sent_to(email)) == 5


def test_an_address_gets_at_most_twenty_mails_a_day(tables, clock: Clock, email):
    """SECURITY.md 37: five an hour, and no more than twenty in the day however the hours are spread."""
    clock.advance(86_400 - clock() % 86_400 + 1)  # the first second of a day: the day window is the test's
    signed_up(Device(), email)
    for _ in range(5):  # five hours, five recoveries each
        for _ in range(5):
            recover(Device(), email)
            clock.advance(61)
        clock.advance(3600)

    assert len(codes_sent_to(email)) == 20


def test_mail_carries_no_text_a_user_wrote(tables, api_key, email):
    """SECURITY.md 37: a first name is the user's own text; above a genuine code it could say anything."""
    lure = "Support here: reply with the code below"
    _, _, validated = signed_validation(new_wallet())
    answer = onboard(validated["data"]["tempToken"]["token"], email, first=lure)
    access = answer.body["data"]["tempToken"]["token"]
    user_uuid = metasky.as_uuid(_subject(access))
    metasky.init(api_key, user_uuid)

    bodies = [m["body"] for m in _mails_to(email)]
    assert len(bodies) == 2 and all(lure not in body and "Support" not in body for body in bodies)


def _subject(access_token: str) -> str:
    """The user an access token names (read, not verified: the handler verified it)."""
    return str(jwt.decode(access_token, options={"verify_signature": False})["sub"])
