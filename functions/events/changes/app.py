"""Events from the data: each change to the operations and secure-actions tables (their streams) becomes
events, routed to webhook deliveries, device pushes and expiry timers."""

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from assent.core.batches import stream_entrypoint
from assent.services.events import events_of_change
from assent.wiring import event_router


def route_change(record: DynamoDBRecord) -> None:
    for event in events_of_change(
        record.event_source_arn or "", record.dynamodb.old_image, record.dynamodb.new_image
    ):
        event_router().route(event)


lambda_handler = stream_entrypoint(route_change)
