"""A property-based campaign (hypothesis stateful): three stations of two communes take in
dossiers, move them, return results and sync through a proxy that drops, resets, delays
and fails requests; the district resolves dossiers, the hub restarts, bundles travel by
USB, syncs die half-way. After the network heals, the hub must hold exactly the dossiers
and status histories the stations committed: lost = 0, duplicated = 0, unexpected = 0.

CI runs a short campaign; ``COUNTER_APP_CAMPAIGN_EXAMPLES=300`` runs a long one (README).
Totals go to stdout with ``-s``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from counter_app.domain.clock import TEST_NOW_ENV
from counter_app.hub.bundles import import_bundle
from counter_app.hub.db import close_hub_db, hub_db, open_hub_db
from counter_app.hub.feed import set_status
from counter_app.hub.models import HubDossier
from counter_app.hub.server import HubThread
from counter_app.services.returns import ReturnRequest, return_result
from counter_app.services.tracking import change_status, hand_over
from counter_app.store.db import close_database
from counter_app.store.models import Dossier
from counter_app.sync.bundle import export_bundle
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from tests.conftest import TEST_NOW
from tests.support.convergence import compare, drain
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.hubkit import AGENCY, OTHER_AGENCY, intake, make_station

EXAMPLES = int(os.environ.get("COUNTER_APP_CAMPAIGN_EXAMPLES", "12"))
STEPS = int(os.environ.get("COUNTER_APP_CAMPAIGN_STEPS", "30"))
TOTALS: Counter[str] = Counter()

FAULTS = st.lists(
    st.sampled_from(
        [
            Fault.PASS,
            Fault.DROP_REQUEST,
            Fault.DROP_RESPONSE,
            Fault.DROP_RESPONSE,
            Fault.RESET_REQUEST_BODY,
            Fault.RESET_RESPONSE_BODY,
            Fault.ERROR_500,
            Fault.UPSTREAM_DOWN,
            Fault.DELAY,
        ]
    ),
    max_size=4,
)


class Crash(Exception):
    """The sync process dies here (raised from its progress callback)."""


class SyncCampaign(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        os.environ[TEST_NOW_ENV] = TEST_NOW
        self.tmp = Path(tempfile.mkdtemp(prefix="campaign-"))
        open_hub_db(str(self.tmp / "hub.sqlite3"))
        self.hub = HubThread().start()
        self.proxy = FaultProxy("127.0.0.1", self.hub.port, delay_s=0.5).start()
        self.stations = [
            make_station(self.tmp, 1, agency_code=AGENCY),
            make_station(self.tmp, 2, agency_code=AGENCY),
            make_station(self.tmp, 1, agency_code=OTHER_AGENCY),
        ]
        self.serial = 0
        self.restarts = 0
        TOTALS["campaigns"] += 1

    # ------------------------------------------------------------------ counter work

    @rule(which=st.integers(0, 2), count=st.integers(1, 3))
    def take_in(self, which: int, count: int) -> None:
        ctx = self.stations[which].activate()
        for _ in range(count):
            self.serial += 1
            intake(ctx, self.serial)
        TOTALS["intakes"] += count

    @rule(
        which=st.integers(0, 2),
        moves=st.lists(
            st.tuples(st.integers(0, 10_000), st.integers(0, 2)), min_size=1, max_size=5
        ),
    )
    def move_on(self, which: int, moves: list[tuple[int, int]]) -> None:
        ctx = self.stations[which].activate()
        for pick, action in moves:
            wanted = {0: [2], 1: [2, 4], 2: [9]}[action]
            rows = list(Dossier.select().where(Dossier.status.in_(wanted)).order_by(Dossier.id))
            if not rows:
                continue
            code = rows[pick % len(rows)].code
            if action == 0:
                hand_over(ctx, code, "Công chức Tư pháp - Hộ tịch")
            elif action == 1:
                change_status(ctx, code, 9)
            else:
                return_result(ctx, code, ReturnRequest("Người nhận", rating=1 + pick % 3))
            TOTALS["steps"] += 1

    # ------------------------------------------------------------------ the network

    @rule(
        which=st.integers(0, 2),
        faults=FAULTS,
        batch=st.sampled_from([1, 3, 250]),
        retries=st.integers(0, 2),
    )
    def sync(self, which: int, faults: list[Fault], batch: int, retries: int) -> None:
        self.proxy.script(faults)
        ctx = self.stations[which].activate()
        client = HubClient(self.proxy.url, self.stations[which].token, timeout_s=0.3)
        report = run_sync(ctx, client, batch=batch, retries=retries, backoff_s=0)
        TOTALS["syncs"] += 1
        TOTALS["syncs_failed"] += bool(report.error)
        TOTALS["faults"] += sum(f is not Fault.PASS for f in faults)
        self.proxy.heal()

    @rule(which=st.integers(0, 2), after=st.integers(0, 5))
    def sync_dies(self, which: int, after: int) -> None:
        seen = 0

        def progress(_: object) -> None:
            nonlocal seen
            seen += 1
            if seen > after:
                raise Crash

        ctx = self.stations[which].activate()
        try:
            client = HubClient(self.proxy.url, self.stations[which].token)
            run_sync(ctx, client, progress=progress, batch=2, retries=0)
        except Crash:
            TOTALS["syncs_killed"] += 1

    @rule(which=st.integers(0, 2), twice=st.booleans())
    def usb_bundle(self, which: int, twice: bool) -> None:
        station = self.stations[which]
        ctx = station.activate()
        path = self.tmp / f"bundle-{TOTALS['bundles']}.mcb"
        export_bundle(ctx, path, actor="campaign")
        with hub_db.connection_context():
            for _ in range(2 if twice else 1):
                import_bundle(path)
        TOTALS["bundles"] += 1

    @rule(pick=st.integers(0, 10_000))
    def district_resolves(self, pick: int) -> None:
        with hub_db.connection_context():
            query = HubDossier.select().where(HubDossier.status == 4)
            rows = list(query.order_by(HubDossier.code))
            if rows:
                set_status(rows[pick % len(rows)].code, 9, unit="Phòng Tư pháp")
                TOTALS["district_statuses"] += 1

    @precondition(lambda self: self.restarts < 2)  # rare, as in life; each costs ~0.3 s
    @rule()
    def hub_restarts(self) -> None:
        self.restarts += 1
        self.hub.stop()
        self.hub = HubThread().start()
        self.proxy.retarget(self.hub.port)
        TOTALS["restarts"] += 1

    @invariant()
    def nothing_applied_twice(self) -> None:
        # Cheap check on every step: no dossier code at the hub twice (primary key) and
        # the proxy is never left with a pending script.
        assert self.proxy.pending_script() == 0

    def teardown(self) -> None:
        try:
            self.proxy.heal()
            self.proxy.wait_idle(timeout=10)
            for station in self.stations:
                drain(station, self.proxy.url)
            for station in self.stations:  # a later station's pull may change nothing, but
                drain(station, self.proxy.url)  # the district's statuses must all be down
            tally = compare(self.stations)
            TOTALS["lost"] += tally.lost
            TOTALS["duplicated"] += tally.duplicated
            TOTALS["unexpected"] += tally.unexpected
            assert tally.clean, tally.problems
        finally:
            self.proxy.stop()
            self.hub.stop()
            close_hub_db()
            close_database()
            shutil.rmtree(self.tmp, ignore_errors=True)


SyncCampaign.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("COUNTER_APP_CAMPAIGN_RANDOM") != "1",
)


@pytest.fixture(scope="module", autouse=True)
def report_totals() -> object:
    yield
    print(f"\n[campaign] {dict(TOTALS)}")


def test_campaign(home: Path) -> None:
    SyncCampaign.TestCase().runTest()
