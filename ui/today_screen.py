"""Hồ sơ tiếp nhận hôm nay: the day's list; Enter or a double-click reopens a receipt."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.session import Session
from ui.today_model import COL_APPLICANT, COL_PROCEDURE, TodayModel
from ui.widgets import hint_label


class TodayScreen(QWidget):
    reopen_requested = Signal(str)  # dossier code

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TodayModel(session, self)
        self.heading = QLabel()
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_PROCEDURE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_APPLICANT, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_APPLICANT, 220)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.doubleClicked.connect(self._reopen)
        self.view.installEventFilter(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.view, 1)
        layout.addWidget(
            hint_label(
                "Enter hoặc nhấp đúp vào một dòng: mở lại giấy tiếp nhận để xem và in "
                "(được ghi là bản in lại)."
            )
        )
        self.model.loaded.connect(self._update_heading)
        self.model.modelReset.connect(self._select_first)
        self._update_heading()
        self.setFocusProxy(self.view)

    def _update_heading(self) -> None:
        day = self.model.day.strftime("%d/%m/%Y")
        self.heading.setText(f"Hồ sơ tiếp nhận hôm nay ({day}): {self.model.total} hồ sơ")

    def _select_first(self) -> None:
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.model.index(0, 0))

    def _reopen(self, index: QModelIndex) -> None:
        item = self.model.summary(index.row())
        if item is not None:
            self.reopen_requested.emit(item.code)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            index = self.view.currentIndex()
            if index.isValid():
                self._reopen(index)
            return True
        return super().eventFilter(watched, event)
