"""The report's group rows (per field, procedure or clerk) as a table model.

A report has at most a few hundred groups (the procedures of a catalogue), so the model
holds them all; the total row comes last, in bold.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from counter_app.services.reports import FigureRow, vn_count, vn_percent

Index = QModelIndex | QPersistentModelIndex


def _with_rate(count: int, rate: float | None) -> str:
    return vn_count(count) if rate is None else f"{vn_count(count)} ({vn_percent(rate)})"


# (header, text of a row) for the figure columns every grouping shares.
FIGURE_COLUMNS: tuple[tuple[str, Callable[[FigureRow], str]], ...] = (
    ("Tiếp nhận", lambda r: vn_count(r.received)),
    ("Đã giải quyết", lambda r: vn_count(r.resolved)),
    ("Đã trả", lambda r: vn_count(r.returned)),
    ("Trước hạn", lambda r: _with_rate(r.early, r.early_rate)),
    ("Đúng hạn", lambda r: _with_rate(r.on_time, r.on_time_rate)),
    ("Quá hạn", lambda r: _with_rate(r.late, r.late_rate)),
    ("Tỷ lệ đúng hạn", lambda r: vn_percent(r.timely_rate)),
    ("Đang giải quyết", lambda r: vn_count(r.pending)),
    ("Quá hạn chưa trả", lambda r: vn_count(r.overdue)),
    ("Rất hài lòng", lambda r: _with_rate(r.very_satisfied, r.very_satisfied_pct)),
    ("Hài lòng", lambda r: _with_rate(r.satisfied, r.satisfied_pct)),
    ("Không hài lòng", lambda r: _with_rate(r.dissatisfied, r.dissatisfied_pct)),
    ("Không đánh giá", lambda r: vn_count(r.unrated)),
    ("Phản ánh, kiến nghị", lambda r: vn_count(r.complaints)),
)


class FigureTableModel(QAbstractTableModel):
    """Rows of one grouping; ``lead`` are the naming columns (e.g. code and name)."""

    def __init__(
        self,
        lead: Sequence[tuple[str, Callable[[FigureRow], str]]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = (*lead, *FIGURE_COLUMNS)
        self.lead_count = len(lead)
        self._rows: list[FigureRow] = []
        self._total: FigureRow | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[FigureRow], total: FigureRow | None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._total = total
        self.endResetModel()

    def row_data(self, row: int) -> FigureRow | None:
        if 0 <= row < len(self._rows):
            return self._rows[row]
        if row == len(self._rows) and self._total is not None:
            return self._total
        return None

    def is_total(self, row: int) -> bool:
        return self._total is not None and row == len(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._rows) + (1 if self._total is not None else 0)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.row_data(index.row())
        if item is None:
            return None
        column = index.column()
        total = self.is_total(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            if total and column < self.lead_count:
                return item.label if column == self.lead_count - 1 else ""
            return self._columns[column][1](item)
        if role == Qt.ItemDataRole.ToolTipRole and column < self.lead_count and not total:
            return item.label
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= self.lead_count:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and total:
            return self._bold
        return None


def procedure_model(parent: QObject | None = None) -> FigureTableModel:
    return FigureTableModel(
        (("Mã thủ tục", lambda r: r.key), ("Tên thủ tục", lambda r: r.label)), parent
    )


def field_model(parent: QObject | None = None) -> FigureTableModel:
    return FigureTableModel((("Lĩnh vực", lambda r: r.label),), parent)


def clerk_model(parent: QObject | None = None) -> FigureTableModel:
    return FigureTableModel((("Cán bộ tiếp nhận", lambda r: r.label),), parent)
