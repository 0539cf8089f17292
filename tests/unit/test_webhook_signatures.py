"""Assent's Standard Webhooks signatures against the reference package's, on the specification's example."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook

from assent.crypto.webhook_signatures import new_secret, sign, signature_header

# The example of standardwebhooks.com's specification.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = '{"test": 2432232314}'


def test_the_specifications_example_signs_as_the_reference_signs_it():
    expected = Webhook(SECRET).sign(MESSAGE_ID, datetime.fromtimestamp(TIMESTAMP, tz=UTC), BODY)

    assert sign(SECRET, MESSAGE_ID, TIMESTAMP, BODY) == expected
    assert expected == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@given(body=st.text(max_size=300), timestamp=st.integers(min_value=0, max_value=2**33))
def test_any_body_signed_with_either_secret_of_a_rotation_verifies_with_each(body, timestamp):
    old, new = new_secret(), new_secret()
    header = signature_header([new, old], MESSAGE_ID, timestamp, body)

    for secret in (old, new):
        expected = Webhook(secret).sign(MESSAGE_ID, datetime.fromtimestamp(timestamp, tz=UTC), body)
        assert expected in header.split(" ")
