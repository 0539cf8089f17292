"""assent-admin manages a client's webhook endpoints as the client's API key does, in the running local API's
store: what it registers there is what the API lists, and its secret signs what the API sends."""

from __future__ import annotations

import json

import pytest
import requests

from assent_tools import admin
from tests.e2e.conftest import Gateway

pytestmark = pytest.mark.e2e


def _admin(capsys: pytest.CaptureFixture[str], gateway: Gateway, *command: str) -> tuple[int, object]:
    code = admin.main(["--local", gateway.store_url, *command])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_an_operator_registers_lists_rotates_and_removes_a_clients_endpoint(gateway: Gateway, capsys):
    _, clients = _admin(capsys, gateway, "list")
    [client_id] = [c["client_id"] for c in clients if c["name"] == "local development"]  # type: ignore[union-attr]
    headers = {"Authorization": f"Bearer {gateway.api_key}"}

    code, added = _admin(capsys, gateway, "webhooks", "add", client_id, "https://hooks.example.com/ops")
    assert code == 0 and added["secret"].startswith("whsec_")  # type: ignore[index]
    listed = requests.get(gateway.url + "/v1/webhooks", headers=headers, timeout=10).json()["webhooks"]
    assert added["id"] in [w["id"] for w in listed]  # type: ignore[index]

    code, rotated = _admin(capsys, gateway, "webhooks", "rotate", client_id, added["id"])  # type: ignore[index]
    assert code == 0 and rotated["secret"] != added["secret"]  # type: ignore[index]
    assert _admin(capsys, gateway, "webhooks", "remove", client_id, added["id"])[0] == 0  # type: ignore[index]
    listed = requests.get(gateway.url + "/v1/webhooks", headers=headers, timeout=10).json()["webhooks"]
    assert added["id"] not in [w["id"] for w in listed]  # type: ignore[index]
    assert _admin(capsys, gateway, "webhooks", "list", "cl_nosuchclient")[0] == 1
