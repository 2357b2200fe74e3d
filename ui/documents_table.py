"""The checklist of documents handed over (Thành phần hồ sơ), from the chosen procedure.

One tab stop: Up/Down move between documents, Space ticks or unticks the row, typing a
digit (or F2) edits the count. Every document starts ticked, as the service's default.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.catalogue import KIND_LABELS
from counter_app.services.dto import DocumentLine
from ui.widgets import ErrorLabel

COL_NAME, COL_KIND, COL_COUNT = range(3)
MAX_COUNT = 999


class DocumentsTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[DocumentLine, ...] = ()
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Giấy tờ (Space: đánh dấu)", "Loại", "Số lượng"])
        self.table.setAccessibleName("Thành phần hồ sơ")
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table for the next field
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_COUNT, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.installEventFilter(self)
        self.table.itemChanged.connect(self._on_item_changed)
        self.error = ErrorLabel()
        empty = QLabel("Chọn thủ tục để hiện danh sách giấy tờ phải nộp.")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setWordWrap(True)
        empty.setStyleSheet("color: #5f6368; border: 1px dashed #b0b0b0; border-radius: 4px;")
        self._pages = QStackedWidget()
        self._pages.addWidget(empty)
        self._pages.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._pages, 1)
        layout.addWidget(self.error)
        self.setFocusProxy(self.table)

    def set_documents(self, lines: tuple[DocumentLine, ...]) -> None:
        self._lines = lines
        self.table.blockSignals(True)
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            name = QTableWidgetItem(f"{row + 1}. {line.name}")
            name.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            name.setCheckState(Qt.CheckState.Checked)
            kind = QTableWidgetItem(KIND_LABELS.get(line.kind, line.kind))
            kind.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            count = QTableWidgetItem()
            # An int in EditRole gets a spin box editor from the default delegate.
            count.setData(Qt.ItemDataRole.EditRole, line.count)
            count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            count.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsEditable
            )
            self.table.setItem(row, COL_NAME, name)
            self.table.setItem(row, COL_KIND, kind)
            self.table.setItem(row, COL_COUNT, count)
        self.table.blockSignals(False)
        self._pages.setCurrentIndex(1 if lines else 0)
        if lines:
            self.table.setCurrentCell(0, COL_NAME)
        self.error.set_error(None)

    def clear(self) -> None:
        self.set_documents(())

    def is_checked(self, row: int) -> bool:
        item = self.table.item(row, COL_NAME)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def toggle(self, row: int) -> None:
        item = self.table.item(row, COL_NAME)
        if item is not None:
            checked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def checked_lines(self) -> tuple[DocumentLine, ...]:
        """What the applicant handed over: ticked documents with the counts as edited."""
        chosen = []
        for row, line in enumerate(self._lines):
            if not self.is_checked(row):
                continue
            count_item = self.table.item(row, COL_COUNT)
            raw = count_item.data(Qt.ItemDataRole.EditRole) if count_item else line.count
            count = int(raw) if isinstance(raw, int) else line.count
            chosen.append(DocumentLine(line.name, line.kind, count))
        return tuple(chosen)

    def set_error(self, message: str | None) -> None:
        self.error.set_error(message)

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == COL_COUNT:
            value = item.data(Qt.ItemDataRole.EditRole)
            if not isinstance(value, int) or not 1 <= value <= MAX_COUNT:
                fixed = min(max(int(value) if isinstance(value, int) else 1, 1), MAX_COUNT)
                item.setData(Qt.ItemDataRole.EditRole, fixed)
        elif item.column() == COL_NAME and self.checked_lines():
            self.error.set_error(None)  # the "nothing ticked" refusal is fixed

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Space ticks the row whatever column the cursor is in (the delegate would only
        # toggle when the cursor sits on the check box column).
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Space
            and self.table.state() != QAbstractItemView.State.EditingState
        ):
            row = self.table.currentRow()
            if row >= 0:
                self.toggle(row)
            return True
        return super().eventFilter(watched, event)
