"""The yearly calendars of days off and working Saturdays, and the WorkCalendar built on them."""

from __future__ import annotations

import json
import threading
from datetime import date, time
from typing import Any

from counter_app.domain.calendar import (
    DEFAULT_PERIODS,
    WorkCalendar,
    YearCalendar,
    parse_year_calendar,
    validate_periods,
)
from counter_app.domain.clock import now_vn
from counter_app.services import audit
from counter_app.services.accounts import require_role
from counter_app.services.context import CounterContext
from counter_app.store.db import write_transaction
from counter_app.store.models import CalendarYear, Setting

PERIODS_KEY = "working_periods"

_cache_lock = threading.Lock()
_cache: dict[str, WorkCalendar] = {}
# Bumped by every import: a reader that started before an import must not store the
# calendar it built from the old rows.
_generation = 0


def _invalidate() -> None:
    global _generation
    with _cache_lock:
        _generation += 1
        _cache.clear()


def _periods() -> tuple[tuple[time, time], ...]:
    row = Setting.get_or_none(Setting.key == PERIODS_KEY)
    if row is None:
        return DEFAULT_PERIODS
    pairs = json.loads(row.value)
    return validate_periods([(time.fromisoformat(a), time.fromisoformat(b)) for a, b in pairs])


def _year_of(row: CalendarYear) -> YearCalendar:
    return YearCalendar(
        year=row.year,
        days_off=frozenset(date.fromisoformat(d) for d in row.days_off),
        working_days=frozenset(date.fromisoformat(d) for d in row.working_days),
    )


def work_calendar(ctx: CounterContext) -> WorkCalendar:
    """The calendar deadlines are computed on; rebuilt only after an import."""
    key = str(ctx.paths.db)
    with _cache_lock:
        cached = _cache.get(key)
        generation = _generation
    if cached is not None:
        return cached
    calendar = WorkCalendar(
        years={row.year: _year_of(row) for row in CalendarYear.select()}, periods=_periods()
    )
    with _cache_lock:
        if generation == _generation:
            _cache[key] = calendar
    return calendar


def store_year(year: YearCalendar, source: str) -> None:
    """Replace whatever the year had; call inside a transaction."""
    data = year.to_json()
    CalendarYear.replace(
        year=year.year,
        days_off=data["days_off"],
        working_days=data["working_days"],
        source=source,
        imported_at=now_vn(),
    ).execute()


def import_calendar(ctx: CounterContext, data: Any, *, source: str = "import") -> YearCalendar:
    """A supervisor's action: the calendar decides every due date."""
    operator = require_role(ctx, "supervisor", "calendar.import", "nhập lịch nghỉ")
    year = parse_year_calendar(data)
    with write_transaction():
        store_year(year, source)
        audit.record(
            operator.username,
            "calendar.import",
            str(year.year),
            days_off=len(year.days_off),
            working_days=len(year.working_days),
        )
    _invalidate()
    return year


def list_years(ctx: CounterContext) -> list[dict[str, Any]]:
    return [
        {**_year_of(row).to_json(), "source": row.source}
        for row in CalendarYear.select().order_by(CalendarYear.year)
    ]


def reset_cache() -> None:
    """Forget cached calendars (another database was opened)."""
    _invalidate()
