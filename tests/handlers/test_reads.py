"""Reading every page of a query (repositories/reads.py), against a table from template.yaml under moto."""

from __future__ import annotations

from boto3.dynamodb.conditions import Key

from assent.repositories.reads import all_items


def _counted(read):
    calls = []

    def counting(**kwargs):
        calls.append(kwargs)
        return read(**kwargs)

    return counting, calls


def test_every_page_is_read_in_order_and_a_limit_stops_the_reading(tables):
    table = tables["ActionsTable"]
    for n in range(5):
        table.put_item(Item={"client_id": "cl_1", "code": f"code-{n}"})
    table.put_item(Item={"client_id": "cl_2", "code": "other"})
    query, calls = _counted(table.query)
    condition = Key("client_id").eq("cl_1")

    everything = all_items(query, KeyConditionExpression=condition, Limit=2)  # two items a page
    pages_for_all = len(calls)
    first_three = all_items(query, limit=3, KeyConditionExpression=condition, Limit=2)

    assert [item["code"] for item in everything] == [f"code-{n}" for n in range(5)]
    assert pages_for_all == 3
    assert [item["code"] for item in first_three] == ["code-0", "code-1", "code-2"]
    assert len(calls) - pages_for_all == 2  # the third page is never asked for
