"""How a procedure's processing time is counted (DOMAIN.md §5)."""

from __future__ import annotations

from enum import StrEnum


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    SAME_DAY = "same_day"
    CALENDAR_DAYS = "calendar_days"

    def describe(self, value: int) -> str:
        """Vietnamese wording for the receipt, e.g. "03 ngày làm việc"."""
        if self is TimeUnit.SAME_DAY:
            return "Trong ngày"
        label = {
            TimeUnit.WORKING_DAYS: "ngày làm việc",
            TimeUnit.WORKING_HOURS: "giờ làm việc",
            TimeUnit.CALENDAR_DAYS: "ngày",
        }[self]
        return f"{value:02d} {label}"
