"""assent-admin: create, list and revoke client applications, manage a client's webhook endpoints, and unlock
a user's locked-out factors, in the local store or a deployed stack."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from assent.core.errors import ClientNotFound
from assent.model.clients import ClientRecord
from assent.model.lockout import Factor
from assent.repositories.clients import ClientsRepository
from assent.repositories.users import UsersRepository
from assent.services.clients import ClientsService

DEFAULT_LOCAL_STORE = "http://127.0.0.1:3001"


class StackNotReachable(Exception):
    """The deployed stack cannot be read; the message says what to do."""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="assent-admin", description=__doc__)
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--local",
        nargs="?",
        const=DEFAULT_LOCAL_STORE,
        metavar="STORE_URL",
        help=f"the running local API's store (default {DEFAULT_LOCAL_STORE}); this is the default target",
    )
    where.add_argument("--stack", metavar="NAME", help="a deployed stack, found with your AWS credentials")
    parser.add_argument("--region", help="the deployed stack's region (default: your AWS configuration's)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a client and print its API key (shown once)")
    create.add_argument("--name", required=True)
    commands.add_parser("list", help="list clients and their keys' public ids (never the keys)")
    revoke = commands.add_parser("revoke", help="revoke every key of a client")
    revoke.add_argument("client_id")
    unlock = commands.add_parser(
        "unlock", help="end a user's lock-out: every factor, or the one named (after checking who asks)"
    )
    unlock.add_argument("user_id")
    unlock.add_argument("--factor", choices=[factor.value for factor in Factor])
    webhooks = commands.add_parser(
        "webhooks", help="a client's webhook endpoints, as its API key manages them"
    )
    action = webhooks.add_subparsers(dest="webhook_command", required=True)
    action.add_parser("list", help="the client's endpoints (never a secret)").add_argument("client_id")
    add = action.add_parser("add", help="register an endpoint and print its secret (shown once)")
    add.add_argument("client_id")
    add.add_argument("url")
    add.add_argument(
        "--events", nargs="+", metavar="TYPE", help="the event types to send (default: every one)"
    )
    for name, text in (
        ("remove", "remove an endpoint"),
        ("rotate", "a new secret; the old one signs for a day"),
    ):
        one = action.add_parser(name, help=text)
        one.add_argument("client_id")
        one.add_argument("endpoint_id")
    return parser.parse_args(argv)


def _table(args: argparse.Namespace, name: str) -> Any:
    """The table `name` (a logical id, `ClientsTable`) of the local store or of the deployed stack."""
    if args.stack:
        return _stack_table(args.stack, args.region, name)
    resource = boto3.resource(
        "dynamodb",
        endpoint_url=args.local or DEFAULT_LOCAL_STORE,
        region_name="us-east-1",
        # The local store takes any credentials; these are no secret.
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106
    )
    return resource.Table(name)


def _stack_table(stack_name: str, region: str | None, name: str) -> Any:
    session, outputs = _stack_outputs(stack_name, region)
    if f"{name}Name" not in outputs:
        raise StackNotReachable(f"stack {stack_name} has no output {name}Name: is it an Assent stack?")
    return session.resource("dynamodb").Table(outputs[f"{name}Name"])


def _stack_outputs(stack_name: str, region: str | None) -> tuple[Any, dict[str, str]]:
    session = boto3.Session(region_name=region)
    if session.region_name is None:
        raise StackNotReachable(
            "no AWS region: give --region (the stack's, e.g. eu-west-1), or set AWS_REGION or a profile's"
            " region"
        )
    try:
        stack = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    except NoCredentialsError:
        raise StackNotReachable("no AWS credentials: sign in (aws sso login, or a profile) first") from None
    except ClientError as error:
        raise StackNotReachable(
            f"stack {stack_name} in {session.region_name}: {error.response['Error']['Message']}"
        ) from None
    except BotoCoreError as error:
        raise StackNotReachable(str(error)) from None
    return session, {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _public(record: ClientRecord) -> dict[str, Any]:
    return {
        "client_id": record.client_id,
        "name": record.name,
        "key_id": record.key_id,
        "created_at": record.created_at,
        "revoked_at": record.revoked_at,
    }


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        return _run(args)
    except StackNotReachable as problem:
        print(f"assent-admin: {problem}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "unlock":
        return _unlock(args)
    if args.command == "webhooks":
        return _webhooks(args)
    service = ClientsService(ClientsRepository(_table(args, "ClientsTable")))
    if args.command == "create":
        try:
            issued = service.create(args.name)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        print(json.dumps({**_public(issued.record), "api_key": issued.api_key}, indent=2))
        print("Store the API key now: only its digest is kept.", file=sys.stderr)
    elif args.command == "list":
        print(json.dumps([_public(record) for record in service.all()], indent=2))
    else:
        try:
            revoked = service.revoke(args.client_id)
        except ClientNotFound as error:
            print(error.message, file=sys.stderr)
            return 1
        print(json.dumps([_public(record) for record in revoked], indent=2))
    return 0


def _webhooks(args: argparse.Namespace) -> int:
    from assent.adapters.queues import Queue
    from assent.core.errors import AssentError
    from assent.families.webhooks import webhook_view
    from assent.repositories.webhooks import WebhooksRepository
    from assent.services.webhooks import SecretBox, Webhooks

    records = ClientsService(ClientsRepository(_table(args, "ClientsTable"))).all()
    found = [r for r in records if r.client_id == args.client_id and r.revoked_at is None]
    if not found:
        print(f"no client {args.client_id} with a live key", file=sys.stderr)
        return 1
    client = found[0].client
    kms = _client(args, "kms")
    service = Webhooks(
        WebhooksRepository(_table(args, "WebhooksTable")),
        SecretBox(kms, _webhook_key(args, kms)),
        Queue(_client(args, "sqs"), _delivery_queue(args)),
        allow_loopback=not args.stack,
    )
    try:
        if args.webhook_command == "list":
            print(json.dumps([webhook_view(e).model_dump() for e in service.of(client)], indent=2))
        elif args.webhook_command == "remove":
            service.remove(client, args.endpoint_id)
            print(json.dumps({"removed": args.endpoint_id}))
        else:
            endpoint, secret = (
                service.add(client, args.url, args.events)
                if args.webhook_command == "add"
                else service.rotate(client, args.endpoint_id)
            )
            print(json.dumps({**webhook_view(endpoint).model_dump(), "secret": secret}, indent=2))
            print("Store the secret now: it is kept encrypted and never shown again.", file=sys.stderr)
    except AssentError as error:
        print(error.message, file=sys.stderr)
        return 1
    except ClientError as error:
        # On a stack, the key's policy lets only the functions' tagged roles encrypt (SECURITY.md 42).
        print(f"{error.response['Error']['Code']}: {error.response['Error']['Message']}", file=sys.stderr)
        return 2
    return 0


def _client(args: argparse.Namespace, service: str) -> Any:
    if args.stack:
        return boto3.Session(region_name=args.region).client(service)
    return boto3.client(
        service,
        endpoint_url=args.local or DEFAULT_LOCAL_STORE,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106
    )


def _delivery_queue(args: argparse.Namespace) -> str:
    """The queue a replay goes to: the stack's output, or the local store's queue of that name."""
    if args.stack:
        return _stack_outputs(args.stack, args.region)[1]["DeliveryQueueUrl"]
    return str(_client(args, "sqs").get_queue_url(QueueName="DeliveryQueue")["QueueUrl"])


def _webhook_key(args: argparse.Namespace, kms: Any) -> str:
    if args.stack:
        _, outputs = _stack_outputs(args.stack, args.region)
        return outputs["WebhookSecretsKeyId"]
    from assent_tools.template import existing_keys, load_template

    return existing_keys(kms, load_template()).get("WebhookSecretsKey", "")


def _unlock(args: argparse.Namespace) -> int:
    factors = [Factor(args.factor)] if args.factor else list(Factor)
    if not UsersRepository(_table(args, "UsersTable")).reset_lockout(args.user_id, factors):
        print("no such user", file=sys.stderr)
        return 1
    print(json.dumps({"user_id": args.user_id, "unlocked": [factor.value for factor in factors]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
