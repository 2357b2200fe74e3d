"""One section of the overdue board as a lazily paged table, coloured by urgency.

Every read of a section (its count and its pages) uses the same ``BoardQuery``: the moment
"now" and the number of working days ahead, both frozen when the board refreshes, so the
count in the label, the rows and the "overdue by" column agree with each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QBrush, QColor

from counter_app.domain.clock import now_vn, to_vn
from counter_app.services.board import (
    DEFAULT_WITHIN_DAYS,
    BoardRow,
    Category,
    board_count,
    board_rows,
)
from ui.paged_model import Column, Index, PagedTableModel
from ui.session import Session

# Light backgrounds with the text kept near-black: readable on any screen and printout.
BACKGROUNDS = {
    Category.OVERDUE: QColor("#f8d0cd"),  # red-ish
    Category.TODAY: QColor("#ffdf9e"),  # amber
    Category.SOON: QColor("#fff5c2"),  # light yellow
}
TEXT_COLOUR = QColor("#1b1b1b")

HEADERS = (
    "Mã hồ sơ",
    "Người nộp",
    "Thủ tục",
    "Đang ở",
    "Nhận lúc",
    "Hẹn trả",
    "Trạng thái",
)
COL_CODE, COL_APPLICANT, COL_PROCEDURE, COL_HOLDER, COL_RECEIVED, COL_DUE, COL_STATUS = range(7)
COL_LATE = 7  # only in the overdue section
LATE_HEADER = "Quá hạn"


@dataclass(frozen=True)
class BoardQuery:
    now: datetime
    within_days: int = DEFAULT_WITHIN_DAYS


def moment(value: datetime) -> str:
    return to_vn(value).strftime("%H:%M %d/%m/%Y")


def received_moment(value: datetime, now: datetime) -> str:
    """Short: "08:00 13/11" this year, "13/11/2025" for an older one (the tooltip has all)."""
    local = to_vn(value)
    if local.year == to_vn(now).year:
        return local.strftime("%H:%M %d/%m")
    return local.strftime("%d/%m/%Y")


def overdue_by(now: datetime, due: datetime) -> str:
    """How long past the due moment, the way a clerk says it: "2 ngày", "3 giờ", "15 phút"."""
    seconds = int((to_vn(now) - to_vn(due)).total_seconds())
    if seconds <= 0:
        return ""
    days, rest = divmod(seconds, 86_400)
    if days:
        return f"{days} ngày"
    hours = rest // 3600
    if hours:
        return f"{hours} giờ"
    return f"{max(1, rest // 60)} phút"


class BoardModel(PagedTableModel[BoardRow]):
    """The rows of one category, earliest due first, read a page at a time on a worker."""

    def __init__(
        self,
        session: Session,
        category: Category,
        query: BoardQuery | None = None,
        parent: QObject | None = None,
    ) -> None:
        # The reads run on a worker and look the query up when they run: a holder the GUI
        # thread swaps whole (a frozen object), never mutates.
        holder = [query or BoardQuery(now_vn())]
        ctx = session.ctx

        def fetch(offset: int, limit: int) -> Sequence[BoardRow]:
            q = holder[0]
            return board_rows(
                ctx, category, now=q.now, within_days=q.within_days, offset=offset, limit=limit
            )

        def count() -> int:
            q = holder[0]
            return board_count(ctx, category, now=q.now, within_days=q.within_days)

        columns: list[Column] = [
            (HEADERS[COL_CODE], lambda r: r.code),
            (HEADERS[COL_APPLICANT], lambda r: r.applicant_name),
            (HEADERS[COL_PROCEDURE], lambda r: r.procedure_name),
            (HEADERS[COL_HOLDER], lambda r: r.holder),
            (HEADERS[COL_RECEIVED], lambda r: received_moment(r.received_at, holder[0].now)),
            (HEADERS[COL_DUE], lambda r: moment(r.due_at)),
            (HEADERS[COL_STATUS], lambda r: r.status_name),
        ]
        if category is Category.OVERDUE:
            columns.append((LATE_HEADER, lambda r: overdue_by(holder[0].now, r.due_at)))
        super().__init__(columns, fetch, count, runner=session.runner.run, parent=parent)
        self._holder = holder
        self.category = category

    @property
    def query(self) -> BoardQuery:
        return self._holder[0]

    def set_query(self, query: BoardQuery) -> None:
        """Read again for a new moment / number of days (the old pages are dropped)."""
        self._holder[0] = query
        self.refresh()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(BACKGROUNDS[self.category]) if index.isValid() else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(TEXT_COLOUR) if index.isValid() else None
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            item = self.item(index.row())
            if item is None:
                return None
            if index.column() in (COL_PROCEDURE, COL_APPLICANT, COL_HOLDER):
                return super().data(index, Qt.ItemDataRole.DisplayRole)
            if index.column() == COL_RECEIVED:
                return f"Nhận lúc {moment(item.received_at)}"
            if index.column() in (COL_DUE, COL_LATE) and self.category is Category.OVERDUE:
                late = overdue_by(self.query.now, item.due_at)
                return f"Hẹn trả {moment(item.due_at)}, đã quá hạn {late}"
            return None
        return super().data(index, role)
