"""The Lambda handler of a function fed by an event source (a table's stream, an SQS queue): each record
handled on its own, and the ones that failed reported back, so that only they are retried."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from assent.core.observability import logger, metrics, tracer

Handler = Callable[[dict, LambdaContext], dict]


class Deferred(Exception):
    """A record to be handled again later, not one that failed: reported failed, without an error logged."""


def stream_entrypoint(handle: Callable[[DynamoDBRecord], None]) -> Handler:
    """For a DynamoDB stream: a failed record is reported by its sequence number, and Lambda retries the
    batch from it (halving it, as the event source mapping says), so records after it may be read twice."""
    return _entrypoint(EventType.DynamoDBStreams, handle)


def queue_entrypoint(handle: Callable[[SQSRecord], None]) -> Handler:
    """For an SQS queue: a failed message is left on the queue, to be received again when it becomes
    visible (its visibility timeout, or what the handler set)."""
    return _entrypoint(EventType.SQS, handle)


def _entrypoint(kind: EventType, handle: Callable[[Any], None]) -> Handler:
    processor = BatchProcessor(event_type=kind, raise_on_entire_batch_failure=False)

    def handle_logged(record: Any) -> None:
        try:
            handle(record)
        except Deferred:
            raise
        except Exception:
            logger.exception("record failed; it is retried")
            raise

    @metrics.log_metrics(capture_cold_start_metric=True)
    def lambda_handler(event: dict, context: LambdaContext) -> dict:
        answer = process_partial_response(
            event=event, record_handler=handle_logged, processor=processor, context=context
        )
        failed = len(answer.get("batchItemFailures", []))
        metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count, value=failed)
        logger.info("batch handled", extra={"records": len(event.get("Records", [])), "failed": failed})
        return dict(answer)

    traced = tracer.capture_lambda_handler(lambda_handler) if tracer else lambda_handler
    # No clear_state: these handlers append no keys of a caller to clear, and the local API runs them beside
    # its requests in one process, whose logger (and correlation id) they would clear mid-request.
    return logger.inject_lambda_context(traced)
