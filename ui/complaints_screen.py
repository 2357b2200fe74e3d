"""Phản ánh, kiến nghị: the complaints and suggestions received at the counter.

A search box (marks optional: the service folds them) and a status filter over a lazily
paged list, newest first; the detail of the selected one below; a button per step. Keys:
Ctrl+F search, ↓ or Enter from the search box into the list, Ctrl+N receive a new one,
Alt+G assign, Alt+R answer, Alt+K close; Enter on a row starts its next step (assign a
received one, answer an assigned one, close an answered one); F5 reads again.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from counter_app.domain.clock import now_vn, to_vn
from counter_app.errors import KnownError
from counter_app.services.complaints import (
    STATES,
    ComplaintInfo,
    list_complaints,
    open_complaint_count,
)
from ui.complaint_dialogs import (
    AnswerComplaintDialog,
    AssignComplaintDialog,
    CloseComplaintDialog,
    ComplaintStepDialog,
    ReceiveComplaintDialog,
)
from ui.errors import show_error
from ui.paged_model import Column, Index, PagedTableModel
from ui.session import Session
from ui.widgets import ERROR_STYLE, HINT_STYLE, hint_label

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 250
SHORT_CONTENT = 90
OPEN_STATES = ("received", "assigned")
OVERDUE_BACKGROUND = QColor("#f8d0cd")
TEXT_COLOUR = QColor("#1b1b1b")
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)

HEADERS = (
    "Số",
    "Ngày nhận",
    "Người phản ánh",
    "Nội dung",
    "Hồ sơ/Thủ tục",
    "Trạng thái",
    "Hạn trả lời",
    "Người xử lý",
)
(
    COL_CODE,
    COL_RECEIVED,
    COL_SENDER,
    COL_CONTENT,
    COL_LINK,
    COL_STATUS,
    COL_DUE,
    COL_ASSIGNEE,
) = range(8)

# The step each status allows (the service refuses the others anyway).
CAN_ASSIGN = {"received", "assigned"}
CAN_ANSWER = {"received", "assigned"}
CAN_CLOSE = {"answered"}


@dataclass(frozen=True)
class ComplaintQuery:
    text: str = ""
    status: str | None = None
    now: datetime | None = None


def day(value: datetime) -> str:
    return to_vn(value).strftime("%d/%m/%Y")


def moment(value: datetime) -> str:
    return to_vn(value).strftime("%H:%M %d/%m/%Y")


def shorten(text: str, limit: int = SHORT_CONTENT) -> str:
    """One line, at most ``limit`` characters, for the list (the pane shows it all)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def link_of(info: ComplaintInfo) -> str:
    return info.dossier_code or info.procedure_code or ""


def is_late(info: ComplaintInfo, now: datetime) -> bool:
    """Still open and past its deadline to answer."""
    return info.status in OPEN_STATES and info.overdue(now)


class ComplaintsModel(PagedTableModel[ComplaintInfo]):
    """The complaints matching a search, newest first, a page at a time on a worker."""

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        holder = [ComplaintQuery(now=now_vn())]
        ctx = session.ctx

        def fetch(offset: int, limit: int) -> Sequence[ComplaintInfo]:
            q = holder[0]
            return list_complaints(ctx, q.text, status=q.status, limit=limit, offset=offset)

        columns: list[Column] = [
            (HEADERS[COL_CODE], lambda c: c.code),
            (HEADERS[COL_RECEIVED], lambda c: day(c.received_at)),
            (HEADERS[COL_SENDER], lambda c: c.sender_name),
            (HEADERS[COL_CONTENT], lambda c: shorten(c.content)),
            (HEADERS[COL_LINK], link_of),
            (HEADERS[COL_STATUS], lambda c: c.status_name),
            (HEADERS[COL_DUE], lambda c: day(c.due_at)),
            (HEADERS[COL_ASSIGNEE], lambda c: c.assignee),
        ]
        # No count: the service has none, and rows arrive as the list scrolls down.
        super().__init__(columns, fetch, None, runner=session.runner.run, parent=parent)
        self._holder = holder

    @property
    def query(self) -> ComplaintQuery:
        return self._holder[0]

    def set_query(self, query: ComplaintQuery) -> None:
        self._holder[0] = query
        self.refresh()
        if self.canFetchMore():
            self.fetchMore()  # the first page, without waiting for the view to ask

    def row_of(self, code: str) -> int | None:
        for row in range(self.rowCount()):
            item = self.item(row)
            if item is not None and item.code == code:
                return row
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            item = self.item(index.row())
            now = self.query.now or now_vn()
            if item is None or not is_late(item, now):
                return None
            colour = OVERDUE_BACKGROUND if role == Qt.ItemDataRole.BackgroundRole else TEXT_COLOUR
            return QBrush(colour)
        if role == Qt.ItemDataRole.ToolTipRole:
            item = self.item(index.row())
            if item is None:
                return None
            column = index.column()
            if column == COL_CONTENT:
                return shorten(item.content, 600)
            if column == COL_LINK:
                parts = []
                if item.dossier_code:
                    parts.append(f"Hồ sơ {item.dossier_code}")
                if item.procedure_code:
                    parts.append(f"Thủ tục {item.procedure_code}")
                return " · ".join(parts) or None
            if column == COL_DUE and is_late(item, self.query.now or now_vn()):
                return f"Quá hạn trả lời từ {moment(item.due_at)}"
            if column in (COL_SENDER, COL_ASSIGNEE):
                return super().data(index, Qt.ItemDataRole.DisplayRole) or None
            return None
        return super().data(index, role)


def detail_html(info: ComplaintInfo, now: datetime) -> str:
    """The whole complaint for the pane below the list."""

    def esc(text: str) -> str:
        return html.escape(text).replace("\n", "<br>")

    def row(label: str, value: str) -> str:
        return (
            f"<tr><td style='color:#5f6368; padding-right:10px'>{label}</td><td>{value}</td></tr>"
        )

    due = moment(info.due_at)
    if is_late(info, now):
        due += " <b style='color:#b3261e'>— đã quá hạn trả lời</b>"
    links = []
    if info.dossier_code:
        code = esc(info.dossier_code)
        links.append(f"hồ sơ <a href='dossier:{code}'>{code}</a> (Ctrl+O để mở)")
    if info.procedure_code:
        links.append(f"thủ tục {esc(info.procedure_code)}")
    facts = [
        row("Trạng thái", f"<b>{esc(info.status_name)}</b>"),
        row("Ngày nhận", moment(info.received_at) + f" · {esc(info.channel_name)}"),
        row("Hạn trả lời", due),
        row(
            "Người phản ánh",
            esc(info.sender_name)
            + (f" — {esc(info.sender_contact)}" if info.sender_contact else ""),
        ),
    ]
    if links:
        facts.append(row("Liên quan", ", ".join(links)))
    if info.assignee:
        facts.append(row("Người xử lý", esc(info.assignee)))
    parts = [
        f"<p style='font-size:large'><b>{esc(info.code)}</b></p>",
        "<table cellspacing='0' cellpadding='1'>" + "".join(facts) + "</table>",
        "<p><b>Nội dung phản ánh, kiến nghị</b><br>" + esc(info.content) + "</p>",
    ]
    if info.answer:
        when = f" ({moment(info.answered_at)})" if info.answered_at else ""
        parts.append(f"<p><b>Trả lời{when}</b><br>{esc(info.answer)}</p>")
    if info.closed_at:
        parts.append(f"<p style='color:#5f6368'>Đã kết thúc lúc {moment(info.closed_at)}.</p>")
    return "".join(parts)


NOTHING_SELECTED = "<p style='color:#5f6368'>Chọn một phản ánh trong danh sách để xem chi tiết.</p>"


class ComplaintsScreen(QWidget):
    open_dossier = Signal(str)  # the dossier a complaint is about (Ctrl+O, or its link)
    open_count_changed = Signal(int)  # complaints received or assigned, not yet answered

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dialog: ComplaintStepDialog | None = None
        self.open_count: int | None = None
        self._want_code: str | None = None  # select this one when the list lands
        self._count_generation = 0

        self.heading = QLabel("Phản ánh, kiến nghị")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.count_label = QLabel()

        self.search = QLineEdit()
        self.search.setPlaceholderText(
            "Tìm theo số, người phản ánh hoặc nội dung (gõ không dấu cũng được)"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Ctrl+F · ↓ hoặc Enter: xuống danh sách")
        search_label = QLabel("Tìm (Ctrl+F)")
        search_label.setBuddy(self.search)
        self.status_filter = QComboBox()
        self.status_filter.addItem("Tất cả", None)
        for key, name in STATES.items():
            self.status_filter.addItem(name, key)
        status_label = QLabel("&Lọc trạng thái")
        status_label.setBuddy(self.status_filter)
        self.new_button = QPushButton("Tiếp nhận &mới… (Ctrl+N)")
        self.new_button.setToolTip("Tiếp nhận phản ánh, kiến nghị mới (Ctrl+N hoặc Alt+M)")

        # No Qt parent: a read still on its way when the screen closes keeps it alive.
        self.model = ComplaintsModel(session)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        self._size_columns()

        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)
        self.detail.setHtml(NOTHING_SELECTED)
        self.detail.setToolTip("Chi tiết phản ánh đang chọn")

        self.assign_button = QPushButton("&Giao xử lý…")
        self.assign_button.setToolTip("Giao cho người, bộ phận xử lý (Alt+G)")
        self.answer_button = QPushButton("T&rả lời…")
        self.answer_button.setToolTip("Ghi nội dung trả lời người phản ánh (Alt+R)")
        self.close_button = QPushButton("&Kết thúc")
        self.close_button.setToolTip("Kết thúc phản ánh đã trả lời (Alt+K)")
        for button in (self.new_button, self.assign_button, self.answer_button, self.close_button):
            button.setAutoDefault(False)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        filters = QHBoxLayout()
        filters.addWidget(search_label)
        filters.addWidget(self.search, 1)
        filters.addSpacing(12)
        filters.addWidget(status_label)
        filters.addWidget(self.status_filter)
        filters.addSpacing(12)
        filters.addWidget(self.new_button)
        actions = QHBoxLayout()
        actions.addWidget(self.assign_button)
        actions.addWidget(self.answer_button)
        actions.addWidget(self.close_button)
        actions.addSpacing(12)
        actions.addWidget(
            hint_label(
                "Enter trên một dòng: bước tiếp theo (giao xử lý → trả lời → kết thúc). "
                "Dòng tô đỏ: chưa trả lời và đã quá hạn."
            ),
            1,
        )
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions)

        for first, second in (
            (self.search, self.status_filter),
            (self.status_filter, self.new_button),
            (self.new_button, self.view),
            (self.view, self.assign_button),
            (self.assign_button, self.answer_button),
            (self.answer_button, self.close_button),
            (self.close_button, self.detail),
        ):
            QWidget.setTabOrder(first, second)
        self.setFocusProxy(self.search)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.installEventFilter(self)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.view.installEventFilter(self)
        self.view.doubleClicked.connect(lambda _i: self.next_step())
        self.view.selectionModel().currentRowChanged.connect(self._on_current)
        self.model.modelAboutToBeReset.connect(self._remember_selected)
        self.model.loaded.connect(self._on_loaded)
        self.model.modelReset.connect(lambda: self._on_current(QModelIndex(), QModelIndex()))
        self.model.failed.connect(self._failed)
        self.detail.anchorClicked.connect(self._on_link)
        self.new_button.clicked.connect(self.new_complaint)
        self.assign_button.clicked.connect(self.assign_selected)
        self.answer_button.clicked.connect(self.answer_selected)
        self.close_button.clicked.connect(self.close_selected)
        for keys, slot in (
            ("Ctrl+F", self.focus_search),
            ("Ctrl+N", self.new_complaint),
            ("Ctrl+O", self.open_selected_dossier),
            ("F5", self.refresh),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        session.changed.connect(self.refresh)

        self._update_buttons(None)
        self.refresh()

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_CONTENT, QHeaderView.ResizeMode.Stretch)
        metrics = self.view.fontMetrics()
        pad = 16
        date_width = metrics.horizontalAdvance("00/00/0000") + pad
        widths = {
            COL_CODE: metrics.horizontalAdvance("PAKN-26-M1-0000") + pad,
            COL_RECEIVED: date_width,
            COL_SENDER: metrics.horizontalAdvance("Nguyễn Thị Phương") + pad,
            COL_LINK: metrics.horizontalAdvance("000.00.17.H26-261125-0000") + pad,
            COL_STATUS: metrics.horizontalAdvance("Đã tiếp nhận") + pad,
            COL_DUE: date_width,
            COL_ASSIGNEE: metrics.horizontalAdvance("Công chức Văn hóa - Xã hội") + pad,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setMinimumSectionSize(60)

    # --- what the lead uses ---------------------------------------------------------------

    def refresh(self) -> None:
        """Read the list (for the search and filter on show) and the open count again."""
        self._search_timer.stop()
        status = self.status_filter.currentData()
        query = ComplaintQuery(
            text=self.search.text(),
            status=status if isinstance(status, str) else None,
            now=now_vn(),
        )
        self.model.set_query(query)
        self._load_open_count()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def selected(self) -> ComplaintInfo | None:
        index = self.view.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def new_complaint(self) -> None:
        dialog = ReceiveComplaintDialog(self.session, self)
        dialog.done_with.connect(self._received)
        self._show_dialog(dialog)

    def assign_selected(self) -> None:
        info = self.selected()
        if info is not None and info.status in CAN_ASSIGN:
            self._show_dialog(AssignComplaintDialog(self.session, info, self))

    def answer_selected(self) -> None:
        info = self.selected()
        if info is not None and info.status in CAN_ANSWER:
            self._show_dialog(AnswerComplaintDialog(self.session, info, self))

    def close_selected(self) -> None:
        info = self.selected()
        if info is not None and info.status in CAN_CLOSE:
            self._show_dialog(CloseComplaintDialog(self.session, info, self))

    def next_step(self) -> None:
        """Enter on a row: the step that usually comes next for its status."""
        info = self.selected()
        if info is None:
            return
        if info.status == "received":
            self.assign_selected()
        elif info.status == "assigned":
            self.answer_selected()
        elif info.status == "answered":
            self.close_selected()

    def open_selected_dossier(self) -> None:
        info = self.selected()
        if info is not None and info.dossier_code:
            self.open_dossier.emit(info.dossier_code)

    # --- dialogs ------------------------------------------------------------------------

    def _show_dialog(self, dialog: ComplaintStepDialog) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.done_with.connect(self._after_step)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: ComplaintStepDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        if isValid(self):
            self.window().activateWindow()  # back to the list, as the clerk left it
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _after_step(self, info: ComplaintInfo) -> None:
        # "changed" already started the new read; select this complaint when it lands.
        self._want_code = info.code
        self._select_wanted()

    def _received(self, info: ComplaintInfo) -> None:
        # A new one must be seen: drop a search or filter that would hide it.
        self._want_code = info.code
        if self.search.text() or self.status_filter.currentIndex() > 0:
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            self.status_filter.blockSignals(True)
            self.status_filter.setCurrentIndex(0)
            self.status_filter.blockSignals(False)
            self.refresh()

    # --- loading --------------------------------------------------------------------------

    def _load_open_count(self) -> None:
        self._count_generation += 1
        generation = self._count_generation
        ctx = self.session.ctx
        self.session.op(
            None,
            lambda: open_complaint_count(ctx),
            lambda count: self._count_landed(generation, count),
            on_error=self._failed,
            writes=False,
        )

    def _count_landed(self, generation: int, count: int) -> None:
        if generation != self._count_generation or not isValid(self):
            return
        self.open_count = count
        self.count_label.setStyleSheet(HINT_STYLE)
        self.count_label.setText(
            f"{count} phản ánh chưa trả lời" if count else "Không có phản ánh nào chờ trả lời"
        )
        self.open_count_changed.emit(count)

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            log.info("complaints read failed after the screen closed: %s", exc)
            return
        if isinstance(exc, KnownError):
            self.count_label.setStyleSheet(ERROR_STYLE)
            self.count_label.setText(f"Không đọc được dữ liệu: {exc.message}")
        else:
            show_error(self, exc)

    def _remember_selected(self) -> None:
        info = self.selected()
        if info is not None and self._want_code is None:
            self._want_code = info.code

    def _on_loaded(self) -> None:
        self._select_wanted()
        self._want_code = None  # not in this list (filtered out): do not jump to it later
        if not self.view.currentIndex().isValid() and self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))

    def _select_wanted(self) -> None:
        if self._want_code is None:
            return
        row = self.model.row_of(self._want_code)
        if row is not None:
            self._want_code = None
            self.view.setCurrentIndex(self.model.index(row, 0))
            self.view.scrollTo(self.model.index(row, 0))

    # --- selection ------------------------------------------------------------------------

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        info = self.model.item(current.row()) if current.isValid() else None
        self._update_buttons(info)
        if info is None:
            self.detail.setHtml(NOTHING_SELECTED)
        else:
            self.detail.setHtml(detail_html(info, self.model.query.now or now_vn()))

    def _update_buttons(self, info: ComplaintInfo | None) -> None:
        status = info.status if info is not None else ""
        self.assign_button.setEnabled(status in CAN_ASSIGN)
        self.answer_button.setEnabled(status in CAN_ANSWER)
        self.close_button.setEnabled(status in CAN_CLOSE)

    def _on_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("dossier:"):
            self.open_dossier.emit(text.removeprefix("dossier:"))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if watched is self.view and key in _ENTER:
                self.next_step()
                return True
            if watched is self.search and (key in _ENTER or key == Qt.Key.Key_Down):
                if self._search_timer.isActive():
                    self.refresh()  # what was typed counts, not the half-second before
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.view.currentIndex().isValid() and self.model.rowCount():
                    self.view.setCurrentIndex(self.model.index(0, 0))
                return True
        return super().eventFilter(watched, event)
