"""The local API: every route of template.yaml on 127.0.0.1, served by SAM's own API Gateway emulation,
with handlers called in this process and moto's server as the store. No Docker, no AWS account."""

from __future__ import annotations

import argparse
import functools
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from flask import jsonify, request, send_from_directory
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
from samcli.lib.utils.stream_writer import StreamWriter
from samcli.local.apigw.local_apigw_service import LocalApigwService
from samcli.local.docker.exceptions import ProcessSigTermException

from assent_tools import openapi
from assent_tools.event_sources import EventSources, event_sources
from assent_tools.local import add_local_arguments, store_port
from assent_tools.runner import InProcessRunner
from assent_tools.store import REGION, LocalStore, create_development_client, use_local_aws
from assent_tools.template import (
    function_environment,
    functions,
    load_template,
    local_parameters,
    provision,
)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="assent-local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    add_local_arguments(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    template_path = args.template.resolve()
    template = load_template(template_path)

    store = LocalStore(REGION, port=store_port(args))
    store.start()
    stop_sources = threading.Event()
    try:
        use_local_aws(store.url)
        parameters = local_parameters(os.environ, port=args.port)
        physical_ids = provision(boto3.Session(), template, parameters)
        environment = function_environment(template, physical_ids, parameters)
        os.environ.update(environment)
        # Only here: webhooks to http://127.0.0.1 and localhost, for a developer's receiver (SECURITY.md 41).
        os.environ["ASSENT_WEBHOOKS_ALLOW_LOOPBACK"] = "true"
        # A template without a clients table (a test fixture, say) has no API keys to issue.
        dev_key = (
            create_development_client(os.environ.get("ASSENT_DEV_API_KEY"))
            if "ASSENT_CLIENTS_TABLE" in environment
            else None
        )

        stacks, _ = SamLocalStackProvider.get_stacks(str(template_path))
        api = ApiProvider(stacks).api
        runner = InProcessRunner(functions(template, root=template_path.parent))
        # The streams and queues feed their functions in this process, as Lambda's event source mappings
        # would: each on its own, so that a slow webhook receiver holds up no stream and no other queue.
        for source in event_sources(template):
            poller = EventSources([source], physical_ids, runner.call, boto3.Session())
            name = f"event-source-{source.resource}"
            threading.Thread(target=poller.run, args=(stop_sources,), name=name, daemon=True).start()
        service = LocalApigwService(
            api, runner, port=args.port, host=args.host, stderr=StreamWriter(sys.stderr, auto_flush=True)
        )
        service.create()
        service._app.before_request(_known_host(args.host, args.port))
        service._app.before_request(_undecodable_body_as_text)
        base = f"http://{args.host}:{args.port}"

        # Built on first request, not at every start: it imports every function (about 1.7 s).
        @functools.cache
        def api_document() -> dict[str, Any]:
            return {**openapi.document(template, root=template_path.parent), "servers": [{"url": base}]}

        local_routes = {
            "/_local/outbox": lambda: jsonify(store.outbox()),
            "/_local/push": lambda: jsonify(store.pushes()),
            "/_local/calls": lambda: jsonify(store.calls()),
            "/_local/openapi.json": lambda: jsonify(api_document()),
            "/_local/docs": lambda: openapi.swagger_page(api_document()),
        }
        for path, view in local_routes.items():
            service._app.add_url_rule(path, path, view, methods=["GET"])
        _serve_the_approver(service._app, template_path.parent / "web")

        print(f"Assent local API on {base}  (store: {store.url})")
        for route in sorted(api.routes, key=lambda r: r.path):
            print(f"  {','.join(sorted(route.methods)):<8} {base}{route.path}  -> {route.function_name}")
        print(f"  GET      {base}/_local/outbox  (e-mail sent through SES)")
        print(f"  GET      {base}/_local/push  (pushes sent through SNS mobile push)")
        print(f"  GET      {base}/_local/calls  (AWS calls the store answered, by operation)")
        print(f"  GET      {base}/_local/openapi.json  (the API document; Swagger UI at {base}/_local/docs)")
        if dev_key:
            print(f"Development client API key: {dev_key}")
        print("Ctrl-C stops.", flush=True)
        service.run()
    except (KeyboardInterrupt, ProcessSigTermException):
        pass
    finally:
        stop_sources.set()
        store.stop()
        print("Assent local API stopped.", flush=True)


def _serve_the_approver(app: Any, web: Path) -> None:
    """The approver web app (web/, built by `make web`) at the API's own origin, the one passkeys are made for
    locally: its page at /, its compiled modules and the typed client under /app/."""

    def page() -> Any:
        return send_from_directory(web, "index.html")

    def asset(path: str) -> Any:
        if path == "style.css":
            return send_from_directory(web, path)
        if not (web / "dist").is_dir():
            return jsonify({"message": "the web app is not built: make web"}), 404
        return send_from_directory(web / "dist", path)

    app.add_url_rule("/", "approver", page, methods=["GET"])
    app.add_url_rule("/app/<path:path>", "approver-assets", asset, methods=["GET"])


def _known_host(host: str, port: int) -> Callable[[], Any]:
    """A check refusing a request whose Host is not this gateway's own name: a web page that rebinds its own
    domain to 127.0.0.1 would otherwise read the outbox, codes and all (SECURITY.md 43)."""
    wildcards = ("0.0.0.0", "::")  # noqa: S104 (compared with, never bound to)
    names = {"127.0.0.1", "localhost"} | ({host} if host not in wildcards else set())
    allowed = {f"{name}:{port}" for name in names}

    def refuse_foreign_host() -> Any:
        if (request.host or "").lower() not in allowed:
            return jsonify({"message": "Forbidden: not a host of this local API"}), 403
        return None

    return refuse_foreign_host


def _undecodable_body_as_text() -> None:
    """SAM's emulator fails with 502 on a body that is not UTF-8; it is passed on with replacement
    characters instead, so the function's own refusal (400, malformed JSON) is what the client sees."""
    body = request.get_data()
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        request._cached_data = body.decode("utf-8", errors="replace").encode("utf-8")


if __name__ == "__main__":
    main()
