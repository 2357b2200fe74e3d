"""Theo dõi hạn xử lý: the dossiers that are overdue, due today, or due within a few
working days, with who holds each, so the clerk can chase them.

Three sections behind one selector whose labels carry the counts ("Quá hạn (3)"); each a
lazily paged table. "Overdue" moves with the clock, so besides every "changed" the board
reads itself again each minute. Keyboard: Alt+Q / Alt+N / Alt+S pick a section (or ←/→ on
the selector), Alt+L the number of working days, F5 reads again, Enter or a double-click on
a row opens the dossier.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from counter_app.domain.clock import now_vn, to_vn
from counter_app.errors import KnownError
from counter_app.services.board import (
    CATEGORY_NAMES,
    DEFAULT_WITHIN_DAYS,
    BoardCounts,
    Category,
    board_counts,
)
from ui.board_model import (
    COL_APPLICANT,
    COL_CODE,
    COL_DUE,
    COL_HOLDER,
    COL_LATE,
    COL_PROCEDURE,
    COL_RECEIVED,
    COL_STATUS,
    BoardModel,
    BoardQuery,
)
from ui.errors import show_error
from ui.session import Session
from ui.widgets import ERROR_STYLE, HINT_STYLE, hint_label

log = logging.getLogger(__name__)

REFRESH_MS = 60_000
MIN_DAYS, MAX_DAYS = 1, 10
CATEGORIES = (Category.OVERDUE, Category.TODAY, Category.SOON)
# The section labels, with the letter Alt picks them by (H, T and X belong to the menus).
MNEMONIC_LABELS = {
    Category.OVERDUE: "&Quá hạn",
    Category.TODAY: "Đến hạn hôm &nay",
    Category.SOON: "&Sắp đến hạn",
}
ALT_KEYS = {Category.OVERDUE: "Alt+Q", Category.TODAY: "Alt+N", Category.SOON: "Alt+S"}
OVERDUE_TAB_COLOUR = QColor("#b3261e")
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def count_of(counts: BoardCounts, category: Category) -> int:
    return {
        Category.OVERDUE: counts.overdue,
        Category.TODAY: counts.today,
        Category.SOON: counts.soon,
    }[category]


class BoardScreen(QWidget):
    open_dossier = Signal(str)  # dossier code
    counts_changed = Signal(object)  # BoardCounts, after each refresh lands

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.counts: BoardCounts | None = None
        self._generation = 0
        self._restore_rows: dict[Category, int] = {}

        self.heading = QLabel("Theo dõi hạn xử lý")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.updated = QLabel()
        self.updated.setStyleSheet(HINT_STYLE)

        self.selector = QTabBar()
        self.selector.setExpanding(False)
        self.selector.setDrawBase(False)
        for category in CATEGORIES:
            self.selector.addTab(MNEMONIC_LABELS[category])
        self.selector.setToolTip("Alt+Q: quá hạn · Alt+N: đến hạn hôm nay · Alt+S: sắp đến hạn")

        self.days = QSpinBox()
        self.days.setRange(MIN_DAYS, MAX_DAYS)
        self.days.setValue(DEFAULT_WITHIN_DAYS)
        self.days.setToolTip("Alt+L: số ngày làm việc tính là “sắp đến hạn” (1–10)")
        days_before = QLabel("Sắp đến hạn: trong")
        days_after = QLabel("ngày &làm việc tới")
        days_after.setBuddy(self.days)
        self.refresh_button = QPushButton("Làm mới (F5)")
        self.refresh_button.setAutoDefault(False)

        query = BoardQuery(now_vn(), DEFAULT_WITHIN_DAYS)
        self.models: dict[Category, BoardModel] = {}
        self.views: dict[Category, QTableView] = {}
        self.stack = QStackedWidget()
        for category in CATEGORIES:
            # No Qt parent: a read still on its way when the screen closes keeps its model
            # alive (the runner holds its callbacks) instead of landing on a deleted one.
            model = BoardModel(session, category, query)
            view = self._make_view(model)
            self.models[category] = model
            self.views[category] = view
            self.stack.addWidget(view)
            # Bound methods: Qt drops these connections when the screen is deleted.
            model.loaded.connect(self._restore_all)
            model.modelAboutToBeReset.connect(self._remember_all)
            model.failed.connect(self._failed)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(12)
        top.addWidget(self.updated)
        top.addStretch(1)
        bar = QHBoxLayout()
        bar.addWidget(self.selector)
        bar.addStretch(1)
        bar.addWidget(days_before)
        bar.addWidget(self.days)
        bar.addWidget(days_after)
        bar.addSpacing(12)
        bar.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(
            hint_label(
                "Enter hoặc nhấp đúp vào một dòng: mở hồ sơ · Alt+Q / Alt+N / Alt+S: chọn mục "
                "(hoặc ←/→ trên thanh chọn) · Alt+L: số ngày · F5: làm mới. "
                "Tự cập nhật mỗi phút."
            )
        )

        self.selector.currentChanged.connect(self._on_section)
        self.days.valueChanged.connect(lambda _v: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        refresh_key = QShortcut(QKeySequence("F5"), self)
        refresh_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh_key.activated.connect(self.refresh)
        session.changed.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

        self._update_labels()
        self._on_section(0)
        self._load_counts(query)

    # --- building -----------------------------------------------------------------------

    def _make_view(self, model: BoardModel) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setTabKeyNavigation(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_PROCEDURE, QHeaderView.ResizeMode.Stretch)
        # Fixed formats: sized from the font, not from whichever rows happen to be loaded.
        metrics = view.fontMetrics()
        pad = 16
        widths = {
            COL_CODE: metrics.horizontalAdvance("000.00.17.H26-261125-0000") + pad,
            COL_APPLICANT: metrics.horizontalAdvance("Nguyễn Thị Phương") + pad,
            COL_HOLDER: metrics.horizontalAdvance("Công chức Tư pháp - Hộ tịch") + pad,
            COL_RECEIVED: metrics.horizontalAdvance("00/00/0000") + pad,
            COL_DUE: metrics.horizontalAdvance("00:00 00/00/0000") + pad,
            COL_STATUS: metrics.horizontalAdvance("Được tiếp nhận") + pad,
        }
        if model.category is Category.OVERDUE:
            widths[COL_LATE] = metrics.horizontalAdvance("Quá hạn") + pad
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setMinimumSectionSize(60)
        view.doubleClicked.connect(self._open)
        view.installEventFilter(self)
        return view

    # --- what the lead uses -------------------------------------------------------------

    @property
    def category(self) -> Category:
        return CATEGORIES[max(0, self.selector.currentIndex())]

    @property
    def view(self) -> QTableView:
        """The table of the section on show."""
        return self.views[self.category]

    def select(self, category: Category) -> None:
        self.selector.setCurrentIndex(CATEGORIES.index(category))

    def section_label(self, category: Category) -> str:
        """The selector's label as the clerk reads it (without the Alt-key marker)."""
        return self.selector.tabText(CATEGORIES.index(category)).replace("&", "")

    def refresh(self) -> None:
        """Read the counts and every section again, for the current moment."""
        query = BoardQuery(now_vn(), self.days.value())
        for model in self.models.values():
            model.set_query(query)
        self._load_counts(query)

    # --- loading ------------------------------------------------------------------------

    def _load_counts(self, query: BoardQuery) -> None:
        self._generation += 1
        generation = self._generation
        ctx = self.session.ctx
        self.session.op(
            None,
            lambda: board_counts(ctx, now=query.now, within_days=query.within_days),
            lambda counts: self._counts_landed(generation, query, counts),
            on_error=self._failed,
            writes=False,
        )

    def _counts_landed(self, generation: int, query: BoardQuery, counts: BoardCounts) -> None:
        if generation != self._generation or not isValid(self):
            return  # a newer refresh is on its way, or the screen has closed
        self.counts = counts
        self.updated.setStyleSheet(HINT_STYLE)
        self.updated.setText(f"cập nhật lúc {to_vn(query.now):%H:%M}")
        self._update_labels()
        self.counts_changed.emit(counts)

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            log.info("board read failed after the screen closed: %s", exc)
            return
        if isinstance(exc, KnownError):
            # The board refreshes itself every minute: say it here, not in a new dialog.
            log.info("board read refused: %s", exc.message)
            self.updated.setStyleSheet(ERROR_STYLE)
            self.updated.setText(f"Không đọc được dữ liệu: {exc.message}")
        else:
            show_error(self, exc)

    def _update_labels(self) -> None:
        for index, category in enumerate(CATEGORIES):
            text = MNEMONIC_LABELS[category]
            if self.counts is not None:
                text += f" ({count_of(self.counts, category)})"
            self.selector.setTabText(index, text)
            self.selector.setTabToolTip(index, f"{CATEGORY_NAMES[category]} ({ALT_KEYS[category]})")
        late = self.counts.overdue if self.counts is not None else 0
        self.selector.setTabTextColor(0, OVERDUE_TAB_COLOUR if late else QColor())

    # --- selection ----------------------------------------------------------------------

    def _on_section(self, index: int) -> None:
        if index < 0:
            return
        shown = self.stack.currentWidget()
        had_focus = shown is not None and shown.hasFocus()
        view = self.views[CATEGORIES[index]]
        self.stack.setCurrentWidget(view)
        self.setFocusProxy(view)
        QWidget.setTabOrder(view, self.selector)
        QWidget.setTabOrder(self.selector, self.days)
        QWidget.setTabOrder(self.days, self.refresh_button)
        if had_focus:
            view.setFocus()
        self._restore_current(CATEGORIES[index])

    def _remember_all(self) -> None:
        for category, view in self.views.items():
            current = view.currentIndex()
            if current.isValid():
                self._restore_rows[category] = current.row()

    def _restore_all(self) -> None:
        for category in CATEGORIES:
            self._restore_current(category)

    def _restore_current(self, category: Category) -> None:
        view, model = self.views[category], self.models[category]
        if view.currentIndex().isValid() or not model.rowCount():
            return
        row = min(self._restore_rows.get(category, 0), model.rowCount() - 1)
        view.setCurrentIndex(model.index(row, 0))

    # --- opening --------------------------------------------------------------------------

    def _open(self, index: QModelIndex) -> None:
        model = index.model()
        if not index.isValid() or not isinstance(model, BoardModel):
            return
        item = model.item(index.row())
        if item is not None:
            self.open_dossier.emit(item.code)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(watched, QTableView)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
        ):
            self._open(watched.currentIndex())
            return True
        return super().eventFilter(watched, event)
