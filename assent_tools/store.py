"""The local store: moto's server in this process, one request at a time, with sent mail kept as an outbox.

Requests are serialised because moto's conditional writes are not atomic under concurrency, while
DynamoDB's are; one at a time, moto's check-then-write behaves as DynamoDB's conditional write does.

It holds every table, key and mail of the local API, so it listens on 127.0.0.1 only and grants no CORS: a web
page the developer happens to open cannot read it (SECURITY.md 43).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_server import werkzeug_app
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.ses.models import RawMessage, ses_backends
from moto.sns.models import sns_backends
from werkzeug.serving import BaseWSGIServer, make_server

LOOPBACK = "127.0.0.1"
# One-time codes in mail printed to the terminal, which screen shares and logs see; the outbox has them whole.
_CODE = re.compile(r"\b\d{6}\b")


class _QuietRequestHandler(MotoRequestHandler):
    """moto's request handler without a log line per AWS call (the gateway logs the API's requests)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _OneAtATime:
    """WSGI middleware that lets one request at a time into the wrapped application."""

    def __init__(self, app: Any, after_each: Callable[[], None]) -> None:
        self._app = app
        self._after_each = after_each
        self._lock = threading.Lock()
        # The calls of JSON-protocol services (DynamoDB, KMS, SQS) by their target, e.g.
        # "DynamoDB_20120810.PutItem": what the capacity model counts (docs/capacity.md).
        self.calls: Counter[str] = Counter()
        # Those of the local event sources' polling (as Lambda's pollers make them, not the functions).
        self.polls: Counter[str] = Counter()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        with self._lock:
            if target := environ.get("HTTP_X_AMZ_TARGET"):
                polling = "assent-event-sources" in environ.get("HTTP_USER_AGENT", "")
                (self.polls if polling else self.calls)[target] += 1
            # The body is produced inside the lock: a WSGI app may do its work while it is iterated.
            body = b"".join(self._app(environ, start_response))
            self._after_each()
        return [body]


REGION = "us-east-1"
LOCAL_AWS_ENVIRONMENT = {
    # Dummy credentials: every AWS call goes to the local store, never to an account.
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "ASSENT_NODE_ID": "assent-local",
}


def use_local_aws(store_url: str) -> None:
    """Point every AWS client this process makes at the local store, with dummy credentials."""
    os.environ.pop("AWS_PROFILE", None)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.update(LOCAL_AWS_ENVIRONMENT)
    os.environ["AWS_ENDPOINT_URL"] = store_url


def create_development_client(api_key: str | None) -> str:
    """A client for local calls; its API key (`api_key`, or a new one)."""
    # Imported here: the layer reads its settings on first use, after the environment is set.
    from assent import wiring

    wiring.reset()
    return wiring.clients_service().create("local development", api_key=api_key or None).api_key


class LocalStore:
    def __init__(self, region: str, port: int = 0, announce: Callable[[str], None] = print) -> None:
        self._region = region
        self._port = port
        self._announce = announce
        self._server: BaseWSGIServer | None = None
        self._app: _OneAtATime | None = None
        self._thread: threading.Thread | None = None
        self._announced_mail = 0

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the local store has not been started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        # moto's server answers every origin's CORS preflight unless told not to; read when apps are made.
        werkzeug_app.DISABLE_GLOBAL_CORS = True
        app = self._app = _OneAtATime(
            DomainDispatcherApplication(create_backend_app), self._announce_new_mail
        )
        self._server = make_server(
            LOOPBACK, self._port, app, threaded=True, request_handler=_QuietRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-store", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def outbox(self) -> list[dict[str, Any]]:
        return sent_mail(self._region)

    def pushes(self) -> list[dict[str, Any]]:
        """Every push SNS mobile push was asked to send, oldest first: the device's token and the message."""
        return sent_pushes(self._region)

    def calls(self) -> dict[str, int]:
        """How many calls of each operation the functions made (e-mail aside: see the outbox), without the
        local event sources' polling of streams and queues, which Lambda makes on AWS."""
        return dict(self._app.calls) if self._app is not None else {}

    def _announce_new_mail(self) -> None:
        mail = self.outbox()
        show_codes = os.environ.get("ASSENT_LOCAL_SHOW_CODES") == "1"
        for message in mail[self._announced_mail :]:
            line = json.dumps(message)
            self._announce("mail sent: " + (line if show_codes else _CODE.sub("######", line)))
        self._announced_mail = len(mail)


def sent_pushes(region: str) -> list[dict[str, Any]]:
    """Every message moto's SNS in this process has pushed to a platform endpoint in `region`."""
    endpoints = sns_backends[DEFAULT_ACCOUNT_ID][region].platform_endpoints.values()
    return [
        {"endpoint": endpoint.arn, "token": endpoint.token, "id": message_id, "message": json.loads(message)}
        for endpoint in endpoints
        for message_id, message in endpoint.messages.items()
    ]


def sent_mail(region: str) -> list[dict[str, Any]]:
    """Every e-mail moto's SES in this process has sent in `region`, oldest first."""
    return [_mail(message) for message in ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages]


def _mail(message: Any) -> dict[str, Any]:
    if isinstance(message, RawMessage):
        return {
            "id": message.id,
            "source": message.source,
            "destinations": message.destinations,
            "raw": message.raw_data,
        }
    return {
        "id": message.id,
        "source": message.source,
        "destinations": getattr(message, "destinations", None),
        "subject": getattr(message, "subject", None),
        "body": getattr(message, "body", None),
    }
