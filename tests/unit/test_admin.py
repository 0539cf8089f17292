"""assent-admin against a deployed stack, found by its outputs with the caller's AWS credentials (moto's
CloudFormation here), and what it says when it cannot reach one."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from assent_tools import admin

# The part of an Assent stack assent-admin reads: the clients table, and the output that names it.
_STACK = {
    "Resources": {
        "ClientsTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "key_hash", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "key_hash", "KeyType": "HASH"}],
            },
        }
    },
    "Outputs": {"ClientsTableName": {"Value": {"Ref": "ClientsTable"}}},
}


def test_without_a_region_it_says_how_to_give_one(monkeypatch, capsys, tmp_path):
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))

    assert admin.main(["--stack", "assent", "list"]) == 2
    assert "no AWS region: give --region" in capsys.readouterr().err


def test_a_stack_that_is_not_there_is_named_in_a_clear_error(capsys):
    with mock_aws():
        assert admin.main(["--stack", "no-such-stack", "--region", "eu-west-1", "list"]) == 2
    assert (
        "stack no-such-stack in eu-west-1: Stack with id no-such-stack does not exist"
        in capsys.readouterr().err
    )


def test_the_first_client_key_is_created_in_the_stacks_table(capsys):
    with mock_aws():
        boto3.client("cloudformation", region_name="eu-west-1").create_stack(
            StackName="assent", TemplateBody=json.dumps(_STACK)
        )
        assert admin.main(["--stack", "assent", "--region", "eu-west-1", "create", "--name", "shop"]) == 0
        issued = json.loads(capsys.readouterr().out)
        table = boto3.client("dynamodb", region_name="eu-west-1").list_tables()["TableNames"]
        [stored] = boto3.resource("dynamodb", region_name="eu-west-1").Table(table[0]).scan()["Items"]

    assert issued["api_key"].startswith("ak_") and stored["client_id"] == issued["client_id"]
    assert issued["api_key"] not in json.dumps(stored, default=str)  # only its digest is kept
