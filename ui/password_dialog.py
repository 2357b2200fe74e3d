"""Đổi mật khẩu: the signed-in operator changes their own password.

Also home of ``FormDialog``, the small form the account dialogs share (labelled fields with
a red line under each, Save/Cancel). Keyboard: Enter saves (the save button is the
default), Esc cancels, Tab moves between the fields. The service call runs through
``Session.op``; a refused field is shown under that field and the dialog stays open with
what was typed; any other refusal (a role that may not do it, the last admin) closes the
form and is shown as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from counter_app.errors import ValidationError
from counter_app.services.accounts import MIN_PASSWORD, change_own_password
from ui.errors import show_error
from ui.session import Session
from ui.widgets import ErrorLabel, hint_label

SAVE_TEXT = "Lưu (Enter)"
CANCEL_TEXT = "Hủy (Esc)"
MISMATCH = "Hai lần nhập mật khẩu không khớp nhau: hãy gõ lại cho giống."
PASSWORD_HINT = f"Ít nhất {MIN_PASSWORD} ký tự; nên có cả chữ và số."


def password_box() -> QLineEdit:
    box = QLineEdit()
    box.setEchoMode(QLineEdit.EchoMode.Password)
    box.setMaxLength(256)
    return box


class FormDialog(QDialog):
    """Base: fields added with ``add_field`` (in Tab order), the service call built in
    ``work`` on the GUI thread, ``done_with(result)`` once it committed.

    A ``ValidationError`` raised by ``work`` (a check made here, e.g. the confirmation)
    refuses without calling the service at all.
    """

    done_with = Signal(object)

    def __init__(
        self,
        session: Session,
        title: str,
        parent: QWidget | None = None,
        *,
        save_text: str = SAVE_TEXT,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(title)
        self.setModal(True)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, ErrorLabel] = {}
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(3)
        self.grid.setColumnStretch(1, 1)
        self._rows = 0
        self.error = ErrorLabel()  # a refusal not tied to one of the fields
        self.ok_button = QPushButton(save_text)
        self.ok_button.setDefault(True)
        self.ok_button.setAutoDefault(True)
        self.cancel_button = QPushButton(CANCEL_TEXT)
        self.cancel_button.setAutoDefault(False)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        self.body = QVBoxLayout(self)
        self.body.setSpacing(10)
        self.body.addLayout(self.grid)
        self.body.addWidget(self.error)
        self.body.addLayout(buttons)
        # Never smaller than the form with its error lines showing.
        self.body.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.busy = False
        self.outcome: Any = None
        # Who shows a refusal the form cannot fix (default: a message over the parent).
        self.on_refused: Callable[[BaseException], None] | None = None

    # --- building -------------------------------------------------------------------------

    def add_field(self, key: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        caption = QLabel(label)
        caption.setBuddy(widget)
        self.grid.addWidget(caption, self._rows, 0)
        self.grid.addWidget(widget, self._rows, 1)
        error = ErrorLabel()
        self.grid.addWidget(error, self._rows + 1, 1)
        self._rows += 2
        if hint:
            note = hint_label(hint)
            note.setContentsMargins(0, 0, 0, 6)
            self.grid.addWidget(note, self._rows, 1)
            self._rows += 1
        self.fields[key] = widget
        self.errors[key] = error
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _t, k=key: self.errors[k].set_error(None))
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i, k=key: self.errors[k].set_error(None))
        return widget

    def add_row(self, widget: QWidget) -> None:
        self.grid.addWidget(widget, self._rows, 0, 1, 2)
        self._rows += 1

    # --- errors ---------------------------------------------------------------------------

    def error_text(self, field: str) -> str:
        label = self.errors.get(field)
        return label.message if label is not None else self.error.message

    def show_errors(self, fields: dict[str, str]) -> None:
        for key, label in self.errors.items():
            label.set_error(fields.get(key))
        other = [message for key, message in fields.items() if key not in self.errors]
        self.error.set_error("\n".join(other) or None)
        self.fit_height()
        first = next((key for key in self.fields if key in fields), None)
        if first is not None:
            widget = self.fields[first]
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(widget, QLineEdit):
                widget.selectAll()

    def fit_height(self) -> None:
        """Grow (or shrink back) to show every wrapped line at the present width: messages
        appear and go under the fields."""
        self.body.invalidate()
        self.body.activate()
        width = self.width()
        wanted = self.heightForWidth(width) if self.hasHeightForWidth() else -1
        self.resize(width, max(wanted, self.minimumSizeHint().height()))

    # --- saving ---------------------------------------------------------------------------

    def work(self) -> Callable[[], Any]:
        """The service call to run, built from the fields (raise ValidationError to refuse)."""
        raise NotImplementedError

    def submit(self) -> None:
        if self.busy:
            return  # a second Enter while the first save runs must not save twice
        try:
            fn = self.work()
        except ValidationError as err:
            self.show_errors(err.fields)
            return
        self.busy = True
        self.ok_button.setEnabled(False)
        self.session.op(self, fn, self._done, on_error=self._failed)

    def reject(self) -> None:
        if self.busy:
            return  # being saved: Esc cannot take it back half-way
        super().reject()

    def _done(self, result: Any) -> None:
        if not isValid(self):
            return
        self.busy = False
        self.outcome = result
        self.show_errors({})
        self.accept()
        self.done_with.emit(result)

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            show_error(None, exc)
            return
        self.busy = False
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.fields)
            return
        # Not allowed, or not possible as things are: the form cannot fix it.
        parent, refused = self.parentWidget(), self.on_refused
        self.reject()
        if refused is not None:
            refused(exc)
        else:
            show_error(parent, exc)


def check_confirmed(password: QLineEdit, confirm: QLineEdit, key: str = "confirm") -> None:
    if password.text() != confirm.text():
        raise ValidationError.single(key, MISMATCH)


class PasswordDialog(FormDialog):
    """Đổi mật khẩu of the signed-in operator: the current one, then the new one twice."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, "Đổi mật khẩu", parent, save_text="Đổi mật khẩu (Enter)")
        operator = session.ctx.operator
        who = (
            f"Tài khoản: <b>{operator.username}</b> — {operator.full_name}"
            if operator is not None
            else "Chưa đăng nhập."
        )
        self.account_label = QLabel(who)
        self.account_label.setTextFormat(Qt.TextFormat.RichText)
        self.add_row(self.account_label)
        self.old_password = password_box()
        self.new_password = password_box()
        self.confirm = password_box()
        self.add_field("old_password", "Mật khẩu &hiện tại", self.old_password)
        self.add_field("new_password", "Mật khẩu &mới", self.new_password, PASSWORD_HINT)
        self.add_field("confirm", "&Nhập lại mật khẩu mới", self.confirm)
        self.notice: QMessageBox | None = None
        self.resize(500, self.sizeHint().height())
        self.old_password.setFocus()

    def work(self) -> Callable[[], None]:
        old, new = self.old_password.text(), self.new_password.text()
        if not old:
            raise ValidationError.single("old_password", "Nhập mật khẩu đang dùng.")
        check_confirmed(self.new_password, self.confirm)
        if new == old:
            raise ValidationError.single(
                "new_password", "Mật khẩu mới phải khác mật khẩu đang dùng."
            )
        ctx = self.session.ctx
        return lambda: change_own_password(ctx, old, new)

    def _done(self, result: Any) -> None:
        if not isValid(self):
            return
        parent = self.parentWidget()
        super()._done(result)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Đổi mật khẩu",
            "Đã đổi mật khẩu. Từ lần đăng nhập sau (và khi mở khóa màn hình), "
            "hãy dùng mật khẩu mới.",
            QMessageBox.StandardButton.Ok,
            parent,
        )
        box.button(QMessageBox.StandardButton.Ok).setText("Đóng")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.notice = box
        box.open()
