"""Who is at the counter: the status-bar name, locking the screen (by hand or when idle),
unlocking, and signing out for someone else to sign in.

While the screen is locked the main window's content and every other window are hidden,
so a citizen's record is never left on an unattended screen; what a clerk was typing
stays in its form for when they come back.
"""

from __future__ import annotations

import logging

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QWidget

from counter_app.services import accounts
from counter_app.services.dto import OperatorInfo
from ui.idle_lock import DEFAULT_IDLE_MINUTES, IdleWatcher
from ui.login_dialog import LoginDialog
from ui.session import Session

log = logging.getLogger(__name__)


def operator_text(operator: OperatorInfo | None) -> str:
    if operator is None:
        return "Chưa đăng nhập"
    return f"Cán bộ: {operator.full_name} ({operator.role_name.lower()})"


class OperatorControls(QObject):
    """Owned by the main window. ``operator_changed`` fires after an unlock by someone
    else, a sign-out and a new sign-in: screens that show who acts refresh from it."""

    operator_changed = Signal()
    signed_out = Signal()  # nobody signed in and the sign-in dialog was closed: quit

    def __init__(
        self, window: QMainWindow, session: Session, label: QLabel, idle_minutes: int
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.label = label
        self.dialog: LoginDialog | None = None
        self._hidden: list[QWidget] = []
        minutes = idle_minutes if idle_minutes > 0 else DEFAULT_IDLE_MINUTES
        self.idle = IdleWatcher(minutes * 60_000, self)
        self.idle.idle.connect(self.lock)
        self.show_operator()

    @property
    def locked(self) -> bool:
        return self.dialog is not None

    def show_operator(self) -> None:
        self.label.setText(operator_text(self.session.ctx.operator))

    # --- locking ----------------------------------------------------------------------------

    def _hide_everything(self) -> None:
        central = self.window.centralWidget()
        self._hidden = [
            w
            for w in QApplication.topLevelWidgets()
            if w is not self.window and w.isVisible() and not isinstance(w, LoginDialog)
        ]
        for widget in self._hidden:
            widget.hide()
        if central is not None:
            central.hide()
        self.window.menuBar().setEnabled(False)

    def _show_everything(self) -> None:
        central = self.window.centralWidget()
        if central is not None:
            central.show()
        self.window.menuBar().setEnabled(True)
        for widget in self._hidden:
            if shiboken6.isValid(widget):
                widget.show()
        self._hidden = []

    def lock(self) -> None:
        """Lock now (Ctrl+L, or after the idle time)."""
        operator = self.session.ctx.operator
        if self.locked or operator is None:
            return
        log.info("screen locked for %s", operator.username)
        self.idle.pause()
        self._hide_everything()
        self._ask(locked_by=operator)

    def sign_out(self) -> None:
        """Sign out (audited) and wait for the next person to sign in."""
        if self.locked:
            return
        self.idle.pause()
        self._hide_everything()
        ctx = self.session.ctx
        self.session.op(
            None, lambda: accounts.sign_out(ctx), lambda _r: self._after_sign_out(), writes=True
        )

    def _after_sign_out(self) -> None:
        self.show_operator()
        self.operator_changed.emit()
        self._ask(locked_by=None)

    def _ask(self, *, locked_by: OperatorInfo | None) -> None:
        dialog = LoginDialog(
            self.session.ctx,
            self.session.runner,
            self.window,
            locked_by=locked_by,
            place=self.session.settings.agency_name,
        )
        self.dialog = dialog
        dialog.finished.connect(self._closed)
        dialog.open()

    def _closed(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if result != QDialog.DialogCode.Accepted or dialog is None or dialog.operator is None:
            # Only the sign-in after a sign-out can be closed without signing in.
            self.signed_out.emit()
            return
        self._show_everything()
        self.show_operator()
        self.operator_changed.emit()
        self.session.changed.emit()
        self.idle.resume()
