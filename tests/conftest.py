"""Shared fixtures: a real counter database in a temporary data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never need a display in tests; set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from counter_app.domain.clock import TEST_NOW_ENV
from counter_app.services.calendars import reset_cache
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.settings import save_settings

AGENCY_CODE = "000.00.17.H26"
# The suite's "now": its dates (late November 2026) stay valid whenever it runs.
TEST_NOW = "2026-11-25T09:00:00+07:00"


@pytest.fixture(autouse=True)
def fixed_start_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_NOW_ENV, TEST_NOW)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("COUNTER_APP_HOME", str(folder))
    return folder


@pytest.fixture
def blank_counter(home: Path) -> Iterator[CounterContext]:
    """An opened, seeded counter that has not been set up yet."""
    reset_cache()
    ctx = open_counter(home)
    yield ctx
    ctx.close()
    reset_cache()


@pytest.fixture
def counter(blank_counter: CounterContext) -> CounterContext:
    """A counter set up as station 1 of UBND xã An Hòa."""
    save_settings(
        blank_counter,
        agency_code=AGENCY_CODE,
        agency_name="UBND xã An Hòa",
        place_name="An Hòa",
        station=1,
        clerk_name="Trần Thị Mai",
    )
    return blank_counter
