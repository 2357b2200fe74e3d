"""Backups in the GUI: the daily backup in the background, the backup at close, and the
offer to restore when the database turns out damaged at start-up.

Every backup and restore runs on a worker (``Session.op`` or a ``BackgroundRunner``); the
GUI thread only shows where it stands. Keyboard: in the restore offer Enter restores the
backup offered, Alt+C chooses another file, Esc (or Alt+T) quits.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import KnownError
from counter_app.store.backup import BackupCheck, CorruptDatabaseError, describe_time
from ui.background import BackgroundRunner
from ui.errors import show_error
from ui.widgets import ERROR_STYLE, hint_label

if TYPE_CHECKING:
    from counter_app.services.backups import BackupResult, RestoreResult
    from counter_app.services.context import CounterContext
    from ui.session import Session

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 60 * 60 * 1000  # "is a backup due?" every hour
FIRST_CHECK_DELAY_MS = 5_000  # after start-up, not during it
OK_STYLE = "color: #1e6b2e;"


def session_actor(session: Session) -> str:
    """Who the audit log names for a backup made while this session runs."""
    operator = getattr(session.ctx, "operator", None)
    if operator is not None:
        return str(operator.username)
    settings: Any = session.settings
    return str(getattr(settings, "clerk_name", "") or "auto")


def _size(n: int) -> str:
    if n >= 1_048_576:
        return f"{n / 1_048_576:.1f} MB".replace(".", ",")
    return f"{max(1, n // 1024)} KB"


# --------------------------------------------------------------------------- daily


class BackupScheduler(QObject):
    """Backs up in the background when no good backup was made in the last 24 hours:
    shortly after start-up, then checked every hour.

    ``succeeded(BackupResult)`` and ``failed(message)`` follow each backup it makes;
    ``status_text`` is a line for the status bar.
    """

    succeeded = Signal(object)
    failed = Signal(str)
    checked = Signal()  # after every check, whether or not it backed up
    status_text = Signal(str)

    def __init__(
        self,
        session: Session,
        parent: QObject | None = None,
        *,
        interval_ms: int = CHECK_INTERVAL_MS,
        first_delay_ms: int = FIRST_CHECK_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.running = False
        self.last_error: str | None = None
        self._first_delay_ms = first_delay_ms
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        # A timer of its own (not QTimer.singleShot): stop() must cancel the first check
        # too, or it would run after the window closed, on whatever database is open then.
        self._first = QTimer(self)
        self._first.setSingleShot(True)
        self._first.timeout.connect(self.check)

    def start(self) -> None:
        self._first.start(self._first_delay_ms)
        self._timer.start()

    def stop(self) -> None:
        self._first.stop()
        self._timer.stop()

    def check(self) -> None:
        """Back up now if one is due (both the question and the backup run on a worker)."""
        if self.running:
            return
        self.running = True
        ctx = self.session.ctx
        actor = session_actor(self.session)

        def work() -> BackupResult | None:
            from counter_app.services.backups import backup_due, backup_now

            if not backup_due(ctx):
                return None
            return backup_now(ctx, actor=actor, reason="daily")

        self.session.op(None, work, self._done, on_error=self._failed, writes=False)

    def _done(self, result: BackupResult | None) -> None:
        self.running = False
        if result is not None:
            self.last_error = None
            made = result.made.file
            self.status_text.emit(f"Đã sao lưu lúc {describe_time(made.taken_at)}")
            self.succeeded.emit(result)
        self.checked.emit()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        if not isinstance(exc, KnownError):
            show_error(None, exc)  # a bug: logged with its traceback and shown once
            message = "Sao lưu tự động gặp lỗi không mong muốn (đã ghi nhật ký)."
        else:
            log.warning("scheduled backup failed: %s", exc.message)
            message = exc.message
        self.last_error = message
        self.status_text.emit("Chưa sao lưu được: " + message)
        self.failed.emit(message)
        self.checked.emit()


class BackupStatusLabel(QLabel):
    """A status-bar label that follows a scheduler: green after a backup, red on failure
    (a backup that keeps failing must not go unnoticed for days)."""

    def __init__(self, scheduler: BackupScheduler, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        scheduler.succeeded.connect(self._ok)
        scheduler.failed.connect(self._failed)

    def _ok(self, result: BackupResult) -> None:
        self.setStyleSheet(OK_STYLE)
        self.setText(f"Sao lưu: {describe_time(result.made.file.taken_at)}")
        self.setToolTip(str(result.made.file.path))

    def _failed(self, message: str) -> None:
        self.setStyleSheet(ERROR_STYLE)
        self.setText("Chưa sao lưu được")
        self.setToolTip(message)


# --------------------------------------------------------------------------- at close


def _wait_with_progress(
    parent: QWidget | None,
    title: str,
    text: str,
    start: Any,
) -> tuple[bool, Any]:
    """Show a small modal "please wait" while ``start(on_done, on_error)`` runs its work on a
    worker; returns (ok, result or exception) once it has finished."""
    outcome: list[tuple[bool, Any]] = []
    loop = QEventLoop()
    dialog = QProgressDialog(text, "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def done(result: Any) -> None:
        outcome.append((True, result))
        loop.quit()

    def failed(exc: BaseException) -> None:
        outcome.append((False, exc))
        loop.quit()

    start(done, failed)
    dialog.show()
    if not outcome:
        loop.exec()
    dialog.close()
    dialog.deleteLater()
    return outcome[0]


def backup_on_close(session: Session, parent: QWidget | None) -> None:
    """Back up before the app closes, with a small modal "Đang sao lưu…". A failure is said
    clearly, and the app closes all the same."""
    ctx = session.ctx
    actor = session_actor(session)

    def work() -> BackupResult:
        from counter_app.services.backups import backup_now

        return backup_now(ctx, actor=actor, reason="close")

    def start(done: Any, failed: Any) -> None:
        session.op(None, work, done, on_error=failed, writes=False)

    ok, value = _wait_with_progress(
        parent, "Sao lưu", "Đang sao lưu dữ liệu trước khi thoát…", start
    )
    if ok:
        log.info("backup at close: %s", value.made.file.path)
        return
    if isinstance(value, KnownError):
        log.warning("backup at close failed: %s", value.message)
        detail = value.message
    else:
        log.error("backup at close failed", exc_info=(type(value), value, value.__traceback__))
        detail = "Lỗi không mong muốn (chi tiết đã ghi vào nhật ký)."
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Chưa sao lưu được",
        "Chưa sao lưu được khi thoát.\n\n"
        f"{detail}\n\n"
        "Phần mềm vẫn thoát; dữ liệu trên máy không bị ảnh hưởng. Lần mở sau sẽ sao lưu lại.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.button(QMessageBox.StandardButton.Ok).setText("Đã hiểu, thoát")
    box.setEscapeButton(QMessageBox.StandardButton.Ok)
    box.exec()


# --------------------------------------------------------------------------- restore


class RestoreOffer(QDialog):
    """The database is damaged: say so, and offer the latest good backup (or a file)."""

    def __init__(self, error: CorruptDatabaseError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.chosen: Path | None = None
        self.setWindowTitle("Dữ liệu của quầy bị hỏng")
        self.setMinimumWidth(600)

        icon = QLabel()
        style = self.style()
        size = style.pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize, None, self)
        icon.setPixmap(
            style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size, size)
        )
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        headline = QLabel("<b>Cơ sở dữ liệu của quầy bị hỏng, không nên dùng tiếp.</b>")
        headline.setWordWrap(True)
        # SQLite's report starts with "*** in database main ***": the lines after it tell.
        lines = [ln for ln in error.problem.strip().splitlines() if not ln.startswith("***")]
        problem = "\n".join(lines[:3]) or error.problem
        detail = hint_label(f"Tệp: {error.db_path}\nLỗi phát hiện: {problem}")
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        column = QVBoxLayout()
        column.addWidget(headline)
        column.addWidget(detail)

        backup = error.backup
        self.offer_label = QLabel()
        self.offer_label.setWordWrap(True)
        self.offer_label.setTextFormat(Qt.TextFormat.RichText)
        if backup is not None:
            self.offer_label.setText(self._describe(backup))
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            inner = QVBoxLayout(frame)
            inner.addWidget(self.offer_label)
            column.addWidget(frame)
            column.addWidget(
                hint_label(
                    "Khôi phục sẽ thay cơ sở dữ liệu hỏng bằng bản sao lưu này. Tệp hỏng không "
                    "bị xoá mà được giữ lại bên cạnh. Những gì nhập sau lúc sao lưu cần nhập "
                    "lại từ giấy tờ."
                )
            )
        else:
            folders = ", ".join(str(f) for f in error.folders) or "thư mục sao lưu"
            self.offer_label.setText(
                f"Không tìm thấy bản sao lưu tốt nào trong {folders}.<br>"
                "Nếu có bản sao lưu ở nơi khác (ổ USB), hãy cắm vào rồi chọn tệp."
            )
            self.offer_label.setStyleSheet(ERROR_STYLE)
            column.addWidget(self.offer_label)

        self.restore_button = QPushButton("&Khôi phục bản này (Enter)")
        self.other_button = QPushButton(
            "&Chọn tệp khác…" if backup is not None else "&Chọn tệp sao lưu…"
        )
        self.quit_button = QPushButton("&Thoát (Esc)")
        self.restore_button.clicked.connect(self._restore_offered)
        self.other_button.clicked.connect(self._choose_file)
        self.quit_button.clicked.connect(self.reject)
        self.restore_button.setVisible(backup is not None)
        default = self.restore_button if backup is not None else self.other_button
        default.setDefault(True)
        default.setAutoDefault(True)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.other_button)
        buttons.addWidget(self.quit_button)

        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(column, 1)
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addSpacing(8)
        outer.addLayout(buttons)
        default.setFocus()

    @staticmethod
    def _describe(backup: BackupCheck) -> str:
        facts = []
        if backup.dossiers is not None:
            facts.append(f"{backup.dossiers:,} hồ sơ".replace(",", "."))
        facts.append(_size(backup.size))
        when = describe_time(backup.taken_at) if backup.taken_at else backup.path.name
        return (
            "Bản sao lưu tốt gần nhất:<br>"
            f"<b>{when}</b> — {', '.join(facts)}<br>"
            f"<span style='color:#5f6368'>{backup.path}</span>"
        )

    def _restore_offered(self) -> None:
        if self.error.backup is not None:
            self.chosen = self.error.backup.path
            self.accept()

    def _choose_file(self) -> None:
        start = self.error.backup.path.parent if self.error.backup else None
        if start is None:
            start = next((f for f in self.error.folders if f.is_dir()), Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self,
            "Chọn bản sao lưu",
            str(start),
            "Bản sao lưu (*.sqlite3 *.bak);;Mọi tệp (*)",
        )
        if name:
            self.chosen = Path(name)
            self.accept()


def offer_restore(parent: QWidget | None, error: CorruptDatabaseError) -> Path | None:
    """Ask whether to restore; the file chosen, or None to quit."""
    dialog = RestoreOffer(error, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.chosen
    finally:
        dialog.deleteLater()


def run_restore(
    parent: QWidget | None,
    home: str | os.PathLike[str] | None,
    file: Path,
    actor: str,
) -> RestoreResult:
    """Restore ``file`` into the counter in ``home`` on a worker, with a modal "please wait";
    raises what the restore raised (a refused file: ValidationError, nothing changed)."""
    runner = BackgroundRunner()

    def work() -> RestoreResult:
        from counter_app.paths import app_paths
        from counter_app.services.backups import restore_backup
        from counter_app.store.db import close_database

        try:
            return restore_backup(app_paths(home).ensure(), file, actor)
        finally:
            # This worker's connection stays here: the GUI thread opens its own.
            close_database()

    ok, value = _wait_with_progress(
        parent,
        "Khôi phục",
        "Đang kiểm tra và khôi phục bản sao lưu…",
        lambda done, failed: runner.run(work, done, failed),
    )
    runner.deleteLater()
    if not ok:
        raise value
    result: RestoreResult = value
    return result


def recover_at_startup(
    error: CorruptDatabaseError,
    home: str | os.PathLike[str] | None,
    *,
    actor: str = "startup",
) -> CounterContext | None:
    """The start-up answer to a damaged database: offer a backup, restore it, say where the
    damaged file was kept, and return the reopened counter (None: the clerk chose to quit)."""
    while True:
        chosen = offer_restore(None, error)
        if chosen is None:
            return None
        try:
            result = run_restore(None, home, chosen, actor)
        except KnownError as err:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Không khôi phục được",
                err.message,
                QMessageBox.StandardButton.Ok,
            )
            box.button(QMessageBox.StandardButton.Ok).setText("Chọn lại")
            box.exec()
            continue
        info = result.restored
        when = (
            f" (sao lưu lúc {describe_time(info.restored_from.taken_at)})"
            if info.restored_from.taken_at
            else ""
        )
        kept = f"\n\nTệp hỏng được giữ tại:\n{info.replaced}" if info.replaced else ""
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Đã khôi phục",
            f"Đã khôi phục dữ liệu từ {info.restored_from.path.name}{when}.{kept}\n\n"
            "Những hồ sơ tiếp nhận sau lúc sao lưu cần được nhập lại.",
            QMessageBox.StandardButton.Ok,
        )
        box.button(QMessageBox.StandardButton.Ok).setText("Tiếp tục")
        box.exec()
        return result.ctx
