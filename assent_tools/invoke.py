"""`assent-local invoke`: one handler called in this process with an event file, as `sam local invoke`
calls it in a container: against the local store `make run` started (or a fresh one), with the template's
variables."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from assent_tools.local import add_local_arguments, store_port
from assent_tools.runner import LambdaContext
from assent_tools.store import REGION, LocalStore, create_development_client, use_local_aws
from assent_tools.template import (
    FunctionSpec,
    function_environment,
    functions,
    load_template,
    local_parameters,
    provision,
)

# The API key the sample events in events/ carry; a fresh store registers it for a development client, so that
# the samples of client routes reach the function's own work.
SAMPLE_API_KEY = "ak_sample-key-replace-with-a-real-one-000000"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Invoker:
    """The template's functions, ready to be called with the environment the local store gives them."""

    functions: Mapping[str, FunctionSpec]

    def invoke(self, function_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """What the handler returns for `event`; its logs (Powertools writes them to stdout) go to stderr, as
        `sam local invoke` shows a container's. An exception answers Lambda's error object."""
        from assent import wiring
        from assent.core.observability import logger

        spec = self.functions[function_id]
        wiring.reset()  # a fresh execution environment: nothing cached from another function
        handler = spec.load()
        # Powertools' logger keeps the stdout it was made with; metrics print to the current one.
        logger.registered_handler.setStream(sys.stderr)
        with contextlib.redirect_stdout(sys.stderr):
            try:
                response: dict[str, Any] = handler(
                    event, LambdaContext(function_id, timeout_seconds=spec.timeout_seconds)
                )
            except Exception as error:
                traceback.print_exc()
                return {
                    "errorMessage": str(error),
                    "errorType": type(error).__name__,
                    "stackTrace": traceback.format_tb(error.__traceback__),
                }
        return response


@contextlib.contextmanager
def local_functions(
    template_path: Path, store_port: int, api_port: int, announce: Any = print
) -> Iterator[Invoker]:
    """The template's functions against the local store on `store_port` if one listens there (the one `make
    run` started), else against a fresh one for as long as the block runs, with the samples' client in it."""
    template = load_template(template_path)
    fresh = None if _listening(store_port) else LocalStore(REGION, announce=announce)
    if fresh is not None:
        fresh.start()
        announce(f"no local store on port {store_port}: using a fresh, empty one ({fresh.url})")
    try:
        use_local_aws(fresh.url if fresh is not None else f"http://127.0.0.1:{store_port}")
        parameters = local_parameters(os.environ, port=api_port)
        physical_ids = provision(boto3.Session(), template, parameters)
        os.environ.update(function_environment(template, physical_ids, parameters))
        if fresh is not None:
            create_development_client(SAMPLE_API_KEY)
        yield Invoker(functions(template, root=template_path.parent))
    finally:
        if fresh is not None:
            fresh.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="assent-local invoke", description=__doc__)
    parser.add_argument("function", help="the function's logical id in template.yaml, e.g. SignUpFunction")
    parser.add_argument("-e", "--event", type=Path, required=True, help="an event file, e.g. events/…/….json")
    add_local_arguments(parser)
    args = parser.parse_args(argv)
    template_path = args.template.resolve()
    known = functions(load_template(template_path), root=template_path.parent)
    if args.function not in known:
        parser.error(
            f"no function {args.function} in {template_path.name}; one of: {', '.join(sorted(known))}"
        )
    try:
        event = json.loads(args.event.read_text())
    except (OSError, ValueError) as error:
        parser.error(f"{args.event}: {error}")

    def to_stderr(line: str) -> None:
        print(line, file=sys.stderr)

    with local_functions(template_path, store_port(args), args.port, announce=to_stderr) as invoker:
        response = invoker.invoke(args.function, event)
    print(json.dumps(response))
    return 1 if "errorType" in response else 0
