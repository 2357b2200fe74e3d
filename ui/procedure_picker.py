"""Choosing the procedure: a search box that filters the catalogue as the clerk types.

Keys in the search box: Down/Up move through the results (focus stays in the box, like a
completer), Enter picks the highlighted result, or the first one when none is highlighted.
A barcode scanner that types a procedure code and Enter therefore picks it directly.
With nothing typed and nothing highlighted, Enter is left to the form (it saves).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.services.dto import ProcedureInfo
from ui.widgets import ErrorLabel

# Filtering waits for a pause in typing so a large catalogue never stalls keystrokes;
# Enter and the arrows flush a pending search first, so fast typists are never wrong.
SEARCH_DELAY_MS = 120
VISIBLE_ROWS = 8
COLUMNS = ("Thủ tục", "Thời hạn", "Mã")
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def describe_time(info: ProcedureInfo) -> str:
    """ "Trong ngày (nhận sau 15:00: trả ngày làm việc tiếp theo)" or "03 ngày làm việc"."""
    if info.cutoff:
        return f"{info.time_text} (nhận sau {info.cutoff} thì trả vào ngày làm việc tiếp theo)"
    return info.time_text


class ProcedurePicker(QWidget):
    picked = Signal(object)  # ProcedureInfo, or None when the choice is cleared

    def __init__(
        self, search: Callable[[str], list[ProcedureInfo]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._results: list[ProcedureInfo] = []
        self._chosen: ProcedureInfo | None = None

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Gõ tên hoặc mã thủ tục, ví dụ: dang ky khai sinh")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("Tìm thủ tục")
        self.results = QTreeWidget()
        self.results.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # the box drives it by keys
        self.results.setColumnCount(len(COLUMNS))
        self.results.setHeaderLabels(list(COLUMNS))
        self.results.setRootIsDecorated(False)
        self.results.setUniformRowHeights(True)
        self.results.setAlternatingRowColors(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.results.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.error = ErrorLabel()
        self.info = QLabel("Chưa chọn thủ tục.")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.info.setMinimumHeight(self.fontMetrics().lineSpacing() * 3)
        self.info.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.search_box)
        layout.addWidget(self.error)
        layout.addWidget(self.results)
        layout.addWidget(self.info)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._refresh)
        self.search_box.textChanged.connect(lambda _text: self._timer.start())
        self.search_box.installEventFilter(self)
        self.results.installEventFilter(self)
        self.results.itemClicked.connect(self._pick_item)
        self._refresh()
        self._fitted = False

    # --- state ------------------------------------------------------------------------------

    @property
    def chosen(self) -> ProcedureInfo | None:
        return self._chosen

    def set_error(self, message: str | None) -> None:
        self.error.set_error(message)

    def reset(self) -> None:
        """Back to the opening state: empty box, whole catalogue listed, nothing chosen."""
        self._timer.stop()
        self.search_box.clear()
        self._refresh()
        self._choose(None)
        self.error.set_error(None)

    # --- searching --------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # row metrics are only final once the style has polished us
            self._fitted = True
            self._fit_list_height()

    def _fit_list_height(self) -> None:
        # Whole rows only: a half-cut last row reads like a rendering fault.
        row = self.results.sizeHintForRow(0) if self.results.topLevelItemCount() else -1
        row = row if row > 0 else self.fontMetrics().height() + 6
        header = self.results.header().sizeHint().height()
        self.results.setFixedHeight(row * VISIBLE_ROWS + header + 2 * self.results.frameWidth())

    def _row(self) -> int:
        item = self.results.currentItem()
        return self.results.indexOfTopLevelItem(item) if item is not None else -1

    def _set_row(self, row: int) -> None:
        item = self.results.topLevelItem(row) if row >= 0 else None
        if item is None:
            self.results.setCurrentIndex(QModelIndex())
            self.results.clearSelection()
        else:
            self.results.setCurrentItem(item)
            self.results.scrollToItem(item)

    def flush(self) -> None:
        """Run a search the typing delay is still holding back."""
        if self._timer.isActive():
            self._timer.stop()
            self._refresh()

    def _refresh(self) -> None:
        self._results = self._search(self.search_box.text())
        self.results.clear()  # items and selection; the header stays
        for info in self._results:
            item = QTreeWidgetItem([info.name, info.time_text, info.code])
            tip = f"{info.code} — {info.name}\n{info.field} · {describe_time(info)}"
            for column in range(len(COLUMNS)):
                item.setToolTip(column, tip)
            self.results.addTopLevelItem(item)
        if not self._results and self.search_box.text().strip():
            empty = QTreeWidgetItem(["Không tìm thấy thủ tục phù hợp.", "", ""])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.results.addTopLevelItem(empty)
        self._set_row(-1)

    def _move(self, step: int) -> None:
        if not self._results:
            return
        row = self._row()
        row = 0 if row < 0 else max(0, min(len(self._results) - 1, row + step))
        self._set_row(row)

    def pick_current(self) -> bool:
        """Pick the highlighted result (or the first when typing); False if nothing to pick."""
        self.flush()
        if not self._results:
            return False
        row = self._row()
        if row < 0:
            if not self.search_box.text().strip():
                return False
            row = 0
        self._choose(self._results[row])
        return True

    def _pick_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        row = self.results.indexOfTopLevelItem(item)
        if 0 <= row < len(self._results):
            self._choose(self._results[row])

    def _choose(self, info: ProcedureInfo | None) -> None:
        self._chosen = info
        if info is None:
            self.info.setText("Chưa chọn thủ tục.")
        else:
            self.error.set_error(None)
            # Keep the chosen one highlighted, so Enter in the box again means the same one.
            codes = [result.code for result in self._results]
            if info.code in codes:
                self._set_row(codes.index(info.code))
            self.info.setText(
                f"<b>{_escape(info.name)}</b><br>"
                f"Mã thủ tục: {_escape(info.code)} · Lĩnh vực: {_escape(info.field)}<br>"
                f"Thời hạn giải quyết: <b>{_escape(describe_time(info))}</b>"
            )
        self.picked.emit(info)

    # --- keys -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.search_box:
                if key == Qt.Key.Key_Down:
                    self.flush()
                    self._move(1)
                    return True
                if key == Qt.Key.Key_Up:
                    self.flush()
                    self._move(-1)
                    return True
                if key in _ENTER:
                    return self.pick_current()  # not consumed: Enter reaches the form
            elif watched is self.results and key in _ENTER:
                self.pick_current()
                return True  # in the list, Enter always means "this one", never "save"
        return super().eventFilter(watched, event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
