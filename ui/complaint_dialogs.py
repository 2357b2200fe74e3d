"""Dialogs for the steps of a complaint or suggestion (phản ánh, kiến nghị).

Keyboard: Enter in a one-line field saves (the save button is the default), Ctrl+Enter
saves from anywhere (Enter inside a multi-line box starts a new line), Esc cancels. Each
dialog runs its service call through ``Session.op``; a refused field is shown in red under
that field and the dialog stays open with what was typed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from counter_app.domain.parties import COMMON_BODIES
from counter_app.errors import ValidationError
from counter_app.services.complaints import (
    CHANNELS,
    ComplaintInfo,
    ComplaintInput,
    answer_complaint,
    assign_complaint,
    close_complaint,
    receive_complaint,
)
from ui.errors import show_error
from ui.session import Session
from ui.widgets import ErrorLabel, hint_label

SAVE_TEXT = "Lưu (Enter)"
CANCEL_TEXT = "Hủy (Esc)"
MULTILINE_HINT = "Enter: xuống dòng trong ô nhiều dòng · Ctrl+Enter: lưu · Esc: hủy"


def multiline(placeholder: str, height: int = 110) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)  # Tab leaves the box, as in every other field
    box.setMinimumHeight(height)
    return box


class ComplaintStepDialog(QDialog):
    """Base: labelled fields with a red line under each, Save/Cancel, ``done_with(info)``.

    Subclasses add fields with ``add_field`` (in Tab order) and build the service call in
    ``work``. A ``ValidationError`` whose field is one of ours is shown under that field
    (the first one refused gets the focus); any other refusal goes to the line above the
    buttons.
    """

    done_with = Signal(object)  # ComplaintInfo, after the step committed

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
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.submit)
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
        self.result_info: ComplaintInfo | None = None

    # --- building -------------------------------------------------------------------------

    def add_field(self, key: str, label: str, widget: QWidget) -> QWidget:
        caption = QLabel(label)
        caption.setBuddy(widget)
        align = (
            Qt.AlignmentFlag.AlignTop if isinstance(widget, QPlainTextEdit) else Qt.AlignmentFlag(0)
        )
        self.grid.addWidget(caption, self._rows, 0, align)
        self.grid.addWidget(widget, self._rows, 1)
        error = ErrorLabel()
        self.grid.addWidget(error, self._rows + 1, 1)
        self._rows += 2
        self.fields[key] = widget
        self.errors[key] = error
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(lambda _t, k=key: self.errors[k].set_error(None))
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(lambda k=key: self.errors[k].set_error(None))
        return widget

    def add_row(self, widget: QWidget) -> None:
        self.grid.addWidget(widget, self._rows, 0, 1, 2)
        self._rows += 1

    def add_hint(self, text: str) -> None:
        self.body.insertWidget(1, hint_label(text))

    # --- errors ---------------------------------------------------------------------------

    def error_text(self, field: str) -> str:
        label = self.errors.get(field)
        return label.message if label is not None else self.error.message

    def show_errors(self, fields: dict[str, str]) -> None:
        other: list[str] = []
        for key, label in self.errors.items():
            label.set_error(fields.get(key))
        for key, message in fields.items():
            if key not in self.errors:
                other.append(message)
        self.error.set_error("\n".join(other) or None)
        first = next((key for key in self.fields if key in fields), None)
        if first is not None:
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)

    # --- saving ---------------------------------------------------------------------------

    def work(self) -> Callable[[], ComplaintInfo]:
        """The service call to run, built from the fields on the GUI thread."""
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
            return  # the step is being saved: it cannot be taken back half-way
        super().reject()

    def _done(self, result: Any) -> None:
        if not isValid(self):
            return
        self.busy = False
        self.result_info = result
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
        self.reject()
        show_error(self.parentWidget(), exc)


class ReceiveComplaintDialog(ComplaintStepDialog):
    """Tiếp nhận phản ánh, kiến nghị mới."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, "Tiếp nhận phản ánh, kiến nghị", parent)
        self.sender_name = QLineEdit()
        self.sender_contact = QLineEdit()
        self.sender_contact.setPlaceholderText("Địa chỉ hoặc số điện thoại để trả lời")
        self.channel = QComboBox()
        for key, name in CHANNELS.items():
            self.channel.addItem(name, key)
        self.content = multiline("Nội dung phản ánh, kiến nghị của người dân, tổ chức")
        self.dossier_code = QLineEdit()
        self.dossier_code.setPlaceholderText("Không bắt buộc, ví dụ 000.00.17.H26-261125-0001")
        self.procedure_code = QLineEdit()
        self.procedure_code.setPlaceholderText("Không bắt buộc, ví dụ 1.001193")
        # Tab order: the required fields first, the optional links to a dossier last, so
        # Enter in the last field (one-line) saves, as it does in every one-line field.
        self.add_field("sender_name", "&Họ tên người phản ánh", self.sender_name)
        self.add_field("sender_contact", "Địa chỉ, điện thoại &liên hệ", self.sender_contact)
        self.add_field("channel", "Hình thức &tiếp nhận", self.channel)
        self.add_field("content", "&Nội dung", self.content)
        self.add_field("dossier_code", "&Mã hồ sơ liên quan", self.dossier_code)
        self.add_field("procedure_code", "Mã thủ tục liên &quan", self.procedure_code)
        self.ok_button.setText("Lưu (Enter / Ctrl+Enter)")
        self.add_hint(MULTILINE_HINT)
        self.resize(640, self.sizeHint().height())
        self.sender_name.setFocus()

    def to_input(self) -> ComplaintInput:
        return ComplaintInput(
            sender_name=self.sender_name.text(),
            content=self.content.toPlainText(),
            channel=str(self.channel.currentData()),
            sender_contact=self.sender_contact.text(),
            dossier_code=self.dossier_code.text(),
            procedure_code=self.procedure_code.text(),
        )

    def work(self) -> Callable[[], ComplaintInfo]:
        ctx, data = self.session.ctx, self.to_input()
        return lambda: receive_complaint(ctx, data)


def _summary(info: ComplaintInfo) -> QLabel:
    content = info.content if len(info.content) <= 160 else info.content[:159] + "…"
    label = QLabel(
        f"<b>{html.escape(info.code)}</b> — {html.escape(info.sender_name)}<br>"
        f"{html.escape(content)}"
    )
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class AssignComplaintDialog(ComplaintStepDialog):
    """Giao xử lý: who (a person or a body) handles it."""

    def __init__(
        self, session: Session, info: ComplaintInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, f"Giao xử lý phản ánh — {info.code}", parent)
        self.info = info
        self.assignee = QComboBox()
        self.assignee.setEditable(True)
        self.assignee.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        bodies = list(COMMON_BODIES)
        if info.assignee and info.assignee not in bodies:
            bodies.insert(0, info.assignee)
        self.assignee.addItems(bodies)
        self.assignee.setCurrentText(info.assignee)
        line = self.assignee.lineEdit()
        if line is not None:
            line.setPlaceholderText("Chọn (↓) hoặc gõ tên người, bộ phận")
            line.textEdited.connect(lambda _t: self.errors["assignee"].set_error(None))
        self.add_row(_summary(info))
        self.add_field("assignee", "&Người, bộ phận xử lý", self.assignee)
        self.resize(560, self.sizeHint().height())
        self.assignee.setFocus()

    def work(self) -> Callable[[], ComplaintInfo]:
        ctx, code, who = self.session.ctx, self.info.code, self.assignee.currentText()
        return lambda: assign_complaint(ctx, code, who)


class AnswerComplaintDialog(ComplaintStepDialog):
    """Trả lời: the answer given to the sender (multi-line)."""

    def __init__(
        self, session: Session, info: ComplaintInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session, f"Trả lời phản ánh — {info.code}", parent, save_text="Lưu (Ctrl+Enter)"
        )
        self.info = info
        self.answer = multiline("Nội dung trả lời người phản ánh", height=140)
        self.answer.setPlainText(info.answer)
        self.add_row(_summary(info))
        self.add_field("answer", "&Nội dung trả lời", self.answer)
        self.add_hint(MULTILINE_HINT)
        self.resize(640, self.sizeHint().height())
        self.answer.setFocus()

    def work(self) -> Callable[[], ComplaintInfo]:
        text = self.answer.toPlainText()
        ctx, code = self.session.ctx, self.info.code
        return lambda: answer_complaint(ctx, code, text)


class CloseComplaintDialog(ComplaintStepDialog):
    """Kết thúc: a confirmation (Enter) after the answer was given."""

    def __init__(
        self, session: Session, info: ComplaintInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            session, f"Kết thúc phản ánh — {info.code}", parent, save_text="Kết thúc (Enter)"
        )
        self.info = info
        self.add_row(_summary(info))
        question = QLabel(
            "Kết thúc xử lý phản ánh, kiến nghị này? Sau khi kết thúc không sửa được."
        )
        question.setWordWrap(True)
        self.add_row(question)
        self.resize(520, self.sizeHint().height())
        self.ok_button.setFocus()

    def work(self) -> Callable[[], ComplaintInfo]:
        ctx, code = self.session.ctx, self.info.code
        return lambda: close_complaint(ctx, code)
