"""The working calendar: which days the counter works and its working periods (DOMAIN.md §5).

A day is a working day iff the government declared it one (a swapped Saturday), or it is not
a weekend day, not a Vietnamese public holiday of the ``holidays`` package and not an extra
day off announced for that year. The yearly announcements are data (``YearCalendar``),
imported from a file; one per year, and importing a year replaces what that year had.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from counter_app.errors import ValidationError
from counter_app.resources import resource_path

DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(7, 0), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
DEFAULT_WEEKEND: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday

MIN_YEAR = 2000
MAX_YEAR = 2100

# date.fromisoformat() also takes "20260101" and "2026-W01-1"; the file format is strict.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FIELD_LABELS = {"days_off": "Ngày nghỉ", "working_days": "Ngày làm việc bù"}
# No real calendar goes this long without a working day; past it the setup is broken.
_MAX_SEARCH_DAYS = 3 * 366


@dataclass(frozen=True)
class YearCalendar:
    """What the government announced for one year, on top of the package's public holidays."""

    year: int
    days_off: frozenset[date]  # extra days off (e.g. the Friday given for a swapped Saturday)
    working_days: frozenset[date]  # days declared working days (e.g. swapped Saturdays)

    def __post_init__(self) -> None:
        # Accept any iterable of dates from callers; store frozensets so the value is hashable.
        object.__setattr__(self, "days_off", frozenset(self.days_off))
        object.__setattr__(self, "working_days", frozenset(self.working_days))
        stray = sorted(d for d in self.days_off | self.working_days if d.year != self.year)
        if stray:
            raise ValueError(f"YearCalendar {self.year} holds dates of another year: {stray}")
        both = sorted(self.days_off & self.working_days)
        if both:
            raise ValueError(f"YearCalendar {self.year}: dates both off and working: {both}")

    def to_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "days_off": [d.isoformat() for d in sorted(self.days_off)],
            "working_days": [d.isoformat() for d in sorted(self.working_days)],
        }


def _parse_day_list(
    data: Mapping[str, object], field: str, year: int | None
) -> tuple[frozenset[date], str | None]:
    """The dates listed under ``field`` and the first problem found (Vietnamese), if any."""
    label = _FIELD_LABELS[field]
    raw = data.get(field, [])
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        return frozenset(), f"Mục '{field}' phải là một danh sách ngày dạng YYYY-MM-DD."
    days: set[date] = set()
    for item in raw:
        if not isinstance(item, str) or not _ISO_DAY.fullmatch(item):
            return frozenset(), f"{label} '{item}' không hợp lệ (định dạng YYYY-MM-DD)."
        try:
            day = date.fromisoformat(item)
        except ValueError:
            return frozenset(), f"{label} '{item}' không hợp lệ (định dạng YYYY-MM-DD)."
        if year is not None and day.year != year:
            return frozenset(), f"{label} '{item}' không thuộc năm {year}."
        days.add(day)
    return frozenset(days), None


def parse_year_calendar(data: object) -> YearCalendar:
    """Validate one year's calendar in the import format.

    ``{"year": 2026, "days_off": ["YYYY-MM-DD", ...], "working_days": [...]}``; both lists are
    optional and other keys (such as "source") are ignored. Raises ``ValidationError`` naming
    every refused field.
    """
    if not isinstance(data, Mapping):
        raise ValidationError.single(
            "calendar",
            "Lịch năm không hợp lệ: cần một đối tượng gồm 'year', 'days_off', 'working_days'.",
        )
    errors: dict[str, str] = {}
    year_raw = data.get("year")
    year: int | None = None
    # bool is an int in Python; "year": true is a mistake, not 1.
    if not isinstance(year_raw, int) or isinstance(year_raw, bool):
        errors["year"] = "Năm của lịch phải là một số nguyên (ví dụ 2026)."
    elif not MIN_YEAR <= year_raw <= MAX_YEAR:
        errors["year"] = f"Năm {year_raw} nằm ngoài khoảng {MIN_YEAR}–{MAX_YEAR}."
    else:
        year = year_raw

    days_off, problem = _parse_day_list(data, "days_off", year)
    if problem:
        errors["days_off"] = problem
    working_days, problem = _parse_day_list(data, "working_days", year)
    if problem:
        errors["working_days"] = problem
    both = sorted(days_off & working_days)
    if both and "working_days" not in errors:
        errors["working_days"] = (
            f"Ngày '{both[0].isoformat()}' không thể vừa là ngày nghỉ vừa là ngày làm việc bù."
        )
    if errors or year is None:
        raise ValidationError(errors)
    return YearCalendar(year=year, days_off=days_off, working_days=working_days)


def load_year_calendar(path: Path) -> YearCalendar:
    """Read and validate one calendar file (UTF-8 JSON in the import format)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError.single(
            "calendar", f"Không đọc được tệp lịch '{path.name}': {exc}"
        ) from exc
    return parse_year_calendar(data)


def shipped_year_calendars() -> dict[int, YearCalendar]:
    """The yearly calendars shipped in ``resources/calendars``, by year."""
    found: dict[int, YearCalendar] = {}
    for path in sorted(resource_path("calendars").glob("*.json")):
        cal = load_year_calendar(path)
        found[cal.year] = cal
    return found


def validate_periods(periods: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """The working periods of a day, sorted; each start < end, none overlapping, at least one.

    Periods may touch (11:30–13:30 after 07:00–11:30). Raises ``ValidationError`` on the field
    "working_periods".
    """
    field = "working_periods"
    pairs: list[tuple[time, time]] = []
    for item in periods:
        if (
            not isinstance(item, tuple | list)
            or len(item) != 2
            or not all(isinstance(t, time) for t in item)
        ):
            raise ValidationError.single(
                field, "Mỗi ca làm việc phải gồm giờ bắt đầu và giờ kết thúc."
            )
        start, end = item
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValidationError.single(field, "Giờ làm việc không được kèm múi giờ.")
        if not start < end:
            raise ValidationError.single(
                field,
                f"Ca làm việc {start:%H:%M}–{end:%H:%M}: giờ bắt đầu phải trước giờ kết thúc.",
            )
        pairs.append((start, end))
    if not pairs:
        raise ValidationError.single(field, "Cần ít nhất một ca làm việc trong ngày.")
    pairs.sort()
    for (s1, e1), (s2, e2) in pairwise(pairs):
        if s2 < e1:
            raise ValidationError.single(
                field,
                f"Ca làm việc {s1:%H:%M}–{e1:%H:%M} và {s2:%H:%M}–{e2:%H:%M} chồng lên nhau.",
            )
    return tuple(pairs)


@lru_cache(maxsize=64)
def _package_days_off(year: int) -> frozenset[date]:
    """The VN public holidays of the ``holidays`` package for one year (slow: ~ms, cached)."""
    import holidays  # ~30 ms to import: paid on the first due date, not at start-up

    return frozenset(d for d in holidays.country_holidays("VN", years=year) if d.year == year)


class WorkCalendar:
    """Working days and working periods of one installation."""

    def __init__(
        self,
        years: Mapping[int, YearCalendar] | None = None,
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        weekend: frozenset[int] = DEFAULT_WEEKEND,
    ) -> None:
        self._years: dict[int, YearCalendar] = dict(years or {})
        for key, cal in self._years.items():
            if key != cal.year:
                raise ValueError(f"year calendar for {cal.year} filed under {key}")
        self.periods: tuple[tuple[time, time], ...] = validate_periods(periods)
        weekend = frozenset(weekend)
        if not weekend <= set(range(7)) or len(weekend) == 7:
            raise ValidationError.single(
                "weekend", "Ngày nghỉ hằng tuần phải là các thứ trong tuần (0–6), không phải cả 7."
            )
        self.weekend: frozenset[int] = weekend
        # year -> (days off, declared working days); filled on first use of a year.
        self._cache: dict[int, tuple[frozenset[date], frozenset[date]]] = {}

    @property
    def years(self) -> dict[int, YearCalendar]:
        """The imported yearly calendars (a copy)."""
        return dict(self._years)

    def with_year(self, cal: YearCalendar) -> WorkCalendar:
        """A calendar where ``cal`` replaces whatever the year had before."""
        years = dict(self._years)
        years[cal.year] = cal
        return WorkCalendar(years, self.periods, self.weekend)

    def _year_sets(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        sets = self._cache.get(year)
        if sets is None:
            cal = self._years.get(year)
            if cal is None:
                sets = (_package_days_off(year), frozenset())
            else:
                off = (_package_days_off(year) | cal.days_off) - cal.working_days
                sets = (off, cal.working_days)
            self._cache[year] = sets
        return sets

    def days_off(self, year: int) -> frozenset[date]:
        """Public and announced days off of the year (weekend days not included unless listed)."""
        return self._year_sets(year)[0]

    def is_working_day(self, day: date) -> bool:
        off, declared = self._year_sets(day.year)
        if day in declared:
            return True
        return day.weekday() not in self.weekend and day not in off

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, _MAX_SEARCH_DAYS + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days after {day}")

    def opening_time(self) -> time:
        return self.periods[0][0]

    def closing_time(self) -> time:
        return self.periods[-1][1]
