"""Signing in: at start-up, after signing out, and to unlock a screen left idle.

The password check (argon2id, tens of milliseconds, more on an old PC) runs on the
background runner, never on the GUI thread. A locked screen names who locked it; another
clerk may sign in instead ("Người khác đăng nhập"), which signs the first one out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import KnownError
from counter_app.services import accounts, vault
from counter_app.services.context import CounterContext
from counter_app.services.dto import OperatorInfo
from ui.background import BackgroundRunner
from ui.errors import show_error
from ui.widgets import ErrorLabel, hint_label

TITLE = "Đăng nhập — Một Cửa"
LOCKED_TITLE = "Màn hình đã khóa"


class LoginDialog(QDialog):
    """Accepted once someone has signed in; ``operator`` is who."""

    def __init__(
        self,
        ctx: CounterContext | None,
        runner: BackgroundRunner,
        parent: QWidget | None = None,
        *,
        locked_by: OperatorInfo | None = None,
        place: str = "",
        home: str | None = None,
    ) -> None:
        """``ctx`` None: an encrypted counter in ``home``, opened by the password."""
        super().__init__(parent)
        self.ctx = ctx
        self.home = home
        self.runner = runner
        self.locked_by = locked_by
        self.operator: OperatorInfo | None = None
        self.setWindowTitle(LOCKED_TITLE if locked_by else TITLE)
        self.setModal(True)

        heading = QLabel(
            f"Màn hình đã khóa. {locked_by.full_name} ({locked_by.username}) nhập mật khẩu "
            "để tiếp tục."
            if locked_by
            else "Đăng nhập bằng tài khoản của mình" + (f" — {place}" if place else "") + "."
        )
        heading.setWordWrap(True)
        heading.setMinimumWidth(420)
        self.username = QLineEdit()
        self.username.setMaxLength(32)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(accounts.MAX_PASSWORD)
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow("&Tên đăng nhập", self.username)
        form.addRow("&Mật khẩu", self.password)

        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton(
            "&Mở khóa (Enter)" if locked_by else "Đăng &nhập (Enter)",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.ok.setDefault(True)
        if locked_by:
            self.switch = self.buttons.addButton(
                "Người &khác đăng nhập", QDialogButtonBox.ButtonRole.ActionRole
            )
            self.switch.clicked.connect(self.switch_user)
        else:
            self.buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(
            hint_label(
                f"Nhập sai mật khẩu {accounts.MAX_FAILED_LOGINS} lần liên tiếp, tài khoản "
                "tạm khóa 15 phút (trưởng bộ phận có thể mở khóa sớm)."
            )
        )
        layout.addWidget(self.buttons)
        if locked_by:
            self.username.setText(locked_by.username)
            self.username.setReadOnly(True)
            self.username.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.password.setFocus()
        else:
            self.username.setFocus()

    def switch_user(self) -> None:
        """Anyone may sign in on a locked screen; the one who locked it is signed out
        (audited) once the new person's password is right."""
        self.locked_by = None
        self.setWindowTitle(TITLE)
        self.username.setReadOnly(False)
        self.username.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.username.clear()
        self.password.clear()
        self.error.set_error(None)
        self.switch.setEnabled(False)
        self.username.setFocus()

    def keyPressEvent(self, event: object) -> None:
        # A locked screen cannot be dismissed with Esc: it stays until someone signs in.
        from PySide6.QtGui import QKeyEvent

        if (
            isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
            and self.locked_by is not None
        ):
            event.accept()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]

    def reject(self) -> None:
        if self.locked_by is not None:
            return  # closing the window of a locked screen does not unlock it
        super().reject()

    def accept(self) -> None:
        if not self.ok.isEnabled():
            return  # a check is running: a second Enter must not send it twice
        user, password = self.username.text(), self.password.text()
        if not user.strip() or not password:
            self.error.set_error("Nhập tên đăng nhập và mật khẩu.")
            (self.username if not user.strip() else self.password).setFocus()
            return
        self.ok.setEnabled(False)
        self.error.set_error(None)
        ctx, locked_by, home = self.ctx, self.locked_by, self.home

        def check() -> OperatorInfo:
            if ctx is None:
                self.ctx = vault.open_signed_in(home, user, password)
                return accounts.current_operator(self.ctx)
            if locked_by is not None:
                accounts.confirm_password(ctx, password)
                return accounts.current_operator(ctx)
            previous = ctx.operator
            if previous is not None and previous.username != user.strip().casefold():
                accounts.sign_out(ctx)
            return accounts.sign_in(ctx, user, password)

        self.runner.run(check, self._signed_in, self._refused)

    def _signed_in(self, operator: OperatorInfo) -> None:
        self.operator = operator
        self.ok.setEnabled(True)
        self.locked_by = None
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, KnownError):
            self.error.set_error(exc.message)
            if self.locked_by is not None and self.ctx is not None and self.ctx.operator is None:
                # Too many wrong passwords on the lock screen: that account is now locked
                # and signed out; someone else must sign in.
                self.switch_user()
                self.error.set_error(exc.message)
        else:
            show_error(self, exc)
