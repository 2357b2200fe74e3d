"""The sync window (F9): the hub, the last round, what waits, what the hub refused, and a
round run from here with its progress and a cancel.

The round itself belongs to the ``SyncController`` of the status bar: closing this window
while it runs leaves it running (the status bar shows its progress) and its outcome is
shown here again the next time the window opens. Every read and write goes through the
background helper; the engine is only imported on the worker.

Keyboard: Enter syncs (or opens the settings while no hub is set), Alt+H cancels the
round, Alt+C opens the hub settings, Esc closes.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import ValidationError
from counter_app.services.context import CounterContext
from ui.errors import show_error
from ui.session import Session
from ui.sync_controller import NOT_CONFIGURED, SyncController
from ui.sync_panel import (
    CLOCK_STYLE,
    clock_detail,
    clock_warning_text,
    stopped_early,
    when,
)
from ui.widgets import ERROR_STYLE, ErrorLabel, hint_label

if TYPE_CHECKING:
    from counter_app.sync.engine import SyncProgress, SyncReport
    from counter_app.sync.state import SyncConfig, SyncStatus

log = logging.getLogger(__name__)

ISSUES_SHOWN = 200
DIRECTIONS = {"push": "Gửi lên", "pull": "Nhận về"}
OK_STYLE = "color: #1e6b2e;"


@dataclass(frozen=True)
class IssueRow:
    id: int
    at: datetime
    direction: str
    dossier_code: str
    message: str


@dataclass(frozen=True)
class SyncOverview:
    status: SyncStatus
    ca_file: str
    issues: tuple[IssueRow, ...]  # open ones, most recent first


# --- work done on a worker ------------------------------------------------------------------


def load_overview(limit: int = ISSUES_SHOWN) -> SyncOverview:
    from counter_app.domain.clock import parse_iso
    from counter_app.sync import state

    issues = tuple(
        IssueRow(i["id"], parse_iso(i["at"]), i["direction"], i["dossier_code"], i["message"])
        for i in state.recent_issues(limit)
    )
    return SyncOverview(state.sync_status(), state.get(state.CA_FILE), issues)


def dismiss(ids: list[int], actor: str) -> int:
    from counter_app.sync import state

    return state.dismiss_issues(ids, actor=actor)


def save_server(ctx: CounterContext, url: str, token: str, ca_file: str) -> SyncConfig:
    """Check and store the hub settings; an empty token keeps the one in use."""
    from counter_app.sync import state

    url, token, ca_file = url.strip(), token.strip(), ca_file.strip()
    if not token:
        current = state.load_config()
        token = current.token if current is not None else ""
    if ca_file:
        if not Path(ca_file).is_file():
            raise ValidationError.single("ca_file", f"Không tìm thấy tệp “{ca_file}”.")
        if not url.lower().startswith("https://"):
            raise ValidationError.single(
                "ca_file", "Tệp CA chỉ dùng khi địa chỉ máy chủ bắt đầu bằng https://."
            )
        try:
            ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as err:
            raise ValidationError.single(
                "ca_file", f"Tệp “{ca_file}” không phải chứng chỉ CA dùng được ({err})."
            ) from err
    return state.configure(ctx, url, token, ca_file or None)


# --- hub settings -----------------------------------------------------------------------


class ServerSettingsDialog(QDialog):
    """Hub address, this station's token, an optional pinned CA file. Enter saves."""

    saved = Signal(object)  # SyncConfig

    def __init__(
        self,
        session: Session,
        hub_url: str,
        ca_file: str,
        has_token: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.busy = False
        self.setWindowTitle("Cài đặt máy chủ huyện")
        self.setModal(True)
        self.url = QLineEdit(hub_url)
        self.url.setPlaceholderText("https://dongbo.huyen.example:8443")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText(
            "để trống: giữ mã đang dùng" if has_token else "mã truy cập do huyện cấp cho máy này"
        )
        self.ca_file = QLineEdit(ca_file)
        self.ca_file.setPlaceholderText("không bắt buộc: tệp .pem do huyện cấp")
        self.browse = QPushButton("Chọn &tệp…")
        self.browse.clicked.connect(self._choose_ca)
        self.errors = {key: ErrorLabel() for key in ("hub_url", "token", "ca_file")}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(2)
        rows: tuple[tuple[str, str, QWidget, str], ...] = (
            ("hub_url", "Địa chỉ máy chủ &huyện", self.url, "Ví dụ https://dongbo.huyen.vn:8443"),
            ("token", "&Mã truy cập (token)", self.token, "Mỗi máy tại quầy có một mã riêng."),
            (
                "ca_file",
                "Tệp chứng chỉ &CA",
                self.ca_file,
                "Chỉ khi huyện dùng chứng chỉ tự cấp; để trống nếu không có.",
            ),
        )
        for n, (key, text, field, hint) in enumerate(rows):
            label = QLabel(text)
            label.setBuddy(field)
            grid.addWidget(label, n * 3, 0)
            if key == "ca_file":
                line = QHBoxLayout()
                line.addWidget(field, 1)
                line.addWidget(self.browse)
                grid.addLayout(line, n * 3, 1)
            else:
                grid.addWidget(field, n * 3, 1)
            grid.addWidget(self.errors[key], n * 3 + 1, 1)
            grid.addWidget(hint_label(hint), n * 3 + 2, 1)
        self.save_button = QPushButton("Lưu (Enter)")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.submit)
        cancel = QPushButton("Hủy (Esc)")
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.browse.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        self.setMinimumWidth(640)
        self.url.setFocus()

    def _choose_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Chọn tệp chứng chỉ CA", "", "Chứng chỉ (*.pem *.crt *.cer);;Mọi tệp (*)"
        )
        if path:
            self.ca_file.setText(path)

    def submit(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.save_button.setEnabled(False)
        for label in self.errors.values():
            label.set_error(None)
        url, token, ca = self.url.text(), self.token.text(), self.ca_file.text()
        ctx = self.session.ctx
        self.session.op(
            self, lambda: save_server(ctx, url, token, ca), self._saved, on_error=self._failed
        )

    def _saved(self, config: SyncConfig) -> None:
        self.busy = False
        self.accept()
        self.saved.emit(config)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.save_button.setEnabled(True)
        if not isinstance(exc, ValidationError):
            show_error(self, exc)
            return
        for key, message in exc.fields.items():
            self.errors.get(key, self.errors["hub_url"]).set_error(message)
        first = next(iter(exc.fields))
        {"token": self.token, "ca_file": self.ca_file}.get(first, self.url).setFocus()


# --- the sync window ------------------------------------------------------------------------


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class SyncDialog(QDialog):
    def __init__(
        self, session: Session, controller: SyncController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.controller = controller
        self.overview: SyncOverview | None = None
        self.settings_dialog: ServerSettingsDialog | None = None
        self._loading = False
        self._again = False
        self.setWindowTitle("Đồng bộ với máy chủ huyện")

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.facts = QGridLayout()
        self.facts.setColumnStretch(1, 1)
        self.facts.setHorizontalSpacing(12)
        self.values: dict[str, QLabel] = {}
        self.fact_names: dict[str, QLabel] = {}
        for n, (key, text) in enumerate(
            (
                ("hub", "Máy chủ huyện"),
                ("last", "Lần đồng bộ gần nhất"),
                ("ok", "Lần thành công gần nhất"),
                ("pending", "Chờ gửi lên huyện"),
                ("rejected", "Huyện từ chối"),
                ("error", "Lỗi lần gần nhất"),
                ("clock", "Đồng hồ"),
            )
        ):
            name = QLabel(f"{text}:")
            value = _value_label()
            self.facts.addWidget(name, n, 0, Qt.AlignmentFlag.AlignTop)
            self.facts.addWidget(value, n, 1)
            self.values[key] = value
            self.fact_names[key] = name
        self.values["error"].setStyleSheet(ERROR_STYLE)

        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.phase = hint_label("")
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.outcome.hide()

        self.issues_title = QLabel("Các vấn đề đồng bộ (mới nhất trước):")
        self.issues = QTableWidget(0, 4)
        self.issues.setHorizontalHeaderLabels(["Thời điểm", "Chiều", "Hồ sơ", "Nội dung"])
        self.issues.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.issues.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.issues.setWordWrap(False)
        self.issues.verticalHeader().setVisible(False)
        # The message takes what is left (a stretched last section forgets it is stretched
        # after resizeColumnsToContents on a shown table).
        self.issues.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.sync_button = QPushButton("Đồng bộ &ngay (Enter)")
        self.sync_button.clicked.connect(self.start_sync)
        self.cancel_button = QPushButton("&Hủy đồng bộ")
        self.cancel_button.clicked.connect(self.cancel_sync)
        self.settings_button = QPushButton("&Cài đặt máy chủ…")
        self.settings_button.clicked.connect(self.edit_settings)
        self.dismiss_button = QPushButton("Đã &xem, ẩn lỗi")
        self.dismiss_button.setToolTip(
            "Ẩn các lỗi đang chọn (hoặc tất cả nếu không chọn dòng nào) khỏi danh sách và "
            "thanh trạng thái, sau khi đã xử lý với huyện. Hồ sơ vẫn giữ ghi chú lỗi."
        )
        self.dismiss_button.clicked.connect(self.dismiss_issues)
        self.dismiss_button.setAutoDefault(False)
        self.close_button = QPushButton("Đóng (Esc)")
        self.close_button.clicked.connect(self.reject)
        for button in (self.cancel_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.settings_button)
        buttons.addWidget(self.dismiss_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(self.facts)
        layout.addSpacing(6)
        layout.addWidget(self.progress)
        layout.addWidget(self.phase)
        layout.addWidget(self.outcome)
        layout.addSpacing(6)
        layout.addWidget(self.issues_title)
        layout.addWidget(self.issues, 1)
        layout.addWidget(
            hint_label(
                "Enter: đồng bộ · Alt+H: hủy giữa chừng · Alt+C: cài đặt máy chủ · "
                "Alt+X: ẩn lỗi đã xem · Esc: đóng "
                "(việc đồng bộ đang chạy vẫn tiếp tục, thanh trạng thái cho biết tiến độ)."
            )
        )
        layout.addLayout(buttons)
        self.resize(900, 580)

        c = controller
        c.started.connect(self._on_started)
        c.progressed.connect(self._on_progress)
        c.cancelling.connect(self._on_cancelling)
        c.finished.connect(self._on_finished)
        c.failed.connect(self._on_failed)
        session.changed.connect(self._on_changed)
        self._show_round()
        self.reload()

    # --- reading ------------------------------------------------------------------------

    def reload(self) -> None:
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.session.op(
            self, load_overview, self.show_overview, on_error=self._not_loaded, writes=False
        )

    def _not_loaded(self, exc: BaseException) -> None:
        self._loading = False
        self._again = False
        show_error(self, exc)

    def _on_changed(self) -> None:
        if self.isVisible():
            self.reload()

    def show_overview(self, overview: SyncOverview) -> None:
        self._loading = False
        self.overview = overview
        s = overview.status
        v = self.values
        if s.configured:
            pinned = f" (chứng chỉ CA riêng: {overview.ca_file})" if overview.ca_file else ""
            v["hub"].setText(s.hub_url + pinned)
            self.notice.hide()
        else:
            v["hub"].setText("Chưa cài đặt")
            self.notice.setText(NOT_CONFIGURED)
            self.notice.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
            self.notice.show()
        if s.last_sync_at is None:
            v["last"].setText("Chưa đồng bộ lần nào")
        else:
            outcome = (
                "bị lỗi" if s.last_error else "dừng giữa chừng" if stopped_early(s) else "xong"
            )
            v["last"].setText(f"{when(s.last_sync_at)} — {outcome}")
        v["ok"].setText(when(s.last_ok_at) or "Chưa có")
        v["pending"].setText(f"{s.pending} mục")
        v["rejected"].setText(f"{s.rejected} mục" if s.rejected else "Không có")
        v["rejected"].setStyleSheet(ERROR_STYLE if s.rejected else "")
        v["error"].setText(s.last_error)
        for widget in (v["error"], self.fact_names["error"]):
            widget.setVisible(bool(s.last_error))
        if s.clock_offset_s is None:
            v["clock"].setText("Chưa đo (đo ở lần đồng bộ đầu tiên)")
            v["clock"].setStyleSheet("")
        elif s.clock_warning:
            v["clock"].setText(
                f"{clock_warning_text(s.clock_offset_s)}. {clock_detail(s.clock_offset_s)}"
            )
            v["clock"].setStyleSheet(CLOCK_STYLE)
        else:
            v["clock"].setText(f"Khớp với huyện (lệch {abs(s.clock_offset_s)} giây)")
            v["clock"].setStyleSheet("")
        self._fill_issues(overview)
        self._update_buttons()
        if self._again:
            self._again = False
            self.reload()

    def dismiss_issues(self) -> None:
        if self.overview is None or not self.overview.issues:
            return
        rows = sorted({index.row() for index in self.issues.selectedIndexes()})
        chosen = [self.overview.issues[r] for r in rows] or list(self.overview.issues)
        actor = self.session.ctx.operator.username if self.session.ctx.operator else ""
        ids = [issue.id for issue in chosen]
        self.session.op(self, lambda: dismiss(ids, actor), lambda _n: None)

    def _fill_issues(self, overview: SyncOverview) -> None:
        self.dismiss_button.setEnabled(bool(overview.issues))
        shown, total = len(overview.issues), overview.status.issues
        title = "Các vấn đề đồng bộ (mới nhất trước)"
        if total > shown:
            title += f" — {shown} mục gần nhất trên tổng số {total}"
        elif not total:
            title += ": không có"
        self.issues_title.setText(title + ":" if total else title + ".")
        self.issues.setRowCount(shown)
        for r, issue in enumerate(overview.issues):
            values = (
                f"{issue.at:%H:%M %d/%m/%Y}",
                DIRECTIONS.get(issue.direction, issue.direction),
                issue.dossier_code,
                issue.message,
            )
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                if c == 3:
                    item.setToolTip(value)
                self.issues.setItem(r, c, item)
        for column in range(3):
            self.issues.resizeColumnToContents(column)

    # --- the round ----------------------------------------------------------------------

    @property
    def configured(self) -> bool:
        return self.overview is not None and self.overview.status.configured

    def _update_buttons(self) -> None:
        running = self.controller.running
        self.sync_button.setEnabled(self.configured and not running)
        self.cancel_button.setEnabled(running and not self.controller.cancel_requested)
        self.settings_button.setEnabled(not running)
        default = self.sync_button if self.configured else self.settings_button
        other = self.settings_button if default is self.sync_button else self.sync_button
        other.setDefault(False)
        default.setDefault(default.isEnabled())
        if running:
            self.cancel_button.setFocus()
        elif default.isEnabled() and not self.issues.hasFocus():
            default.setFocus()

    def start_sync(self) -> None:
        if not self.configured:
            self.edit_settings()
            return
        self.controller.start()

    def cancel_sync(self) -> None:
        self.controller.cancel()

    def _show_round(self) -> None:
        """Show the round as the controller knows it (also when the window opens again)."""
        c = self.controller
        if c.running:
            self._on_started()
            if c.progress is not None:
                self._on_progress(c.progress)
            if c.cancel_requested:
                self._on_cancelling()
        elif c.last_failure:
            self._on_failed(c.last_failure, reload=False)
        elif c.last_report is not None:
            self._on_finished(c.last_report, reload=False)
        else:
            self._idle("Chưa đồng bộ trong phiên làm việc này.")

    def _idle(self, text: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.phase.setText(text)

    def _on_started(self) -> None:
        self.outcome.hide()
        self.progress.setRange(0, 0)  # busy until the first answer
        self.progress.setFormat("")
        self.phase.setText("Đang kết nối tới máy chủ huyện…")
        self._update_buttons()

    def _on_progress(self, progress: SyncProgress) -> None:
        if progress.phase == "push":
            total = progress.total or 0
            if total == 0:
                self.progress.setRange(0, 1)
                self.progress.setValue(1)
                self.progress.setFormat("Không có mục nào chờ gửi")
            else:
                self.progress.setRange(0, total)
                self.progress.setValue(progress.done)
                self.progress.setFormat("Đã gửi %v/%m mục")
            self.phase.setText(f"Đang gửi lên huyện: {progress.done}/{total} mục…")
            self.values["pending"].setText(f"{max(total - progress.done, 0)} mục")
        elif progress.phase == "retry":
            self.phase.setText(
                f"Mất kết nối tới huyện, đang thử lại (lần {progress.done}/{progress.total})…"
            )
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat("")
            self.phase.setText(f"Đang nhận thay đổi từ huyện… (đã nhận {progress.done})")
        if self.controller.cancel_requested:
            self._on_cancelling()

    def _on_cancelling(self) -> None:
        self.phase.setText("Đang dừng: chờ yêu cầu đang gửi xong…")
        self._update_buttons()

    def _on_finished(self, report: SyncReport, *, reload: bool = True) -> None:
        if report.error or report.cancelled:
            if self.progress.maximum() == 0:  # stopped while busy: nothing to show as done
                self._idle("")
        else:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.setFormat("Xong")
        done = f"gửi {report.pushed} mục, nhận {report.pulled} thay đổi"
        if report.error:
            self.phase.setText("Đồng bộ bị gián đoạn.")
            text = (
                f"Đồng bộ bị gián đoạn: {report.error}\n"
                f"Trước khi gián đoạn đã {done}; còn {report.pending} mục chờ gửi."
            )
            style = ERROR_STYLE
        elif report.cancelled:
            self.phase.setText("Đã dừng theo yêu cầu.")
            text = (
                f"Đã dừng đồng bộ: đã {done}; còn {report.pending} mục chờ gửi "
                "(sẽ gửi ở lần đồng bộ sau)."
            )
            style = ""
        else:
            self.phase.setText("Đồng bộ xong.")
            at = when(self.controller.finished_at)
            text = f"Đồng bộ xong lúc {at}: đã {done}; còn {report.pending} mục chờ gửi."
            style = OK_STYLE
        if report.rejected:
            text += f"\nHuyện từ chối {report.rejected} mục: xem danh sách bên dưới."
            style = ERROR_STYLE
        self.outcome.setText(text)
        self.outcome.setStyleSheet(style + " font-weight: bold;")
        self.outcome.show()
        self._update_buttons()
        if reload and self.isVisible():
            self.reload()

    def _on_failed(self, message: str, *, reload: bool = True) -> None:
        self._idle("Chưa đồng bộ được.")
        self.outcome.setText(message)
        self.outcome.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.outcome.show()
        self._update_buttons()
        if reload and self.isVisible():
            self.reload()

    # --- settings -----------------------------------------------------------------------

    def edit_settings(self) -> None:
        if self.controller.running:
            return
        s = self.overview.status if self.overview is not None else None
        dialog = ServerSettingsDialog(
            self.session,
            s.hub_url if s is not None else "",
            self.overview.ca_file if self.overview is not None else "",
            bool(s and s.configured),
            self,
        )
        dialog.saved.connect(self._settings_saved)
        self.settings_dialog = dialog
        dialog.open()

    def _settings_saved(self, config: SyncConfig) -> None:
        self.settings_dialog = None
        self.controller.last_failure = ""
        self.outcome.setText(f"Đã lưu máy chủ huyện {config.hub_url}. Bấm Enter để đồng bộ.")
        self.outcome.setStyleSheet(OK_STYLE + " font-weight: bold;")
        self.outcome.show()
        self.activateWindow()
        self.reload()  # "changed" fired as well; calls coalesce
