"""The hub's HTTP surface as any client meets it: authentication, gzip, size limits, JSON
errors that say what was wrong, and the clock every answer carries."""

from __future__ import annotations

import gzip
import http.client
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from counter_app.domain.clock import now_vn
from counter_app.hub.db import hub_db
from counter_app.hub.models import HubDossier, Station
from counter_app.hub.server import HubThread
from counter_app.sync import state
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from counter_app.sync.protocol import MAX_BODY_BYTES
from tests.support.hubkit import intake, make_station, running_hub


@pytest.fixture
def hub(tmp_path: Path, home: Path) -> Iterator[HubThread]:
    with running_hub(str(tmp_path / "hub.sqlite3")) as server:
        yield server


def call(
    hub: HubThread,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], http.client.HTTPResponse]:
    conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    if response.getheader("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    return response.status, json.loads(raw), response


def test_every_request_needs_a_live_token(hub: HubThread) -> None:
    status, body, response = call(hub, "GET", "/api/v1/hello")
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert "Authorization" in body["error"]["message"]
    assert response.getheader("X-Hub-Time")
    status, body, _ = call(hub, "GET", "/api/v1/hello", headers={"Authorization": "Bearer x"})
    assert status == 401 and "thu hồi" in body["error"]["message"]


def test_errors_are_json_that_say_what_was_wrong(hub: HubThread, tmp_path: Path) -> None:
    one = make_station(tmp_path, 1)
    auth = {"Authorization": f"Bearer {one.token}"}
    status, body, _ = call(hub, "GET", "/api/v2/hello", headers=auth)
    assert status == 404 and "/api/v1/" in body["error"]["message"]
    status, body, _ = call(hub, "DELETE", "/api/v1/push", headers=auth)
    assert status == 405
    bad_gzip = {**auth, "Content-Encoding": "gzip"}
    status, body, _ = call(hub, "POST", "/api/v1/push", b"not gzip", bad_gzip)
    assert status == 400 and "gzip" in body["error"]["message"]
    items = json.dumps({"items": [{"id": "a", "seq": 0}]}).encode()
    status, body, _ = call(hub, "POST", "/api/v1/push", items, auth)
    assert status == 400 and "items[0].kind" in body["error"]["message"]
    status, body, _ = call(hub, "GET", "/api/v1/changes?after=x", headers=auth)
    assert status == 400 and "after" in body["error"]["message"]


def test_bodies_are_size_limited_on_the_wire_and_after_gunzip(
    hub: HubThread, tmp_path: Path
) -> None:
    one = make_station(tmp_path, 1)
    auth = {"Authorization": f"Bearer {one.token}"}
    too_big = b"x" * (MAX_BODY_BYTES + 1)
    status, body, _ = call(hub, "POST", "/api/v1/push", too_big, auth)
    assert status == 413 and body["error"]["code"] == "too_large"
    bomb = gzip.compress(b" " * (80 * 1024 * 1024))  # 80 MB of spaces in ~80 KB
    status, body, _ = call(hub, "POST", "/api/v1/push", bomb, {**auth, "Content-Encoding": "gzip"})
    assert status == 400 and "giải nén" in body["error"]["message"]


def test_answers_are_gzipped_when_asked(hub: HubThread, tmp_path: Path) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    for i in range(20):
        intake(ctx, i)
    run_sync(ctx, HubClient(hub.url, one.token))
    headers = {"Authorization": f"Bearer {one.token}", "Accept-Encoding": "gzip"}
    status, body, response = call(hub, "GET", "/api/v1/dossiers", headers=headers)
    assert status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert len(body["dossiers"]) == 20


def test_clock_offset_is_measured_and_warned_but_never_orders_records(
    tmp_path: Path, home: Path
) -> None:
    ahead = timedelta(minutes=7)
    with running_hub(str(tmp_path / "hub.sqlite3"), clock=lambda: now_vn() + ahead) as hub:
        one = make_station(tmp_path, 1)
        ctx = one.activate()
        first, second = intake(ctx, 1), intake(ctx, 2)
        report = run_sync(ctx, HubClient(hub.url, one.token))
        assert 415 <= report.clock_offset_s <= 425 and report.clock_warning
        status = state.sync_status()
        assert status.clock_warning and status.clock_offset_s == report.clock_offset_s
        # The station tells the hub its offset on the next request: the district sees it.
        from counter_app.sync.engine import client_for

        run_sync(ctx, client_for(state.SyncConfig(hub.url, one.token, None)))
        with hub_db.connection_context():
            assert 415 <= Station.get().clock_offset_s <= 425
            # Arrival order at the hub is the hub's own, whatever the station's clock said.
            rows = list(HubDossier.select().order_by(HubDossier.hub_received_at))
            assert [r.code for r in rows] == [first, second]
    with running_hub(str(tmp_path / "hub2.sqlite3")) as hub:
        one.token = make_station(tmp_path, 1).token
        report = run_sync(one.activate(), HubClient(hub.url, one.token))
        assert abs(report.clock_offset_s) <= 2 and not report.clock_warning
