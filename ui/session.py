"""What every screen shares: the open counter, its settings, the op runner, "changed".

Anki's shape: a user action is one op run in the background; when it commits, ``changed``
fires once and every screen refreshes itself from it instead of polling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from counter_app.services.context import CounterContext
from counter_app.services.dto import InstallationSettings
from ui.background import BackgroundRunner
from ui.errors import show_error


class Session(QObject):
    changed = Signal()

    def __init__(
        self, ctx: CounterContext, settings: InstallationSettings, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings
        self.runner = BackgroundRunner(self, thread_cleanup=self._close_thread_connection)

    def _close_thread_connection(self) -> None:
        # peewee keeps one connection per thread; pooled threads must not hold one open
        # between tasks (it would outlive the database it points at).
        if not self.ctx.db.is_closed():
            self.ctx.db.close()

    def op(
        self,
        parent: QWidget | None,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        *,
        on_error: Callable[[BaseException], None] | None = None,
        writes: bool = True,
    ) -> int:
        """Run one user action in the background.

        After it returns (its transaction committed), ``changed`` fires if it ``writes``,
        then ``on_done(result)`` runs. Failures go to ``on_error`` or, by default, to the
        clerk as a message (a known error) or a bug report (anything else).
        """

        def done(result: Any) -> None:
            if writes:
                self.changed.emit()
            on_done(result)

        def failed(exc: BaseException) -> None:
            if on_error is not None:
                on_error(exc)
            else:
                show_error(parent, exc)

        return self.runner.run(fn, done, failed)
