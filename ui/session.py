"""What every screen shares: the open counter, its settings, the op runner, "changed".

Anki's shape: a user action is one op run in the background; when it commits, ``changed``
fires once and every screen refreshes itself from it instead of polling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from counter_app.services.context import CounterContext
from counter_app.services.dto import InstallationSettings
from ui.background import BackgroundRunner
from ui.errors import show_error


def _gone(widget: QWidget | None) -> bool:
    return widget is not None and not shiboken6.isValid(widget)


def make_runner(ctx: CounterContext, parent: QObject | None = None) -> BackgroundRunner:
    def close_thread_connection() -> None:
        # peewee keeps one connection per thread; a pooled thread must not hold one open
        # between tasks (it would outlive the database file it points at).
        if not ctx.db.is_closed():
            ctx.db.close()

    return BackgroundRunner(parent, thread_cleanup=close_thread_connection)


class Session(QObject):
    changed = Signal()

    def __init__(
        self,
        ctx: CounterContext,
        settings: InstallationSettings,
        runner: BackgroundRunner | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.settings = settings
        self.runner = runner or make_runner(ctx, self)

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
        then ``on_done(result)`` runs, unless the ``parent`` widget was closed and deleted
        meanwhile. Failures go to ``on_error`` or, by default, to the clerk as a message (a
        known error) or a bug report (anything else).
        """

        def done(result: Any) -> None:
            if writes:
                self.changed.emit()
            if _gone(parent):
                return  # the window that asked was closed meanwhile: nothing to show
            on_done(result)

        def failed(exc: BaseException) -> None:
            if _gone(parent):
                show_error(None, exc)  # its window is closed, but the clerk must know
            elif on_error is not None:
                on_error(exc)
            else:
                show_error(parent, exc)

        return self.runner.run(fn, done, failed)
