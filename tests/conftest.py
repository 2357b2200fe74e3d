"""Shared fixtures: a real counter database in a temporary data folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never need a display in tests; set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from argon2 import PasswordHasher

from counter_app.domain.clock import TEST_NOW_ENV
from counter_app.services import accounts
from counter_app.services.calendars import reset_cache
from counter_app.services.context import CounterContext, open_counter
from tests.support.counters import AGENCY_CODE, set_up_counter

__all__ = ["AGENCY_CODE"]
# The suite's "now": its dates (late November 2026) stay valid whenever it runs.
TEST_NOW = "2026-11-25T09:00:00+07:00"


@pytest.fixture(autouse=True)
def fixed_start_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TEST_NOW_ENV, TEST_NOW)


# In-process tests hash passwords with the cheapest argon2id settings (a hash carries its
# own parameters, so nothing else changes); test_accounts checks the real ones.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "HASHER", CHEAP_HASHER)


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
    """A counter set up as station 1 of UBND xã An Hòa, its supervisor Trần Thị Mai
    (``mai``) signed in; ``lan`` is a clerk, ``quantri`` the admin."""
    return set_up_counter(blank_counter)
