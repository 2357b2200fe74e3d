"""Every kind of network fault, one at a time, on push and on pull: the sync that hits it
reports an error and loses nothing; after the network heals the hub holds exactly what
the station committed. Also: the hub restarted mid-way and the client killed mid-sync."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_app.hub.db import hub_db
from counter_app.hub.feed import set_status
from counter_app.hub.models import PushedItem
from counter_app.hub.server import HubThread
from counter_app.services.tracking import hand_over
from counter_app.store.models import Dossier, HubChange, StatusHistory
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from tests.support.convergence import compare, drain
from tests.support.counters import PASSWORD, SUPERVISOR
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.hubkit import intake, make_station, running_hub

PUSH, CHANGES = "/api/v1/push", "/api/v1/changes"
NETWORK_FAULTS = [
    Fault.DROP_REQUEST,
    Fault.DROP_RESPONSE,
    Fault.RESET_REQUEST_BODY,
    Fault.RESET_RESPONSE_BODY,
    Fault.ERROR_500,
    Fault.DELAY,
    Fault.UPSTREAM_DOWN,
]


@pytest.fixture
def hub(tmp_path: Path, home: Path) -> Iterator[HubThread]:
    with running_hub(str(tmp_path / "hub.sqlite3")) as server:
        yield server


@pytest.fixture
def proxy(hub: HubThread) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", hub.port, delay_s=1.0) as p:
        yield p


@pytest.mark.parametrize("fault", NETWORK_FAULTS, ids=lambda f: f.name)
def test_a_push_fault_loses_and_doubles_nothing(
    fault: Fault, hub: HubThread, proxy: FaultProxy, tmp_path: Path
) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    codes = [intake(ctx, i) for i in range(5)]
    hand_over(ctx, codes[0], "Công chức Tư pháp - Hộ tịch")
    proxy.script([Fault.PASS, fault], path_prefix=PUSH)  # the second batch is hit
    client = HubClient(proxy.url, one.token, timeout_s=0.5)
    hit = run_sync(ctx, client, batch=2, retries=0)
    assert hit.error and hit.pushed == 2 and hit.pending == 4
    proxy.wait_idle()
    drain(one, proxy.url)
    tally = compare([one])
    assert tally.clean, tally.problems
    with hub_db.connection_context():
        assert PushedItem.select().count() == 6


@pytest.mark.parametrize("fault", NETWORK_FAULTS, ids=lambda f: f.name)
def test_a_pull_fault_applies_the_district_status_once(
    fault: Fault, hub: HubThread, proxy: FaultProxy, tmp_path: Path
) -> None:
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    code = intake(ctx, 1)
    hand_over(ctx, code, "Công chức Tư pháp - Hộ tịch")
    drain(one, proxy.url)
    with hub_db.connection_context():
        set_status(code, 9, unit="Phòng Tư pháp")
    proxy.script([fault], path_prefix=CHANGES)
    ctx = one.activate()
    hit = run_sync(ctx, HubClient(proxy.url, one.token, timeout_s=0.5), retries=0)
    assert hit.error
    proxy.wait_idle()
    drain(one, proxy.url)
    ctx = one.activate()
    assert Dossier.get(Dossier.code == code).status == 9
    assert StatusHistory.select().where(StatusHistory.origin == "hub").count() == 1
    assert HubChange.select().count() == 1
    assert compare([one]).clean


def test_hub_restart_mid_sync(tmp_path: Path, home: Path) -> None:
    db = str(tmp_path / "hub.sqlite3")
    with running_hub(db) as first:
        one = make_station(tmp_path, 1)
        ctx = one.activate()
        for i in range(6):
            intake(ctx, i)
        proxy = FaultProxy("127.0.0.1", first.port, delay_s=1.0).start()
        try:
            proxy.script([Fault.PASS, Fault.DELAY], path_prefix=PUSH)
            hit = run_sync(ctx, HubClient(proxy.url, one.token, timeout_s=0.3), batch=3, retries=0)
            assert hit.error and hit.pushed == 3
            first.stop()  # the hub goes down while the delayed batch is on its way
            down = run_sync(ctx, HubClient(proxy.url, one.token, timeout_s=0.5), batch=3, retries=0)
            assert down.error and down.pending == 3
            second = HubThread().start()  # back, on a new port, same database
            try:
                proxy.retarget(second.port)
                drain(one, proxy.url)
                tally = compare([one])
                assert tally.clean, tally.problems
            finally:
                second.stop()
        finally:
            proxy.stop()


def test_client_killed_mid_sync(hub: HubThread, proxy: FaultProxy, tmp_path: Path) -> None:
    """A ``counter-app sync`` process killed while the hub commits a batch it never sees
    acknowledged: the next sync resends it, the hub answers from its records."""
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    for i in range(600):
        intake(ctx, i)
    proxy.delay_s = 3.0
    proxy.script([Fault.PASS, Fault.DELAY], path_prefix=PUSH)
    env = {
        **os.environ,
        "PYTHONIOENCODING": "utf-8",
        "COUNTER_APP_USER": SUPERVISOR,
        "COUNTER_APP_PASSWORD": PASSWORD,
    }
    env.pop("COUNTER_APP_HOME", None)
    command = [sys.executable, "-m", "counter_app", "--home", str(one.home), "sync"]
    process = subprocess.Popen(
        [*command, "--hub", proxy.url, "--token", one.token, "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while len([x for x in proxy.history() if x.path.startswith(PUSH)]) < 2:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)  # mid-sync: the second batch is in the proxy
    process.wait(timeout=10)
    proxy.wait_idle(timeout=10)  # the hub commits the batch nobody waits for any more
    one.activate()
    drain(one, proxy.url)
    tally = compare([one])
    assert tally.clean, tally.problems
    with hub_db.connection_context():
        assert PushedItem.select().count() == 600


def test_a_flaky_link_drains_in_one_round(
    hub: HubThread, proxy: FaultProxy, tmp_path: Path
) -> None:
    """In-round retries: one answer in three lost, and the clerk presses "Đồng bộ" once."""
    one = make_station(tmp_path, 1)
    ctx = one.activate()
    for i in range(40):
        intake(ctx, i)
    proxy.set_rates({Fault.DROP_RESPONSE: 0.3}, seed=3)
    report = run_sync(ctx, HubClient(proxy.url, one.token), batch=4, retries=8, backoff_s=0.01)
    assert not report.error and report.pending == 0 and report.retries > 0
    proxy.heal()
    assert compare([one]).clean


def test_retries_are_shown_and_a_cancel_while_retrying_is_a_cancel(
    hub: HubThread, proxy: FaultProxy, tmp_path: Path
) -> None:
    from counter_app.sync.engine import SyncProgress

    one = make_station(tmp_path, 1)
    ctx = one.activate()
    intake(ctx, 1)
    seen: list[SyncProgress] = []
    proxy.script([Fault.UPSTREAM_DOWN, Fault.UPSTREAM_DOWN], path_prefix=PUSH)
    report = run_sync(ctx, HubClient(proxy.url, one.token), progress=seen.append, backoff_s=0.01)
    assert not report.error and report.pending == 0
    assert [(p.done, p.total) for p in seen if p.phase == "retry"] == [(1, 3), (2, 3)]

    intake(ctx, 2)
    proxy.script([Fault.UPSTREAM_DOWN] * 5, path_prefix=PUSH)
    asked = False

    def progress(p: SyncProgress) -> None:
        nonlocal asked
        asked = asked or p.phase == "retry"  # the clerk presses Hủy while it waits

    report = run_sync(
        ctx,
        HubClient(proxy.url, one.token),
        progress=progress,
        cancelled=lambda: asked,
        backoff_s=5,
    )
    assert report.cancelled and not report.error and report.pending == 1
    proxy.heal()
