"""The `assent-local` command: the local API (`assent-local [--port N]`), or one handler called with an event
file (`assent-local invoke <Function> -e events/<family>/<name>.json`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from assent_tools.template import TEMPLATE


def add_local_arguments(parser: argparse.ArgumentParser) -> None:
    """The options the local API and `invoke` share: where the API and its store listen, and the template."""
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("PORT", "3000")), help="the local API's"
    )
    parser.add_argument(
        "--store-port",
        type=int,
        default=int(os.environ["STORE_PORT"]) if os.environ.get("STORE_PORT") else None,
        help="port of the local store (moto's server); default: the API's port + 1",
    )
    parser.add_argument("--template", type=Path, default=TEMPLATE)


def store_port(args: argparse.Namespace) -> int:
    return int(args.store_port) if args.store_port is not None else int(args.port) + 1


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    # Each imported only when asked for: the API's emulation takes SAM CLI, about a second more to start.
    if arguments[:1] == ["invoke"]:
        from assent_tools import invoke

        return invoke.main(arguments[1:])
    from assent_tools import gateway

    gateway.main(arguments)
    return 0
