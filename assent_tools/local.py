"""The `assent-local` command: the local API (`assent-local [--port N]`), or one handler called with an event
file (`assent-local invoke <Function> -e events/<family>/<name>.json`)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    # Each imported only when asked for: the API's emulation takes SAM CLI, about a second more to start.
    if arguments[:1] == ["invoke"]:
        from assent_tools import invoke

        return invoke.main(arguments[1:])
    from assent_tools import gateway

    gateway.main(arguments)
    return 0
