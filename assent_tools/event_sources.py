"""The template's event sources, run as Lambda runs them: a table's stream and an SQS queue read in batches,
each batch handed to its function, what the function reports failed retried (a stream's batch halved, after
its retries recorded on its OnFailure queue; a queue's message received again when visible).

The local API runs them in threads; the tests step them (`drain`) to see each hop.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.config import Config

from assent_tools.template import resources_of_type

Invoke = Callable[[str, dict[str, Any]], dict[str, Any]]
POLLER_AGENT = "assent-event-sources"

# SQS gives at most 10 messages to one receive.
_MAX_RECEIVE = 10


@dataclass
class Source:
    function_id: str
    kind: str  # "stream" or "queue"
    resource: str  # the table's or the queue's logical id
    batch_size: int
    max_retries: int = -1  # a stream's: -1 retries until the record expires, as Lambda does
    bisect: bool = False
    on_failure: str | None = None  # a stream's OnFailure queue, by logical id


@dataclass
class _StreamPosition:
    """Where a stream's reading stands (the shard iterator of the next batch; the one `skip_existing` began
    at), and how the batch there has failed."""

    iterator: str | None = None
    start: str | None = None
    failures: int = 0
    batch_size: int = 0
    shard_id: str = ""
    stream_arn: str = ""


def event_sources(template: Mapping[str, Any]) -> list[Source]:
    """Every DynamoDB stream and SQS queue a function of the template is fed by."""
    found = []
    for function_id, props in resources_of_type(template, "AWS::Serverless::Function").items():
        for event in props.get("Events", {}).values():
            source = event["Properties"]
            if event["Type"] == "DynamoDB":
                destination = source.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                found.append(
                    Source(
                        function_id,
                        "stream",
                        source["Stream"]["Fn::GetAtt"][0],
                        int(source.get("BatchSize", 100)),
                        max_retries=int(source.get("MaximumRetryAttempts", -1)),
                        bisect=bool(source.get("BisectBatchOnFunctionError", False)),
                        on_failure=destination["Fn::GetAtt"][0] if destination else None,
                    )
                )
            elif event["Type"] == "SQS":
                found.append(
                    Source(
                        function_id,
                        "queue",
                        source["Queue"]["Fn::GetAtt"][0],
                        int(source.get("BatchSize", 10)),
                    )
                )
    return found


@dataclass
class EventSources:
    """The event sources of a template over a store (`session`'s), each batch given to `invoke`."""

    sources: list[Source]
    physical_ids: Mapping[str, str]
    invoke: Invoke
    session: Any
    _positions: dict[str, _StreamPosition] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Named in every request, so that the store counts Lambda's polling apart from the functions' calls.
        config = Config(user_agent_extra=POLLER_AGENT)
        self._dynamodb = self.session.client("dynamodb", config=config)
        self._streams = self.session.client("dynamodbstreams", config=config)
        self._sqs = self.session.client("sqs", config=config)
        self._queue_arns: dict[str, str] = {}

    def skip_existing(self) -> None:
        """Start every stream after the changes it holds now: a source read from here on."""
        for source in self.sources:
            if source.kind == "stream":
                position = self._position(source)
                position.iterator = position.start = self._iterator(position, "LATEST")

    def rewind(self) -> None:
        """Read every stream again from where `skip_existing` started it: a consumer that lost its place."""
        for position in self._positions.values():
            position.iterator, position.failures = position.start, 0

    def poll(self) -> int:
        """One read of every source, and its batch handed on; how many records were handed on."""
        return sum(
            self._poll_stream(source) if source.kind == "stream" else self._poll_queue(source)
            for source in self.sources
        )

    def drain(self, *, rounds: int = 50) -> int:
        """Poll until nothing more is visible (a held-back message waits for its time); records handed on."""
        total = 0
        for _ in range(rounds):
            handled = self.poll()
            total += handled
            if handled == 0:
                return total
        raise RuntimeError(f"event sources still busy after {rounds} rounds")

    def run(self, stop: threading.Event, *, fastest: float = 0.02, slowest: float = 0.25) -> None:
        """Poll until `stop` is set: again at once while records come, resting longer (up to `slowest`) the
        longer nothing comes, so that an idle local API leaves its store to the requests."""
        rest = fastest
        while not stop.is_set():
            try:
                handled = self.poll()
            except Exception as error:
                if stop.is_set():
                    return  # the store went away as the local API stopped
                print(f"event sources: {type(error).__name__}: {error}", flush=True)
                handled = 0
            if handled:
                rest = fastest
            else:
                stop.wait(rest)
                rest = min(slowest, rest * 2)

    # A table's stream

    def _position(self, source: Source) -> _StreamPosition:
        key = f"{source.function_id}/{source.resource}"
        position = self._positions.setdefault(key, _StreamPosition(batch_size=source.batch_size))
        if not position.stream_arn:
            table = self.physical_ids[source.resource]
            position.stream_arn = self._dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
            described = self._streams.describe_stream(StreamArn=position.stream_arn)["StreamDescription"]
            position.shard_id = described["Shards"][0]["ShardId"]
        return position

    def _poll_stream(self, source: Source) -> int:
        position = self._position(source)
        if position.iterator is None:
            position.iterator = self._iterator(position, "TRIM_HORIZON")
        page = self._streams.get_records(ShardIterator=position.iterator, Limit=position.batch_size)
        records = page["Records"]
        if not records:
            position.iterator = page["NextShardIterator"]
            return 0
        event = {"Records": [_stream_record(record, position.stream_arn) for record in records]}
        failed = self._failed(source.function_id, event, lambda r: r["dynamodb"]["SequenceNumber"])
        if failed is None:
            position.iterator = page["NextShardIterator"]
            position.failures, position.batch_size = 0, source.batch_size
            return len(records)
        # Lambda checkpoints before the first failure and retries from it.
        first = min(failed, key=int)
        handled = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) < int(first)]
        if handled:
            position.iterator = self._iterator(position, "AT_SEQUENCE_NUMBER", first)
            position.failures, position.batch_size = 0, source.batch_size
            return len(records)
        position.failures += 1  # the same batch again, from the same iterator, halved if it bisects
        if source.bisect and position.batch_size > 1:
            position.batch_size = max(1, position.batch_size // 2)
        if 0 <= source.max_retries < position.failures:
            self._give_up(source, position, records)
        return len(records)

    def _iterator(self, position: _StreamPosition, kind: str, sequence_number: str | None = None) -> str:
        request = {"StreamArn": position.stream_arn, "ShardId": position.shard_id, "ShardIteratorType": kind}
        if sequence_number is not None:
            request["SequenceNumber"] = sequence_number
        return str(self._streams.get_shard_iterator(**request)["ShardIterator"])

    def _give_up(self, source: Source, position: _StreamPosition, records: list[dict[str, Any]]) -> None:
        """A batch that failed every retry: recorded on the OnFailure queue, as Lambda records it, and passed
        over."""
        if source.on_failure is not None:
            numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
            self._sqs.send_message(
                QueueUrl=self.physical_ids[source.on_failure],
                MessageBody=json.dumps(
                    {
                        "requestContext": {
                            "condition": "RetryAttemptsExhausted",
                            "functionArn": source.function_id,
                        },
                        "DDBStreamBatchInfo": {
                            "shardId": position.shard_id,
                            "startSequenceNumber": numbers[0],
                            "endSequenceNumber": numbers[-1],
                            "streamArn": position.stream_arn,
                            "batchSize": len(records),
                        },
                    }
                ),
            )
        position.iterator = self._iterator(
            position, "AFTER_SEQUENCE_NUMBER", records[-1]["dynamodb"]["SequenceNumber"]
        )
        position.failures, position.batch_size = 0, source.batch_size

    # An SQS queue

    def _poll_queue(self, source: Source) -> int:
        url = self.physical_ids[source.resource]
        messages = self._sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(source.batch_size, _MAX_RECEIVE),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        if url not in self._queue_arns:
            attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            self._queue_arns[url] = attributes["Attributes"]["QueueArn"]
        arn = self._queue_arns[url]
        event = {"Records": [_queue_record(message, arn) for message in messages]}
        failed = self._failed(source.function_id, event, lambda r: r["messageId"]) or set()
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            self._sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
            )
        return len(messages)

    def _failed(
        self, function_id: str, event: dict[str, Any], identify: Callable[[dict], str]
    ) -> set[str] | None:
        """The identifiers of the records the function failed on, all of them if it failed itself; None if
        it handled every one."""
        try:
            answer = self.invoke(function_id, event) or {}
        except Exception as error:
            print(f"{function_id} failed: {type(error).__name__}: {error}", flush=True)
            return {identify(record) for record in event["Records"]}
        failures = {str(item["itemIdentifier"]) for item in answer.get("batchItemFailures", [])}
        return failures or None


def _stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    body = {**record, "eventSourceARN": stream_arn}
    created = body["dynamodb"].get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, int | float):
        body["dynamodb"] = {**body["dynamodb"], "ApproximateCreationDateTime": created.timestamp()}
    return body


def _queue_record(message: dict[str, Any], arn: str) -> dict[str, Any]:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": arn,
        "awsRegion": arn.split(":")[3],
    }
