"""The template's event sources over the tests' moto, stepped by a test (`drain`): a table's stream to the
changes function, the queues to the expiry, delivery and push functions, each call checked against its
function's policy."""

from __future__ import annotations

from typing import Any

import boto3

from assent_tools.event_sources import EventSources, event_sources
from assent_tools.template import create_queues, resources_of_type
from tests import conftest


def sources() -> EventSources:
    """The event sources, starting after every change made so far, with every queue empty (made anew, as
    the template makes them: SQS purges at most once a minute, and delayed messages cannot be received)."""
    sqs = boto3.client("sqs")
    for queue in resources_of_type(conftest.TEMPLATE, "AWS::SQS::Queue"):
        sqs.delete_queue(QueueUrl=conftest._PHYSICAL[queue])
    assert create_queues(sqs, conftest.TEMPLATE) == {
        queue: conftest._PHYSICAL[queue] for queue in resources_of_type(conftest.TEMPLATE, "AWS::SQS::Queue")
    }
    started = EventSources(
        event_sources(conftest.TEMPLATE), conftest._PHYSICAL, conftest.invoke_handler, boto3.Session()
    )
    started.skip_existing()
    return started


def queued(queue: str) -> list[dict[str, Any]]:
    """The messages a queue holds, visible or held back (SQS delays a timer until its deadline)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    held = sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].queues[conftest._PHYSICAL[queue].rsplit("/", 1)[-1]]
    return [{"body": message.body, "delayed": message.delayed} for message in held._messages]
