"""WorkCalendar, YearCalendar import and the shipped yearly calendars (DOMAIN.md §5).

Expected values are worked out by hand from the official 2025/2026 holiday announcements
and a wall calendar, never from the code under test.
"""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import holidays
import pytest

from counter_app.domain.calendar import (
    DEFAULT_PERIODS,
    WorkCalendar,
    YearCalendar,
    load_year_calendar,
    parse_year_calendar,
    shipped_year_calendars,
    validate_periods,
)
from counter_app.errors import ValidationError
from counter_app.resources import resource_path

D = date.fromisoformat

# Only the `holidays` package and weekends; no announced calendar imported.
PLAIN = WorkCalendar()
# The calendars shipped in resources/calendars (2025: working Sat 26/4; 2026: off Fri 2/1,
# working Sat 10/1 and Sat 22/8).
SHIPPED = WorkCalendar(shipped_year_calendars())


# (day, working with package only, working with the shipped calendars, why)
WORKING_DAY_CASES = [
    ("2025-11-25", True, True, "ordinary Tuesday"),
    ("2025-11-29", False, False, "Saturday"),
    ("2025-11-30", False, False, "Sunday"),
    ("2025-01-01", False, False, "New Year's Day (Wed)"),
    ("2025-01-24", True, True, "Friday before Tết 2025"),
    ("2025-01-25", False, False, "Tết 2025 break starts (Sat)"),
    ("2025-01-27", False, False, "Tết 2025, Mon"),
    ("2025-01-29", False, False, "Mùng 1 Ất Tỵ"),
    ("2025-01-31", False, False, "Tết 2025, Fri"),
    ("2025-02-01", False, False, "Tết 2025, Sat"),
    ("2025-02-02", False, False, "Tết 2025 break ends (Sun)"),
    ("2025-02-03", True, True, "first working day after Tết 2025"),
    ("2025-04-07", False, False, "Giỗ Tổ Hùng Vương 2025 (Mon)"),
    ("2025-04-25", True, True, "Friday before 30/4"),
    ("2025-04-26", False, True, "Saturday swapped into a working day (shipped 2025)"),
    ("2025-04-28", True, True, "Monday between the swap and 30/4"),
    ("2025-04-30", False, False, "30/4"),
    ("2025-05-01", False, False, "1/5"),
    ("2025-05-02", False, False, "Friday off in exchange for 26/4 (already in the package)"),
    ("2025-05-05", True, True, "back after 30/4–1/5"),
    ("2025-08-29", True, True, "Friday before 2/9 2025"),
    ("2025-09-01", False, False, "Quốc khánh 2025, day 1 (Mon)"),
    ("2025-09-02", False, False, "Quốc khánh 2025 (Tue)"),
    ("2025-09-03", True, True, "back after 2/9 2025"),
    ("2026-01-01", False, False, "New Year's Day 2026 (Thu)"),
    ("2026-01-02", True, False, "Friday off for New Year 2026 (shipped 2026 only)"),
    ("2026-01-05", True, True, "Monday after New Year 2026"),
    ("2026-01-10", False, True, "Saturday worked in exchange for 2/1 (shipped 2026)"),
    ("2026-02-13", True, True, "Friday before Tết 2026"),
    ("2026-02-14", False, False, "Tết 2026 break starts (Sat)"),
    ("2026-02-16", False, False, "Giao thừa Bính Ngọ (Mon)"),
    ("2026-02-17", False, False, "Mùng 1 Bính Ngọ"),
    ("2026-02-20", False, False, "Tết 2026, Fri"),
    ("2026-02-22", False, False, "Tết 2026 break ends (Sun)"),
    ("2026-02-23", True, True, "first working day after Tết 2026"),
    ("2026-04-27", False, False, "Giỗ Tổ 2026 falls on Sun 26/4, observed Mon 27/4"),
    ("2026-04-30", False, False, "30/4 2026 (Thu)"),
    ("2026-05-01", False, False, "1/5 2026 (Fri)"),
    ("2026-05-04", True, True, "back after 30/4–1/5 2026"),
    ("2026-08-22", False, True, "Saturday swapped for Mon 31/8 (shipped 2026)"),
    ("2026-08-31", False, False, "Monday off for 2/9 2026 (in the package)"),
    ("2026-09-01", False, False, "Quốc khánh 2026 (Tue)"),
    ("2026-09-02", False, False, "Quốc khánh 2026 (Wed)"),
    ("2026-09-03", True, True, "back after 2/9 2026"),
    ("2026-11-24", False, False, "Ngày Văn hóa Việt Nam, from 2026 (Tue)"),
]


@pytest.mark.parametrize(("day", "plain", "shipped", "why"), WORKING_DAY_CASES)
def test_is_working_day(day: str, plain: bool, shipped: bool, why: str) -> None:
    assert PLAIN.is_working_day(D(day)) is plain, why
    assert SHIPPED.is_working_day(D(day)) is shipped, why


# (day, next working day with the package only, with the shipped calendars)
NEXT_WORKING_DAY_CASES = [
    ("2025-11-25", "2025-11-26", "2025-11-26"),  # Tue -> Wed
    ("2025-11-28", "2025-12-01", "2025-12-01"),  # Fri -> Mon
    ("2025-11-29", "2025-12-01", "2025-12-01"),  # from a Saturday
    ("2025-01-24", "2025-02-03", "2025-02-03"),  # over Tết 2025 (25/1–2/2)
    ("2025-04-25", "2025-04-28", "2025-04-26"),  # swapped Saturday only when shipped
    ("2025-04-29", "2025-05-05", "2025-05-05"),  # over 30/4, 1/5, 2/5 and the weekend
    ("2025-12-31", "2026-01-02", "2026-01-05"),  # 2/1/2026 off only when shipped
    ("2026-02-13", "2026-02-23", "2026-02-23"),  # over Tết 2026 (14/2–22/2)
    ("2026-04-24", "2026-04-28", "2026-04-28"),  # over Giỗ Tổ observed on Mon 27/4
    ("2026-08-28", "2026-09-03", "2026-09-03"),  # over 29/8–2/9 2026
]


@pytest.mark.parametrize(("day", "plain", "shipped"), NEXT_WORKING_DAY_CASES)
def test_next_working_day(day: str, plain: str, shipped: str) -> None:
    assert PLAIN.next_working_day(D(day)) == D(plain)
    assert SHIPPED.next_working_day(D(day)) == D(shipped)


def test_days_off_2025_is_the_package_plus_announcements() -> None:
    # The days off of 2025 for public servants (weekdays, plus Sat 1/2 which is a Tết day).
    expected = {
        D("2025-01-01"),
        *(D(f"2025-01-{d}") for d in (27, 28, 29, 30, 31)),
        D("2025-02-01"),
        D("2025-04-07"),
        D("2025-04-30"),
        D("2025-05-01"),
        D("2025-05-02"),
        D("2025-09-01"),
        D("2025-09-02"),
    }
    assert PLAIN.days_off(2025) == expected
    assert SHIPPED.days_off(2025) == expected  # 2025 ships no extra day off


def test_days_off_adds_listed_days_and_removes_declared_working_days() -> None:
    cal = WorkCalendar(
        {2026: YearCalendar(2026, frozenset({D("2026-01-02")}), frozenset({D("2026-11-24")}))}
    )
    assert D("2026-01-02") in cal.days_off(2026)
    assert D("2026-11-24") not in cal.days_off(2026)  # a package holiday declared worked
    assert cal.is_working_day(D("2026-11-24"))
    assert D("2026-01-01") in cal.days_off(2026)  # the package's days stay


def test_importing_a_year_replaces_what_the_year_had() -> None:
    off = YearCalendar(2026, frozenset({D("2026-03-02")}), frozenset())
    before = WorkCalendar({2026: off})
    assert not before.is_working_day(D("2026-03-02"))  # a Monday, listed as day off

    after = before.with_year(YearCalendar(2026, frozenset(), frozenset()))
    assert after.is_working_day(D("2026-03-02"))  # the new 2026 calendar does not list it
    assert not before.is_working_day(D("2026-03-02"))  # the old calendar object is unchanged
    assert WorkCalendar({2026: YearCalendar(2026, frozenset(), frozenset())}).is_working_day(
        D("2026-03-02")
    )


def test_replacing_the_shipped_year_drops_its_swaps_but_keeps_other_years() -> None:
    replaced = SHIPPED.with_year(parse_year_calendar({"year": 2026}))
    assert replaced.is_working_day(D("2026-01-02"))  # Friday is back to normal
    assert not replaced.is_working_day(D("2026-01-10"))  # Saturday is a weekend day again
    assert not replaced.is_working_day(D("2026-08-22"))
    assert not replaced.is_working_day(D("2026-01-01"))  # the package's holiday stays
    assert replaced.is_working_day(D("2025-04-26"))  # 2025 untouched


def test_year_calendar_filed_under_the_wrong_year_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkCalendar({2025: YearCalendar(2026, frozenset(), frozenset())})


def test_year_calendar_refuses_inconsistent_values() -> None:
    with pytest.raises(ValueError):
        YearCalendar(2026, frozenset({D("2025-12-31")}), frozenset())
    with pytest.raises(ValueError):
        YearCalendar(2026, frozenset({D("2026-01-10")}), frozenset({D("2026-01-10")}))


def test_weekend_is_configurable() -> None:
    sunday_only = WorkCalendar(weekend=frozenset({6}))
    assert sunday_only.is_working_day(D("2025-11-29"))  # Saturday
    assert not sunday_only.is_working_day(D("2025-11-30"))  # Sunday
    assert not sunday_only.is_working_day(D("2025-02-01"))  # Saturday, but a Tết day


@pytest.mark.parametrize("weekend", [frozenset({7}), frozenset({-1}), frozenset(range(7))])
def test_bad_weekend_is_refused(weekend: frozenset[int]) -> None:
    with pytest.raises(ValidationError) as err:
        WorkCalendar(weekend=weekend)
    assert "weekend" in err.value.fields


def test_opening_and_closing_time() -> None:
    assert PLAIN.opening_time() == time(7, 0)
    assert PLAIN.closing_time() == time(17, 0)
    custom = WorkCalendar(periods=[(time(13, 0), time(17, 30)), (time(8, 0), time(12, 0))])
    assert custom.opening_time() == time(8, 0)
    assert custom.closing_time() == time(17, 30)
    assert custom.periods == ((time(8, 0), time(12, 0)), (time(13, 0), time(17, 30)))


# --- parse_year_calendar -------------------------------------------------------------------


def test_parse_year_calendar_accepts_the_import_format() -> None:
    cal = parse_year_calendar(
        {
            "year": 2026,
            "source": "ignored",
            "days_off": ["2026-01-02"],
            "working_days": ["2026-08-22", "2026-01-10", "2026-01-10"],
        }
    )
    assert cal == YearCalendar(
        2026, frozenset({D("2026-01-02")}), frozenset({D("2026-01-10"), D("2026-08-22")})
    )
    assert cal.to_json() == {
        "year": 2026,
        "days_off": ["2026-01-02"],
        "working_days": ["2026-01-10", "2026-08-22"],  # sorted, duplicates gone
    }
    assert parse_year_calendar(cal.to_json()) == cal


@pytest.mark.parametrize(
    "data", [{"year": 2025}, {"year": 2025, "days_off": [], "working_days": None}]
)
def test_parse_year_calendar_lists_are_optional(data: dict[str, object]) -> None:
    assert parse_year_calendar(data) == YearCalendar(2025, frozenset(), frozenset())


# (input, field, expected message or a part of it)
PARSE_ERROR_CASES: list[tuple[object, str, str]] = [
    ("2026", "calendar", "Lịch năm không hợp lệ"),
    ([{"year": 2026}], "calendar", "Lịch năm không hợp lệ"),
    (None, "calendar", "Lịch năm không hợp lệ"),
    ({}, "year", "Năm của lịch phải là một số nguyên (ví dụ 2026)."),
    ({"year": "2026"}, "year", "Năm của lịch phải là một số nguyên"),
    ({"year": True}, "year", "Năm của lịch phải là một số nguyên"),
    ({"year": 2026.0}, "year", "Năm của lịch phải là một số nguyên"),
    ({"year": 1999}, "year", "Năm 1999 nằm ngoài khoảng 2000–2100."),
    ({"year": 2101}, "year", "Năm 2101 nằm ngoài khoảng 2000–2100."),
    (
        {"year": 2026, "days_off": ["2026-13-01"]},
        "days_off",
        "Ngày nghỉ '2026-13-01' không hợp lệ (định dạng YYYY-MM-DD).",
    ),
    ({"year": 2026, "days_off": ["2026-02-30"]}, "days_off", "Ngày nghỉ '2026-02-30' không"),
    ({"year": 2026, "days_off": ["2026-2-16"]}, "days_off", "(định dạng YYYY-MM-DD)"),
    ({"year": 2026, "days_off": ["20260216"]}, "days_off", "(định dạng YYYY-MM-DD)"),
    ({"year": 2026, "days_off": [" 2026-02-16"]}, "days_off", "(định dạng YYYY-MM-DD)"),
    ({"year": 2026, "days_off": [20260216]}, "days_off", "Ngày nghỉ '20260216' không hợp lệ"),
    ({"year": 2026, "days_off": "2026-02-16"}, "days_off", "phải là một danh sách"),
    (
        {"year": 2026, "days_off": ["2025-12-31"]},
        "days_off",
        "Ngày nghỉ '2025-12-31' không thuộc năm 2026.",
    ),
    (
        {"year": 2026, "working_days": ["2025-04-26"]},
        "working_days",
        "Ngày làm việc bù '2025-04-26' không thuộc năm 2026.",
    ),
    (
        {"year": 2026, "working_days": ["2026/08/22"]},
        "working_days",
        "Ngày làm việc bù '2026/08/22' không hợp lệ (định dạng YYYY-MM-DD).",
    ),
    (
        {"year": 2026, "days_off": ["2026-01-10"], "working_days": ["2026-01-10"]},
        "working_days",
        "Ngày '2026-01-10' không thể vừa là ngày nghỉ vừa là ngày làm việc bù.",
    ),
]


@pytest.mark.parametrize(("data", "field", "message"), PARSE_ERROR_CASES)
def test_parse_year_calendar_errors_name_the_field(data: object, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_year_calendar(data)
    assert field in err.value.fields
    assert message in err.value.fields[field]


def test_parse_year_calendar_reports_every_bad_field() -> None:
    with pytest.raises(ValidationError) as err:
        parse_year_calendar({"year": 1999, "days_off": ["x"], "working_days": ["2026-02-30"]})
    assert set(err.value.fields) == {"year", "days_off", "working_days"}


def test_load_year_calendar_refuses_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "2026.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        load_year_calendar(path)
    assert "calendar" in err.value.fields
    assert "2026.json" in err.value.fields["calendar"]


# --- validate_periods ----------------------------------------------------------------------


def test_validate_periods_sorts_and_accepts_touching_periods() -> None:
    assert validate_periods(DEFAULT_PERIODS) == DEFAULT_PERIODS
    assert validate_periods([(time(13, 30), time(17, 0)), (time(7, 0), time(11, 30))]) == (
        DEFAULT_PERIODS
    )
    touching = [(time(7, 0), time(11, 30)), (time(11, 30), time(16, 0))]
    assert validate_periods(touching) == tuple(touching)


BAD_PERIODS: list[tuple[list[object], str]] = [
    ([], "Cần ít nhất một ca làm việc"),
    ([(time(11, 30), time(7, 0))], "giờ bắt đầu phải trước giờ kết thúc"),
    ([(time(8, 0), time(8, 0))], "giờ bắt đầu phải trước giờ kết thúc"),
    (
        [(time(7, 0), time(12, 0)), (time(11, 30), time(17, 0))],
        "Ca làm việc 07:00–12:00 và 11:30–17:00 chồng lên nhau.",
    ),
    ([(time(7, 0),)], "phải gồm giờ bắt đầu và giờ kết thúc"),
    ([("07:00", "11:30")], "phải gồm giờ bắt đầu và giờ kết thúc"),
]


@pytest.mark.parametrize(("periods", "message"), BAD_PERIODS)
def test_validate_periods_refuses(periods: list[object], message: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_periods(periods)  # type: ignore[arg-type]
    assert message in err.value.fields["working_periods"]


def test_work_calendar_refuses_bad_periods() -> None:
    with pytest.raises(ValidationError) as err:
        WorkCalendar(periods=[])
    assert "working_periods" in err.value.fields


# --- shipped calendars ---------------------------------------------------------------------


def test_shipped_calendars_cover_2025_and_2026() -> None:
    shipped = shipped_year_calendars()
    assert shipped[2025] == YearCalendar(2025, frozenset(), frozenset({D("2025-04-26")}))
    assert shipped[2026] == YearCalendar(
        2026, frozenset({D("2026-01-02")}), frozenset({D("2026-01-10"), D("2026-08-22")})
    )


@pytest.mark.parametrize("path", sorted(resource_path("calendars").glob("*.json")), ids=str)
def test_shipped_file_is_well_formed(path: Path) -> None:
    raw = json.loads(path.read_text(encoding="utf-8"))
    cal = parse_year_calendar(raw)
    assert path.stem == str(cal.year)
    assert isinstance(raw.get("source"), str) and raw["source"].strip()
    package = holidays.country_holidays("VN", years=cal.year)
    # Only what the package lacks is listed: extra days off are ordinary weekdays, and
    # declared working days are weekend days.
    for day in cal.days_off:
        assert day not in package and day.weekday() < 5, day
    for day in cal.working_days:
        assert day not in package and day.weekday() >= 5, day


@pytest.mark.parametrize(
    ("substitute", "saturday"), [("2025-05-02", "04/26/2025"), ("2026-08-31", "08/22/2026")]
)
def test_swapped_saturdays_match_the_package(substitute: str, saturday: str) -> None:
    """The package names the day off after the Saturday that is worked in exchange."""
    day = D(substitute)
    names = holidays.country_holidays("VN", years=day.year, language="en_US")
    assert names.get(day) == f"Day off (substituted from {saturday})"
    month, dom, year = (int(x) for x in saturday.split("/"))
    assert date(year, month, dom) in shipped_year_calendars()[year].working_days
