"""Runs Lambda handlers in this process for SAM's local API service, in place of its Docker containers."""

from __future__ import annotations

import json
import threading
import traceback
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

from samcli.local.lambdafn.exceptions import FunctionNotFound

from assent_tools.template import FunctionSpec, Handler


@dataclass
class LambdaContext:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timeout_seconds: float = 10
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - monotonic()) * 1000))


class InProcessRunner:
    """SAM's `LocalLambdaRunner` contract (`is_debugging`, `invoke`), served without containers.

    Like Lambda, an execution environment handles one request at a time: concurrent requests to one
    function get separate copies of its handler module, so a resolver's per-request state is never shared.
    """

    def __init__(self, functions: dict[str, FunctionSpec]) -> None:
        self._functions = functions
        self._idle: dict[str, list[Handler]] = defaultdict(list)
        self._created: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def is_debugging(self) -> bool:
        return False

    def invoke(
        self, function_identifier: str, event: str, stdout: Any = None, stderr: Any = None, **_: Any
    ) -> None:
        spec = self._functions.get(function_identifier)
        if spec is None:
            raise FunctionNotFound(f"no function {function_identifier} in the template")
        handler = self._acquire(spec)
        try:
            output = json.dumps(
                handler(
                    json.loads(event),
                    LambdaContext(function_identifier, timeout_seconds=spec.timeout_seconds),
                )
            )
        except Exception:
            if stderr is not None:
                stderr.write_str(traceback.format_exc())
            # API Gateway answers a function error with 502, but SAM answers Lambda's error object with 500;
            # to SAM, as to API Gateway, an answer that is no proxy response at all is a 502.
            output = "null"
        finally:
            self._release(spec, handler)
        if stdout is not None:
            stdout.write_str(output)

    def call(self, function_identifier: str, event: dict[str, Any]) -> dict[str, Any]:
        """A function's answer to `event`, as its handler returns it (for the event sources, which read a
        batch's failures from it)."""
        spec = self._functions[function_identifier]
        handler = self._acquire(spec)
        try:
            return handler(event, LambdaContext(function_identifier, timeout_seconds=spec.timeout_seconds))
        finally:
            self._release(spec, handler)

    def _acquire(self, spec: FunctionSpec) -> Handler:
        with self._lock:
            if self._idle[spec.logical_id]:
                return self._idle[spec.logical_id].pop()
            instance = self._created[spec.logical_id]
            self._created[spec.logical_id] += 1
        return spec.load(instance)

    def _release(self, spec: FunctionSpec, handler: Handler) -> None:
        with self._lock:
            self._idle[spec.logical_id].append(handler)
