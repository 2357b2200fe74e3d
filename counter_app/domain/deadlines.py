"""The due moment ("hẹn trả") of a dossier (DOMAIN.md §5).

Every rule is applied to the effective receipt: a dossier received outside working time
counts as received at the next opening. A working period is half-open, [start, end): the
end moment itself (11:30:00, 17:00:00) is already closed, so every effective receipt lies
strictly before the closing time of its day. Vietnam has no daylight saving time, so wall
clock arithmetic in VN_TZ is exact.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum

from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.domain.timeunits import TimeUnit


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=VN_TZ)


def _closing(day: date, cal: WorkCalendar) -> datetime:
    return _at(day, cal.closing_time())


def effective_receipt(received_at: datetime, cal: WorkCalendar) -> datetime:
    """The moment the counting starts from: ``received_at`` if inside a working period of a
    working day, else the start of the next working period (this day or a later working day).
    """
    moment = to_vn(received_at)
    day = moment.date()
    if cal.is_working_day(day):
        clock = moment.time()
        for start, end in cal.periods:
            if clock < start:
                return _at(day, start)
            if clock < end:
                return moment
    return _at(cal.next_working_day(day), cal.opening_time())


def _walk_working_hours(start: datetime, hours: int, cal: WorkCalendar) -> datetime:
    """``start`` (inside a working period) plus ``hours`` of working time."""
    return _walk_working_time(start, timedelta(hours=hours), cal)


def _walk_working_time(start: datetime, amount: timedelta, cal: WorkCalendar) -> datetime:
    """``start`` (inside a working period) plus ``amount`` (> 0) of working time."""
    remaining = amount
    day = start.date()
    cursor = start.replace(tzinfo=None)  # naive wall time; no DST in Vietnam
    while True:
        for p_start, p_end in cal.periods:
            begin = max(cursor, datetime.combine(day, p_start))
            end = datetime.combine(day, p_end)
            if begin >= end:
                continue
            available = end - begin
            # "<=": landing exactly on a period end gives that end, not the next opening.
            if remaining <= available:
                return (begin + remaining).replace(tzinfo=VN_TZ)
            remaining -= available
        day = cal.next_working_day(day)
        cursor = datetime.combine(day, time.min)


def compute_due(
    received_at: datetime,
    time_value: int,
    unit: TimeUnit,
    cutoff: time | None,
    cal: WorkCalendar,
) -> datetime:
    """The due moment (aware, VN_TZ) of a dossier received at ``received_at``.

    ``time_value`` must be >= 1 except for same-day procedures, where it is ignored.
    ``cutoff`` only matters for same-day procedures (None: no cut-off). Raises ValueError.
    """
    unit = TimeUnit(unit)
    if unit is not TimeUnit.SAME_DAY and time_value < 1:
        raise ValueError(f"time_value must be >= 1 for {unit.value}, got {time_value}")
    r = effective_receipt(received_at, cal)
    day = r.date()

    if unit is TimeUnit.WORKING_DAYS:
        # Civil Code art. 147: a period in days starts the day after the event.
        for _ in range(time_value):
            day = cal.next_working_day(day)
        return _closing(day, cal)

    if unit is TimeUnit.SAME_DAY:
        # At or before the cut-off counts as that day.
        # Compared to the minute, as the receipt prints it: "15 giờ 00 phút" is on time even
        # when the clock said 15:00:40.
        received_minute = r.time().replace(second=0, microsecond=0)
        if cutoff is None or received_minute <= cutoff.replace(tzinfo=None):
            return _closing(day, cal)
        return _closing(cal.next_working_day(day), cal)

    if unit is TimeUnit.WORKING_HOURS:
        return _walk_working_hours(r, time_value, cal)

    # CALENDAR_DAYS: N-th day after the receipt day, pushed to a working day if needed.
    day += timedelta(days=time_value)
    if not cal.is_working_day(day):
        day = cal.next_working_day(day)
    return _closing(day, cal)


def describe_due(due: datetime) -> str:
    """Receipt wording: "17 giờ 00 phút, ngày 25 tháng 11 năm 2026"."""
    m = to_vn(due)
    return (
        f"{m.hour:02d} giờ {m.minute:02d} phút, ngày {m.day:02d} tháng {m.month:02d} năm {m.year}"
    )


def working_time_between(start: datetime, end: datetime, cal: WorkCalendar) -> timedelta:
    """The working time inside [start, end): what a paused dossier waited (DOMAIN.md §4)."""
    a = to_vn(start).replace(tzinfo=None)
    b = to_vn(end).replace(tzinfo=None)
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if cal.is_working_day(day):
            for p_start, p_end in cal.periods:
                begin = max(a, datetime.combine(day, p_start))
                finish = min(b, datetime.combine(day, p_end))
                if finish > begin:
                    total += finish - begin
        day += timedelta(days=1)
    return total


def add_working_time(moment: datetime, amount: timedelta, cal: WorkCalendar) -> datetime:
    """``moment`` moved on by ``amount`` of working time: a due date after a pause.

    A due date at closing time (17:00) moved by one working day lands on the next working
    day's closing time; nothing waited leaves the date as it was.
    """
    if amount <= timedelta(0):
        return moment
    return _walk_working_time(effective_receipt(moment, cal), amount, cal)


class Timeliness(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


TIMELINESS_NAMES: dict[str, str] = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}


def timeliness(done_at: datetime, due_at: datetime) -> Timeliness:
    """DOMAIN.md §5: on time = at or before the due moment; early = on an earlier day than
    the due day; late = after the due moment."""
    done, due = to_vn(done_at), to_vn(due_at)
    if done > due:
        return Timeliness.LATE
    if done.date() < due.date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME
