"""Test kit for sync: hub databases (SQLite file, real PostgreSQL), running hubs, and
several counter stations in one process (the counter's database is process-wide, so a
station is switched in before it acts)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.hub.db import close_hub_db, hub_db, open_hub_db
from counter_app.hub.models import HUB_MODELS
from counter_app.hub.server import HubThread
from counter_app.hub.stations import add_station
from counter_app.services.accounts import has_operators
from counter_app.services.calendars import reset_cache
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.intake import IntakeRequest, receive
from counter_app.store.db import close_database
from tests.support.counters import set_up_counter, sign_in_as

PG_ENV = "COUNTER_APP_TEST_PG_URL"
REQUIRE_PG_ENV = "COUNTER_APP_REQUIRE_PG"
AGENCY = "000.00.17.H26"
OTHER_AGENCY = "000.00.18.H26"


def pg_url_or_skip() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        if os.environ.get(REQUIRE_PG_ENV) == "1":
            pytest.fail(f"{REQUIRE_PG_ENV}=1 but {PG_ENV} is not set: PostgreSQL tests cannot run")
        pytest.skip(f"{PG_ENV} not set (scripts/run-tests.sh starts a server as root)")
    return url


def fresh_hub_db(kind: str, tmp_path: Path) -> str:
    """A hub database URL with empty tables: a new SQLite file, or the test PostgreSQL
    server with the hub's tables dropped and created again."""
    if kind == "sqlite":
        return str(tmp_path / "hub.sqlite3")
    url = pg_url_or_skip()
    open_hub_db(url)
    with hub_db.connection_context():
        hub_db.drop_tables(HUB_MODELS, safe=True, cascade=True)
    close_hub_db()
    return url


@dataclass
class Station:
    """One counter PC: its data folder, settings and hub token."""

    home: Path
    agency_code: str
    number: int
    token: str = ""

    def activate(self) -> CounterContext:
        close_database()
        reset_cache()
        ctx = open_counter(self.home)
        return sign_in_as(ctx) if has_operators(ctx) else ctx


def make_station(
    tmp_path: Path, number: int, *, agency_code: str = AGENCY, register: bool = True
) -> Station:
    home = tmp_path / f"station{number}-{agency_code}"
    station = Station(home, agency_code, number)
    ctx = station.activate()
    if ctx.operator is None:
        set_up_counter(
            ctx, station=number, agency_code=agency_code, full_name=f"Cán bộ máy {number}"
        )
    if register:
        with hub_db.connection_context():
            station.token = add_station(agency_code, number)[1]
    return station


def person(index: int) -> ApplicantInput:
    return ApplicantInput(
        name=f"Nguyễn Văn Thử {index}",
        id_number=f"0010900{index:05d}",
        dob=date(1990, 5, 1),
        sex=Sex.MALE,
        address="Thôn Đông Hòa, xã An Hòa",
        phone="0912345678",
    )


def intake(ctx: CounterContext, index: int, procedure: str = "1.004873") -> str:
    return receive(ctx, IntakeRequest(procedure, person(index))).code


@contextmanager
def running_hub(db_url: str, **kwargs: object) -> Iterator[HubThread]:
    open_hub_db(db_url)
    hub = HubThread(**kwargs).start()  # type: ignore[arg-type]
    try:
        yield hub
    finally:
        hub.stop()
        close_hub_db()
