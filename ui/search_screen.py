"""Finding any dossier: one box over code, name, ID number and phone, as you type.

Results are a lazily paged table (``PagedTableModel``): only the pages the view shows are
read, on a worker. Typing restarts the search after a short pause, so a fast typist does
not queue a search per letter. Enter or a double click opens the dossier.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from counter_app.domain.clock import to_vn
from counter_app.services.dto import DossierSummary
from ui.paged_model import ItemRole, PagedTableModel
from ui.session import Session
from ui.widgets import hint_label

TYPING_PAUSE_MS = 200

COLUMNS = [
    ("Mã hồ sơ", lambda s: s.code),
    ("Người nộp", lambda s: s.applicant_name),
    ("Thủ tục", lambda s: s.procedure_name),
    ("Nhận lúc", lambda s: f"{to_vn(s.received_at):%H:%M %d/%m/%Y}"),
    ("Hẹn trả", lambda s: f"{to_vn(s.due_at):%H:%M %d/%m/%Y}"),
    ("Trạng thái", lambda s: s.status_name),
]


class SearchScreen(QWidget):
    open_dossier = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.text = ""
        # Enter was pressed before the results came: open the dossier if it is the only one.
        self._open_single = False
        self.box = QLineEdit()
        self.box.setPlaceholderText(
            "Mã hồ sơ, họ tên, số CCCD hoặc số điện thoại (có dấu hay không)"
        )
        self.box.setClearButtonEnabled(True)
        self.summary = QLabel("Gõ để tìm; ↓ để xuống danh sách, Enter để mở hồ sơ.")
        self.model: PagedTableModel[DossierSummary] = PagedTableModel(
            COLUMNS, self._fetch, self._count, runner=session.runner.run, parent=self
        )
        self.model.loaded.connect(self._update_summary)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((230, 200, 330, 130, 130)):
            self.view.setColumnWidth(column, width)
        self.view.doubleClicked.connect(self._open)
        self.view.installEventFilter(self)
        self.box.installEventFilter(self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(TYPING_PAUSE_MS)
        self.timer.timeout.connect(self._run)
        self.box.textChanged.connect(lambda _t: self.timer.start())
        self.box.returnPressed.connect(self._enter)
        session.changed.connect(self.model.refresh)

        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(hint_label("Không phân biệt dấu, chữ đ/d và vị trí dấu (hoà = hòa)."))

    def set_text(self, text: str) -> None:
        """Search for ``text`` (from the window's find box); a single match opens."""
        self.box.setText(text)
        self._run()
        self._open_single = True
        self.box.setFocus()

    def _fetch(self, offset: int, limit: int) -> list[DossierSummary]:
        from counter_app.services.search import search

        return search(self.session.ctx, self.text, limit=limit, offset=offset)

    def _count(self) -> int:
        from counter_app.services.search import count_matches

        return count_matches(self.session.ctx, self.text) if self.text else 0

    def _run(self) -> None:
        self.timer.stop()
        text = self.box.text().strip()
        if text == self.text:
            return
        self._open_single = False
        self.text = text
        self.summary.setText("Đang tìm…" if text else "")
        self.model.refresh()

    def _update_summary(self) -> None:
        from counter_app.services.search import is_capped

        if not self.text:
            self.summary.setText("Gõ để tìm; ↓ để xuống danh sách, Enter để mở hồ sơ.")
            return
        total = self.model.rowCount()
        single = self.model.item(0) if total == 1 else None
        if self._open_single and single is not None:
            self._open_single = False
            self.view.setFocus()
            self.view.selectRow(0)
            self.open_dossier.emit(single.code)
        elif self._open_single and total > 1:
            self._open_single = False  # several: go to the list, the clerk picks one
            self.view.setFocus()
            self.view.selectRow(0)
        shown = (
            f"{total - 1:,}+".replace(",", " ")
            if is_capped(total)
            else f"{total:,}".replace(",", " ")
        )
        self.summary.setText(
            f"{shown} hồ sơ khớp với “{self.text}”."
            if total
            else f"Không có hồ sơ nào khớp với “{self.text}”."
        )

    def _enter(self) -> None:
        self._run()
        self._open_single = True
        self._update_summary()  # the results may be there already

    def _open(self, index: QModelIndex) -> None:
        item = self.model.data(index.siblingAtColumn(0), ItemRole)
        if isinstance(item, DossierSummary):
            self.open_dossier.emit(item.code)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.box and event.key() == Qt.Key.Key_Down:
                self._run()
                self.view.setFocus()
                self.view.selectRow(0)
                return True
            if watched is self.view and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._open(self.view.currentIndex())
                return True
        return super().eventFilter(watched, event)
