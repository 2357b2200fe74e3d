"""The counter's main window: intake and today's list as tabs, a status bar, a menu."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import now_vn
from counter_app.domain.deadlines import describe_due
from counter_app.services.accounts import idle_lock_minutes
from ui import ops
from ui.backup_ui import BackupScheduler, BackupStatusLabel, backup_on_close
from ui.intake_screen import IntakeScreen
from ui.lazy_tab import LazyTab
from ui.operator_controls import OperatorControls
from ui.scan import ScanDetector, looks_like_code
from ui.session import Session
from ui.state import window_settings
from ui.sync_panel import SyncPanel
from ui.today_screen import TodayScreen

if TYPE_CHECKING:
    from counter_app.services.board import BoardCounts
    from ui.board_screen import BoardScreen
    from ui.dossier_window import DossierWindow
    from ui.receipt_preview import ReceiptPreview
    from ui.search_screen import SearchScreen
    from ui.sync_dialog import SyncDialog

log = logging.getLogger(__name__)

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
PENDING_REFRESH_MS = 60_000
WARM_CALENDAR_DELAY_MS = 500
SYNC_STATUS_DELAY_MS = 200
KEYS_HELP = (
    "<b>Tiếp nhận hồ sơ</b><br>"
    "Ctrl+F: về ô tìm thủ tục · ↓/↑: chọn trong danh sách · Enter: chọn thủ tục<br>"
    "Tab / Shift+Tab: sang ô tiếp theo / trước · Space: đánh dấu giấy tờ<br>"
    "Enter: lưu và in giấy hẹn · Esc: làm lại<br><br>"
    "<b>Giấy tiếp nhận</b><br>Ctrl+P: in · Ctrl+S: lưu PDF · Esc: đóng<br><br>"
    "<b>Chung</b><br>Ctrl+1: tiếp nhận · Ctrl+2: hồ sơ hôm nay · F9: đồng bộ với huyện · "
    "Ctrl+L: khóa màn hình · Ctrl+Shift+L: đổi người dùng · Ctrl+Shift+T: tài khoản cán bộ · "
    "Ctrl+Shift+M: đổi mật khẩu · Ctrl+Q: thoát"
)


class MainWindow(QMainWindow):
    def __init__(
        self, session: Session, parent: QWidget | None = None, *, backups: bool = False
    ) -> None:
        super().__init__(parent)
        self.session = session
        settings = session.settings
        self.setWindowTitle(f"Một Cửa — {settings.agency_name} — Máy số {settings.station}")
        self.preview: ReceiptPreview | None = None
        self.receipt_warning: QMessageBox | None = None
        self.sync_dialog: SyncDialog | None = None

        self.intake = IntakeScreen(session)
        self.today = TodayScreen(session)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.intake, "Tiếp nhận hồ sơ (Ctrl+1)")
        self.tabs.addTab(self.today, "Hồ sơ tiếp nhận hôm nay (Ctrl+2)")
        # Built on first visit: start-up shows the intake screen and nothing else.
        self.search_tab = LazyTab(self._build_search)
        self.tabs.addTab(self.search_tab, "Tra cứu (Ctrl+3)")
        self.board_tab = LazyTab(self._build_board)
        self.tabs.addTab(self.board_tab, "Theo dõi hạn (Ctrl+4)")
        self.complaints = LazyTab(self._build_complaints)
        self.tabs.addTab(self.complaints, "Phản ánh, kiến nghị (Ctrl+5)")
        self.figures = LazyTab(self._build_figures)
        self.tabs.addTab(self.figures, "Số liệu, báo cáo (Ctrl+6)")
        self.tabs.currentChanged.connect(self._on_tab)
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText(
            "Tìm hồ sơ: quét mã vạch, gõ mã, họ tên, số CCCD hoặc điện thoại rồi Enter (F3)"
        )
        self.find_box.setClearButtonEnabled(True)
        self.find_box.returnPressed.connect(self._find)
        top = QHBoxLayout()
        top.setContentsMargins(6, 6, 6, 0)
        top.addWidget(QLabel("Tìm:"))
        top.addWidget(self.find_box, 1)
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_menu()
        self._build_status_bar()

        self.dossier_windows: dict[str, DossierWindow] = {}
        self.scanner = ScanDetector(self)
        self.scanner.watch(self)
        self.scanner.scanned.connect(self.open_dossier)

        self.intake.saved.connect(self._on_saved)
        self.today.reopen_requested.connect(self.reopen_receipt)
        session.changed.connect(self.refresh_pending)
        session.changed.connect(self.refresh_board_counts)
        self._restore_geometry()
        self.today.model.refresh()
        # The sync state once the window is up: its reads and the sync module's import
        # would otherwise compete with the first paint (~5 ms, bench/bench_startup.py).
        QTimer.singleShot(SYNC_STATUS_DELAY_MS, self.refresh_pending)
        # After the window is up, not during start-up: it only needs to beat the first pick.
        QTimer.singleShot(WARM_CALENDAR_DELAY_MS, self._warm_calendar)
        # Daily and on-close backups: the real app only (tests open many windows).
        self.backup_scheduler: BackupScheduler | None = None
        if backups:
            self.backup_scheduler = BackupScheduler(session, self)
            self.statusBar().addPermanentWidget(BackupStatusLabel(self.backup_scheduler))
            self.backup_scheduler.start()
        self.intake.focus_start()

    # --- chrome -----------------------------------------------------------------------------

    def _build_menu(self) -> None:
        system = self.menuBar().addMenu("&Hệ thống")
        lock = QAction("Khóa màn hình", self)
        lock.setShortcut(QKeySequence("Ctrl+L"))
        lock.triggered.connect(lambda: self.operators.lock())
        system.addAction(lock)
        sign_out = QAction("Đăng xuất, đổi người dùng", self)
        sign_out.setShortcut(QKeySequence("Ctrl+Shift+L"))
        sign_out.triggered.connect(self.sign_out)
        system.addAction(sign_out)
        accounts_action = QAction("Tài khoản cán bộ…", self)
        accounts_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        accounts_action.triggered.connect(self.open_accounts)
        system.addAction(accounts_action)
        password_action = QAction("Đổi mật khẩu…", self)
        password_action.setShortcut(QKeySequence("Ctrl+Shift+M"))
        password_action.triggered.connect(self.change_password)
        system.addAction(password_action)
        system.addSeparator()
        quit_action = QAction("Thoát", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.request_quit)
        system.addAction(quit_action)

        view = self.menuBar().addMenu("&Xem")
        for number, (label, index) in enumerate(
            (
                ("Tiếp nhận hồ sơ", 0),
                ("Hồ sơ tiếp nhận hôm nay", 1),
                ("Tra cứu hồ sơ", 2),
                ("Theo dõi hạn xử lý", 3),
                ("Phản ánh, kiến nghị", 4),
                ("Số liệu, báo cáo", 5),
            ),
            start=1,
        ):
            action = QAction(label, self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, i=index: self.show_tab(i))
            view.addAction(action)

        find = QAction("Tìm hồ sơ", self)
        find.setShortcut(QKeySequence("F3"))
        find.triggered.connect(self.focus_find)
        view.addAction(find)

        register = QAction("In Sổ theo dõi hồ sơ (Mẫu 07)…", self)
        register.setShortcut(QKeySequence("Ctrl+R"))
        register.triggered.connect(self.print_register)
        system.insertAction(quit_action, register)

        sync = QAction("Đồng bộ với huyện…", self)
        sync.setShortcuts([QKeySequence("F9"), QKeySequence("Ctrl+Shift+D")])
        sync.triggered.connect(self.open_sync)
        system.insertAction(quit_action, sync)
        system.insertSeparator(quit_action)

        help_menu = self.menuBar().addMenu("&Trợ giúp")
        keys = QAction("Phím tắt", self)
        keys.setShortcut(QKeySequence("F1"))
        keys.triggered.connect(self._show_keys)
        help_menu.addAction(keys)

    def _build_status_bar(self) -> None:
        settings = self.session.settings
        bar = self.statusBar()
        self.clerk_label = QLabel()
        self.operators = OperatorControls(
            self, self.session, self.clerk_label, idle_lock_minutes(self.session.ctx)
        )
        self.operators.signed_out.connect(self._quit_signed_out)
        self.station_label = QLabel(f"Máy số {settings.station} · {settings.agency_code}")
        # Waiting items, last sync, errors, clock warning; a click opens the sync window.
        self.sync_panel = SyncPanel(self.session)
        self.sync_panel.activated.connect(self.open_sync)
        self.board_label = QLabel("Quá hạn: …")
        self.clock_label = QLabel()
        for label in (
            self.board_label,
            self.clerk_label,
            self.station_label,
            self.sync_panel,
            self.clock_label,
        ):
            label.setContentsMargins(8, 0, 8, 0)
            bar.addPermanentWidget(label)
        self._tick()
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._tick)
        self._clock.start()
        # Sync runs elsewhere and acknowledges items without a "changed" here: re-count.
        self._pending_timer = QTimer(self)
        self._pending_timer.setInterval(PENDING_REFRESH_MS)
        self._pending_timer.timeout.connect(self.refresh_pending)
        self._pending_timer.timeout.connect(self.refresh_board_counts)  # overdue moves with time
        self._pending_timer.start()

    def _tick(self) -> None:
        now = now_vn()
        self.clock_label.setText(f"{now:%H:%M} · {WEEKDAYS[now.weekday()]}, {now:%d/%m/%Y}")

    def _warm_calendar(self) -> None:
        ctx = self.session.ctx
        self.session.op(
            self,
            lambda: ops.warm_calendar(ctx),
            lambda _none: self.refresh_board_counts(),
            on_error=lambda exc: log.warning("calendar warm-up failed: %s", exc),
            writes=False,
        )

    def refresh_pending(self) -> None:
        """The sync state in the status bar (one background read)."""
        self.sync_panel.refresh()

    def open_sync(self) -> SyncDialog:
        from ui.sync_dialog import SyncDialog  # with the first use, not at start-up

        if self.sync_dialog is None:
            controller = self.sync_panel.ensure_controller()
            self.sync_dialog = SyncDialog(self.session, controller, self)
            self.sync_dialog.finished.connect(lambda _result: self._dialog_closed())
        else:
            self.sync_dialog.reload()
        self.sync_dialog.open()
        self.sync_dialog.raise_()
        self.sync_dialog.activateWindow()
        return self.sync_dialog

    def show_tab(self, index: int) -> None:
        if self.tabs.currentIndex() == index:
            self._on_tab(index)  # already there: still put the focus where work starts
        else:
            self.tabs.setCurrentIndex(index)  # currentChanged calls _on_tab

    def _on_tab(self, index: int) -> None:
        page = self.tabs.widget(index)
        if page is self.intake:
            self.intake.focus_start()
        elif page is self.today:
            self.today.model.refresh()  # a new day, or a change made by another counter
            self.today.view.setFocus()
        elif page is self.search_tab:
            self.search.box.setFocus()
            self.search.box.selectAll()
        elif page is self.board_tab:
            self.board.refresh()
            self.board.setFocus()
        elif isinstance(page, LazyTab):
            page.ensure_built().setFocus()

    @property
    def search(self) -> SearchScreen:
        from ui.search_screen import SearchScreen

        screen = self.search_tab.ensure_built()
        assert isinstance(screen, SearchScreen)
        return screen

    @property
    def board(self) -> BoardScreen:
        from ui.board_screen import BoardScreen

        screen = self.board_tab.ensure_built()
        assert isinstance(screen, BoardScreen)
        return screen

    def _build_search(self) -> QWidget:
        from ui.search_screen import SearchScreen

        screen = SearchScreen(self.session)
        screen.open_dossier.connect(self.open_dossier)
        return screen

    def _build_board(self) -> QWidget:
        from ui.board_screen import BoardScreen

        screen = BoardScreen(self.session)
        screen.open_dossier.connect(self.open_dossier)
        screen.counts_changed.connect(self._show_board_counts)
        return screen

    def refresh_board_counts(self) -> None:
        """The overdue count in the status bar, kept current without opening the board."""
        from counter_app.services.board import board_counts

        if self.board_tab.content is not None:
            return  # the board refreshes itself (changes, every minute) and reports counts

        ctx = self.session.ctx
        self.session.op(
            self,
            lambda: board_counts(ctx),
            self._show_board_counts,
            on_error=lambda exc: log.warning("board count failed: %s", exc),
            writes=False,
        )

    def _build_complaints(self) -> QWidget:
        from ui.complaints_screen import ComplaintsScreen

        return ComplaintsScreen(self.session)

    def _build_figures(self) -> QWidget:
        from ui.reports_screen import ReportsScreen  # QtCharts: only when first opened

        return ReportsScreen(self.session)

    def _show_board_counts(self, counts: BoardCounts) -> None:
        self.board_label.setText(f"Quá hạn: {counts.overdue} · Đến hạn hôm nay: {counts.today}")
        self.board_label.setStyleSheet(
            "color: #b3261e; font-weight: bold;" if counts.overdue else ""
        )
        self.tabs.setTabText(
            self.tabs.indexOf(self.board_tab), f"Theo dõi hạn ({counts.overdue}) (Ctrl+4)"
        )

    def _show_keys(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Phím tắt", KEYS_HELP, parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.open()

    # --- finding and opening dossiers -------------------------------------------------------

    def focus_find(self) -> None:
        self.find_box.setFocus()
        self.find_box.selectAll()

    def _find(self) -> None:
        text = self.find_box.text().strip()
        if not text:
            return
        if looks_like_code(text):
            self.find_box.clear()
            self.open_dossier(text.upper())
            return
        self.show_search(text)

    def show_search(self, text: str) -> None:
        self.show_tab(self.tabs.indexOf(self.search_tab))
        self.search.set_text(text)

    def open_dossier(self, code: str) -> DossierWindow:
        """Open (or bring forward) the window of one dossier: a repeated scan of the same
        code shows the same window, never a second one."""
        from ui.dossier_window import DossierWindow  # with the first dossier, not at start-up

        code = code.strip().upper()
        window = self.dossier_windows.get(code)
        if window is None:
            window = DossierWindow(self.session, code, self)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.form_ready.connect(self._show_form)
            self.scanner.watch(window)  # a scan while a dossier is open opens the next one
            window.destroyed.connect(lambda _o=None, c=code: self.dossier_windows.pop(c, None))
            self.dossier_windows[code] = window
            window.show()
        window.raise_()
        window.activateWindow()
        return window

    def print_register(self) -> None:
        from ui.register_dialog import RegisterDialog

        dialog = RegisterDialog(self.session, self)
        dialog.done_with.connect(
            lambda path: self.open_receipt(
                "", path, f"Sổ theo dõi hồ sơ: {path}", title="Sổ theo dõi hồ sơ (Mẫu 07)"
            )
        )
        self.register_dialog = dialog
        dialog.open()

    def _show_form(self, code: str, path: Path, title: str) -> None:
        self.open_receipt(code, path, f"{title} — hồ sơ {code}", title=title)

    # --- receipts ---------------------------------------------------------------------------

    def _on_saved(self, outcome: ops.SaveOutcome) -> None:
        detail = outcome.detail
        due = describe_due(detail.summary.due_at)
        self.statusBar().showMessage(f"Đã tiếp nhận hồ sơ {detail.code}, hẹn trả {due}.", 15_000)
        if outcome.receipt is None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Chưa in được giấy tiếp nhận",
                outcome.receipt_error or "",
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.open()
            self.receipt_warning = box
            return
        headline = (
            f"Đã tiếp nhận hồ sơ {detail.code} — {detail.summary.applicant_name}. Hẹn trả: {due}."
        )
        self.open_receipt(detail.code, outcome.receipt, headline)

    def reopen_receipt(self, code: str) -> None:
        ctx = self.session.ctx

        def opened(path: Path) -> None:
            self.open_receipt(code, path, f"Mã hồ sơ: {code} — bản in lại.")

        self.session.op(self, lambda: ops.reprint(ctx, code), opened)

    def open_receipt(
        self, code: str, path: Path, headline: str, *, title: str = ""
    ) -> ReceiptPreview:
        from ui.receipt_preview import ReceiptPreview  # QtPdf: loaded with the first receipt

        if self.preview is not None:
            self.preview.close()
        preview = ReceiptPreview(
            self.session, code, path, headline=headline, title=title, parent=self
        )
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.finished.connect(lambda _result, p=preview: self._preview_closed(p))
        self.preview = preview
        preview.open()
        return preview

    def _preview_closed(self, preview: ReceiptPreview) -> None:
        if self.preview is preview:
            self.preview = None
        self._dialog_closed()

    def _dialog_closed(self) -> None:
        self.activateWindow()  # some window managers leave nothing active after a dialog
        self._on_tab(self.tabs.currentIndex())

    # --- window state and quitting ----------------------------------------------------------

    def _settings(self) -> QSettings:
        return window_settings()

    def _restore_geometry(self) -> None:
        geometry = self._settings().value("main/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            # First start on this PC: counter screens are small (1366×768), use all of it.
            self.resize(1280, 720)
            self.setWindowState(Qt.WindowState.WindowMaximized)

    def _may_discard(self) -> bool:
        if not self.intake.has_data():
            return True
        answer = QMessageBox.question(
            self,
            "Thoát",
            "Hồ sơ đang nhập chưa được lưu. Vẫn thoát?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def open_accounts(self) -> None:
        from ui.accounts_dialog import AccountsDialog

        dialog = AccountsDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._dialog_closed())
        dialog.open()

    def change_password(self) -> None:
        from ui.password_dialog import PasswordDialog

        dialog = PasswordDialog(self.session, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._dialog_closed())
        dialog.open()

    def sign_out(self) -> None:
        if self._may_discard():
            self.intake.clear_form()
            self.operators.sign_out()

    def _quit_signed_out(self) -> None:
        self._quitting_signed_out = True
        self.close()

    def request_quit(self) -> None:
        if self._may_discard():
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The title bar's X asks like Ctrl+Q does (a programmatic close has asked already).
        if self.operators.locked and not getattr(self, "_quitting_signed_out", False):
            event.ignore()  # a locked screen is unlocked before anything else
            return
        if event.spontaneous() and not self._may_discard():
            event.ignore()
            return
        if self.intake.saving:
            # A save in flight finishes (or fails) within moments; closing now would hide
            # whether it committed.
            self.statusBar().showMessage("Đang lưu, vui lòng đợi giây lát rồi thoát.", 5000)
            event.ignore()
            return
        if self.backup_scheduler is not None:
            self.backup_scheduler.stop()
            self.backup_scheduler = None  # a second close event does not back up twice
            backup_on_close(self.session, self)
        self._settings().setValue("main/geometry", self.saveGeometry())
        # A round still running stops before its next request (what was sent stays sent),
        # so quitting does not wait for the rest of the outbox.
        self.sync_panel.cancel_sync()
        self._clock.stop()
        self._pending_timer.stop()
        super().closeEvent(event)
