"""Today's dossiers as a table model, loaded in the background and paged to the view.

The whole day's summaries arrive in one background read after every "changed"; the view
is handed them a page at a time through ``canFetchMore``/``fetchMore``, so a busy day
never builds thousands of rows of widgets at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from counter_app.domain.clock import now_vn, to_vn
from counter_app.services.dto import DossierSummary
from ui import ops
from ui.errors import show_error
from ui.session import Session

PAGE = 100
HEADERS = ("Mã hồ sơ", "Thủ tục", "Người nộp", "Nhận lúc", "Hẹn trả", "Trạng thái")
COL_CODE, COL_PROCEDURE, COL_APPLICANT, COL_RECEIVED, COL_DUE, COL_STATUS = range(6)

Index = QModelIndex | QPersistentModelIndex


def _time(moment: datetime) -> str:
    return to_vn(moment).strftime("%H:%M")


def _due(moment: datetime) -> str:
    return to_vn(moment).strftime("%H:%M %d/%m/%Y")


class TodayModel(QAbstractTableModel):
    loaded = Signal()  # after each refresh lands (tests and the count label use it)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._all: list[DossierSummary] = []
        self._shown = 0
        self._loading = False
        self._again = False
        self.day: date = now_vn().date()
        session.changed.connect(self.refresh)

    # --- loading ----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._all)

    def refresh(self) -> None:
        if self._loading:
            self._again = True  # one more read once this one lands, never two at once
            return
        self._loading = True
        ctx = self.session.ctx
        day = now_vn().date()
        self.session.op(
            None,
            lambda: ops.load_today(ctx, day),
            lambda rows: self._landed(day, rows),
            on_error=self._failed,
            writes=False,
        )

    def _landed(self, day: date, rows: list[DossierSummary]) -> None:
        self._loading = False
        self.beginResetModel()
        self.day = day
        self._all = rows
        self._shown = min(PAGE, len(rows))
        self.endResetModel()
        self.loaded.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self._loading = False
        self._again = False
        show_error(None, exc)

    def summary(self, row: int) -> DossierSummary | None:
        return self._all[row] if 0 <= row < self._shown else None

    # --- paging -----------------------------------------------------------------------------

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._all)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        extra = min(PAGE, len(self._all) - self._shown)
        if extra <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + extra - 1)
        self._shown += extra
        self.endInsertRows()

    # --- model ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.summary(index.row())
        if item is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.code,
                item.procedure_name,
                item.applicant_name,
                _time(item.received_at),
                _due(item.due_at),
                item.status_name,
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_PROCEDURE:
            return f"{item.procedure_code} — {item.procedure_name}"
        return None
