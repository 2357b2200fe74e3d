"""The overdue board: dossiers whose clock is running (statuses 2 and 4) that are overdue,
due today, or due within the next few working days, with who holds each.

Paused dossiers (5, 6, 8) are not on it: their due date moves when they resume. Counts and
pages come from the ``dossier (status, due_at)`` index, so the board stays quick on a large
database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from peewee import fn

from counter_app.domain.clock import VN_TZ, iso, now_vn, to_vn
from counter_app.domain.status import RUNNING, status_name
from counter_app.services.calendars import work_calendar
from counter_app.services.context import CounterContext
from counter_app.store.models import Dossier, Procedure

DEFAULT_WITHIN_DAYS = 2


class Category(StrEnum):
    OVERDUE = "overdue"
    TODAY = "today"
    SOON = "soon"


CATEGORY_NAMES = {
    Category.OVERDUE: "Quá hạn",
    Category.TODAY: "Đến hạn hôm nay",
    Category.SOON: "Sắp đến hạn",
}


@dataclass(frozen=True)
class BoardRow:
    code: str
    applicant_name: str
    procedure_name: str
    holder: str
    received_at: datetime
    due_at: datetime
    status: int
    category: Category

    @property
    def status_name(self) -> str:
        return status_name(self.status)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "applicant_name": self.applicant_name,
            "procedure_name": self.procedure_name,
            "holder": self.holder,
            "received_at": iso(self.received_at),
            "due_at": iso(self.due_at),
            "status": self.status,
            "category": self.category.value,
        }


@dataclass(frozen=True)
class BoardCounts:
    overdue: int
    today: int
    soon: int
    within_days: int


def _bounds(
    ctx: CounterContext, category: Category, now: datetime, within_days: int
) -> tuple[datetime | None, datetime]:
    """[low, high) of due_at for a category (low None: no lower bound)."""
    now = to_vn(now)
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=VN_TZ)
    if category is Category.OVERDUE:
        return None, now
    if category is Category.TODAY:
        return now, tomorrow
    cal = work_calendar(ctx)
    day = now.date()
    for _ in range(max(1, within_days)):
        day = cal.next_working_day(day)
    return tomorrow, datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN_TZ)


def _where(ctx: CounterContext, category: Category, now: datetime, within_days: int) -> Any:
    low, high = _bounds(ctx, category, now, within_days)
    condition = Dossier.status.in_(sorted(RUNNING)) & (Dossier.due_at < high)
    if low is not None:
        condition &= Dossier.due_at >= low
    return condition


def board_count(
    ctx: CounterContext,
    category: Category,
    *,
    now: datetime | None = None,
    within_days: int = DEFAULT_WITHIN_DAYS,
) -> int:
    moment = now or now_vn()
    return int(
        Dossier.select(fn.COUNT(Dossier.id))
        .where(_where(ctx, category, moment, within_days))
        .scalar()
    )


def board_counts(
    ctx: CounterContext, *, now: datetime | None = None, within_days: int = DEFAULT_WITHIN_DAYS
) -> BoardCounts:
    moment = now or now_vn()
    return BoardCounts(
        overdue=board_count(ctx, Category.OVERDUE, now=moment, within_days=within_days),
        today=board_count(ctx, Category.TODAY, now=moment, within_days=within_days),
        soon=board_count(ctx, Category.SOON, now=moment, within_days=within_days),
        within_days=within_days,
    )


def board_rows(
    ctx: CounterContext,
    category: Category,
    *,
    now: datetime | None = None,
    within_days: int = DEFAULT_WITHIN_DAYS,
    offset: int = 0,
    limit: int = 100,
) -> list[BoardRow]:
    """One page of a category, the most urgent (earliest due) first."""
    moment = now or now_vn()
    rows = (
        Dossier.select(
            Dossier.code,
            Dossier.applicant_name,
            Dossier.holder,
            Dossier.received_at,
            Dossier.due_at,
            Dossier.status,
            Procedure.name,
        )
        .join(Procedure)
        .where(_where(ctx, category, moment, within_days))
        .order_by(Dossier.due_at, Dossier.id)
        .offset(offset)
        .limit(limit)
    )
    return [
        BoardRow(
            code=row.code,
            applicant_name=row.applicant_name,
            procedure_name=row.procedure.name,
            holder=row.holder,
            received_at=row.received_at,
            due_at=row.due_at,
            status=row.status,
            category=category,
        )
        for row in rows
    ]
