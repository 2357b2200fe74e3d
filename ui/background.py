"""Run slow work (database writes, PDF rendering, file I/O) off the GUI thread.

Picard's ``run_task`` pattern: the function runs on a ``QThreadPool`` worker and its result
(or exception) comes back to the GUI thread through a queued signal, where the caller's
callback runs. Callbacks never run on the worker, so they may touch widgets freely.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

OnDone = Callable[[Any], None]
OnError = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; emitting from a worker queues delivery there."""

    # (task id, _Outcome): one Python object, so no value is converted on the way.
    finished = Signal(int, object)


def _owner_deleted(callback: Callable[..., Any]) -> bool:
    owner = getattr(callback, "__self__", None)
    return isinstance(owner, QObject) and not shiboken6.isValid(owner)


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    value: object


@dataclass(frozen=True)
class _Pending:
    on_done: OnDone
    on_error: OnError


class BackgroundRunner(QObject):
    """One small pool-backed helper every user action goes through.

    ``thread_cleanup`` runs on the worker after each task (the app closes the worker's
    thread-local database connection there, so no pooled thread keeps a file open).
    """

    # Emitted on the GUI thread whenever the last running task has delivered its result:
    # tests wait on it (or on ``busy`` becoming False) instead of sleeping.
    idle = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        pool: QThreadPool | None = None,
        thread_cleanup: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._cleanup = thread_cleanup
        self._ids = itertools.count(1)
        # Callbacks wait here until delivered: this is also what keeps them alive.
        self._pending: dict[int, _Pending] = {}
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def run(self, fn: Callable[[], Any], on_done: OnDone, on_error: OnError) -> int:
        """Start ``fn()`` on a worker; ``on_done(result)`` or ``on_error(exc)`` follows here."""
        task_id = next(self._ids)
        self._pending[task_id] = _Pending(on_done, on_error)
        relay = self._relay
        cleanup = self._cleanup

        def work() -> None:
            ok = True
            try:
                outcome: object = fn()
            except BaseException as exc:  # handed to the GUI thread, never swallowed
                ok, outcome = False, exc
            if cleanup is not None:
                try:
                    cleanup()
                except Exception:
                    log.exception("worker clean-up failed")
            relay.finished.emit(task_id, _Outcome(ok, outcome))

        self._pool.start(work)
        return task_id

    @Slot(int, object)
    def _deliver(self, task_id: int, outcome: _Outcome) -> None:
        pending = self._pending.pop(task_id, None)
        try:
            if pending is None:
                return
            callback = pending.on_done if outcome.ok else pending.on_error
            if _owner_deleted(callback):
                # A method of a window closed while its work ran: nobody is left to show
                # the result to (a write has committed all the same).
                log.debug("result for a deleted window dropped (task %d)", task_id)
                return
            if outcome.ok:
                pending.on_done(outcome.value)
            else:
                assert isinstance(outcome.value, BaseException)
                pending.on_error(outcome.value)
        finally:
            if not self._pending:
                self.idle.emit()
