"""assent-admin: create, list and revoke client applications, and unlock a user's locked-out factors, in the
local store or a deployed stack."""

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
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if f"{name}Name" not in outputs:
        raise StackNotReachable(f"stack {stack_name} has no output {name}Name: is it an Assent stack?")
    return session.resource("dynamodb").Table(outputs[f"{name}Name"])


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


def _unlock(args: argparse.Namespace) -> int:
    factors = [Factor(args.factor)] if args.factor else list(Factor)
    if not UsersRepository(_table(args, "UsersTable")).reset_lockout(args.user_id, factors):
        print("no such user", file=sys.stderr)
        return 1
    print(json.dumps({"user_id": args.user_id, "unlocked": [factor.value for factor in factors]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
