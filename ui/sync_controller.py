"""One sync round on a worker, for the sync window and the status bar.

``SyncController`` runs ``run_sync`` through the session's background helper, bridges the
engine's plain progress callback to a queued signal (Electrum's shape: the core reports,
``ui/`` re-emits on the GUI thread), and keeps how the last round ended, so a round
started from the sync window goes on when the window is closed and its outcome is shown
by whoever looks next. Cancelling sets a ``threading.Event`` the engine polls between
requests. Made with the first use of the sync window (not at start-up); the engine itself
is imported on the worker.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from counter_app.domain.clock import now_vn
from counter_app.errors import ConfigurationError, KnownError
from counter_app.services.context import CounterContext
from ui.errors import show_unexpected
from ui.session import Session

if TYPE_CHECKING:
    from counter_app.sync.engine import SyncProgress, SyncReport

log = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "Máy này chưa được nối với máy chủ huyện. Hãy nhập địa chỉ máy chủ và mã truy cập "
    "do huyện cấp (Cài đặt máy chủ…)."
)
UNEXPECTED = "Lỗi không mong muốn khi đồng bộ (chi tiết đã ghi vào nhật ký)."


def sync_round(
    ctx: CounterContext,
    progress: Callable[[SyncProgress], None],
    cancelled: Callable[[], bool],
    batch: int | None,
    actor: str | None,
) -> SyncReport:
    """One round against the configured hub (on a worker). Network trouble comes back in
    the report's ``error``; a missing or broken configuration raises."""
    from counter_app.sync import engine, state
    from counter_app.sync.protocol import PUSH_BATCH

    config = state.load_config()
    if config is None:
        raise ConfigurationError(NOT_CONFIGURED)
    client = engine.client_for(config)
    return engine.run_sync(
        ctx,
        client,
        progress=progress,
        cancelled=cancelled,
        batch=batch or PUSH_BATCH,
        actor=actor,
    )


class SyncController(QObject):
    """Runs at most one sync round at a time and remembers how the last one ended."""

    started = Signal()
    progressed = Signal(object)  # SyncProgress, delivered on the GUI thread
    cancelling = Signal()
    finished = Signal(object)  # SyncReport
    failed = Signal(str)  # the round could not run: a message for the clerk

    # Emitted on the worker; the queued connection delivers it on the GUI thread.
    _from_worker = Signal(object)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.batch: int | None = None  # items per push request (None: the protocol's)
        self.running = False
        self.cancel_requested = False
        self.progress: SyncProgress | None = None
        self.last_report: SyncReport | None = None
        self.finished_at: datetime | None = None
        self.last_failure = ""
        self._cancel = threading.Event()
        self._from_worker.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)

    def start(self) -> bool:
        """Start a round on a worker; False when one is running already."""
        if self.running:
            return False
        self.running = True
        self.cancel_requested = False
        self.progress = None
        self.last_failure = ""
        cancel = self._cancel = threading.Event()
        emit = self._from_worker.emit

        def report_progress(progress: SyncProgress) -> None:
            try:
                emit(progress)
            except RuntimeError:  # the window went away while the round ran
                log.debug("sync progress dropped: controller deleted")

        ctx, batch = self.session.ctx, self.batch
        actor = self.session.ctx.operator.username if self.session.ctx.operator else None
        self.session.op(
            None,
            lambda: sync_round(ctx, report_progress, cancel.is_set, batch, actor),
            self._done,
            on_error=self._failed,
            writes=False,
        )
        self.started.emit()
        return True

    def cancel(self) -> None:
        """Ask the round to stop before its next request (what was sent stays sent)."""
        if not self.running or self.cancel_requested:
            return
        self.cancel_requested = True
        self._cancel.set()
        self.cancelling.emit()

    @Slot(object)
    def _on_progress(self, progress: SyncProgress) -> None:
        if not self.running:
            return  # a late report of a round already over
        self.progress = progress
        self.progressed.emit(progress)

    def _done(self, report: SyncReport) -> None:
        if not shiboken6.isValid(self):
            return  # the main window closed while the round ran: it committed all the same
        self.running = False
        self.last_report = report
        self.finished_at = now_vn()
        log.info("sync round: %s", report.to_json())
        if report.pulled or report.rejected:
            # Statuses, catalogue or calendars came down, or a dossier got a sync issue:
            # every screen refreshes from the one signal.
            self.session.changed.emit()
        self.finished.emit(report)

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self):
            log.warning("sync round failed after the window closed: %s", exc)
            return
        self.running = False
        if isinstance(exc, KnownError):
            self.last_failure = exc.message
        else:
            self.last_failure = UNEXPECTED
            show_unexpected(None, exc)
        self.failed.emit(self.last_failure)
