"""How long an answer takes for an account that exists and for one that does not (SECURITY.md 26): `recover`
for a known and an unknown address, and a failed device sign-in for a made-up challenge and for a registered
key's first wrong signature. Each runs through its handler against moto, provisioned from template.yaml, in a
warm container; in AWS each DynamoDB, KMS or SES call adds some milliseconds that moto does not, which is what
`recover`'s fixed answer time is there to cover.

    .venv/bin/python -m bench timing
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from bench.handlers import provisioned
from bench.report import median, print_table, spread

# Imported for its setting of a fake AWS environment from template.yaml, as for the tests, and its helpers.
from tests import conftest

RECOVERIES = 7  # each takes the fixed answer time, a second
SIGN_INS = 60


def _timed(steps: list[Callable[[], conftest.Answer]], expected: int) -> list[float]:
    """Milliseconds each step's call takes (what a step needs is prepared before it, untimed)."""
    samples = []
    for step in steps:
        began = time.perf_counter()
        answer = step()
        samples.append((time.perf_counter() - began) * 1000)
        assert answer.status == expected, answer
    return samples


def _alternating(
    first: str,
    first_steps: list[Callable[[], conftest.Answer]],
    second: str,
    second_steps: list[Callable[[], conftest.Answer]],
    *,
    expected: int,
) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {first: [], second: []}
    for a, b in zip(first_steps, second_steps, strict=True):
        samples[first] += _timed([a], expected)
        samples[second] += _timed([b], expected)
    return samples


def measure() -> dict[str, list[float]]:
    with provisioned():
        from tests.handlers import hyphen

        phone = hyphen.Device()
        hyphen.signed_up(phone, "known@example.com")
        for email in ("known@example.com", "warm-up@example.com"):  # warms the container
            hyphen.recover(hyphen.Device(), email)

        stranger = hyphen.Device()
        # One user per sample: a known key's first wrong signature, as an attacker's first guess meets it
        # (further ones in a row lock the factor, SECURITY.md 28).
        devices = [hyphen.Device() for _ in range(SIGN_INS)]
        for n, device in enumerate(devices):
            hyphen.signed_up(device, f"timed-{n}@example.com")
        issued = [(d, hyphen.challenge(d).body["challengeData"]) for d in devices]
        made_up = [os.urandom(32).hex() for _ in range(SIGN_INS)]
        # Each pair alternates, so that a drift of the machine's speed falls on both alike.
        samples = _alternating(
            "recover, known address",
            [lambda: hyphen.recover(hyphen.Device(), "known@example.com")] * RECOVERIES,
            "recover, unknown address",
            [lambda: hyphen.recover(hyphen.Device(), "nobody@example.com")] * RECOVERIES,
            expected=202,
        ) | _alternating(
            "sign-in respond, known key, wrong signature",
            [lambda d=d, c=c: hyphen.respond(d, c, signature=stranger.sign(c)) for d, c in issued],
            "sign-in respond, made-up challenge",
            [lambda c=c: hyphen.respond(phone, c, signature=stranger.sign(c)) for c in made_up],
            expected=401,
        )
    return samples


def main() -> None:
    samples = measure()
    rows = []
    for pair in (
        ("recover, known address", "recover, unknown address"),
        ("sign-in respond, known key, wrong signature", "sign-in respond, made-up challenge"),
    ):
        known, unknown = (samples[name] for name in pair)
        for name in pair:
            rows.append([name, len(samples[name]), f"{median(samples[name]):.1f}", spread(samples[name])])
        rows.append(["", "", f"ratio {median(known) / median(unknown):.3f}", ""])
    print_table(["answer (warm)", "n", "median ms", "IQR ms"], rows)
    print()
    print(
        "  recover answers after a fixed second whatever the address. A registered key's wrong signature\n"
        "  costs one more write than a made-up challenge's (its account's run of failures, SECURITY.md 28);\n"
        "  a real challenge is issued only for a registered key, as Hyphen's API answers an unknown one\n"
        "  `PleaseRegisterKey`, so its caller knows the key exists already and the time tells nothing more."
    )


if __name__ == "__main__":
    main()
