"""Small keyboard-first dialogs for the actions on a dossier: hand-over, the notices with a
reason (Mẫu 02, 03, 04, 05), withdrawal, and the return of the result with the rating.

Each dialog runs its service call itself (on a worker, through ``Session.op``): a refused
field is shown in the dialog, which stays open with what was typed; anything else closes
it with a message. Enter submits (Ctrl+Enter inside a multi-line box), Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import VN_TZ
from counter_app.domain.parties import COMMON_BODIES, COUNTER_PARTY
from counter_app.errors import ValidationError
from counter_app.services.dto import RATINGS, DocumentLine
from counter_app.services.returns import ReturnRequest
from ui.errors import show_error
from ui.session import Session
from ui.widgets import ErrorLabel, hint_label, single_tab_stop


class ActionDialog(QDialog):
    """Base: a form, an error line, OK/Cancel; ``done_with(result)`` fires on success."""

    done_with = Signal(object)

    def __init__(self, session: Session, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle(title)
        self.setModal(True)
        self.form = QFormLayout()
        self.error = ErrorLabel()
        self.ok_button = QPushButton("Lưu (Enter)")
        self.ok_button.setDefault(True)
        self.cancel_button = QPushButton("Hủy (Esc)")
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self).activated.connect(self.submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.busy = False

    def work(self) -> Callable[[], Any]:
        """The service call to run, built from the fields (raise ValidationError to refuse)."""
        raise NotImplementedError

    def submit(self) -> None:
        if self.busy:
            return  # a double press must not run the action twice
        try:
            fn = self.work()
        except ValidationError as err:
            self.error.set_error("\n".join(err.fields.values()))
            return
        self.busy = True
        self.ok_button.setEnabled(False)
        self.error.set_error(None)
        self.session.op(self, fn, self._done, on_error=self._failed)

    def _done(self, result: Any) -> None:
        self.busy = False
        self.accept()
        self.done_with.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.error.set_error("\n".join(exc.fields.values()))
            return
        self.reject()
        show_error(self.parentWidget(), exc)


def _multiline(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(80)
    return box


def _moment(edit: QDateTimeEdit) -> datetime:
    value = edit.dateTime().toPython()
    assert isinstance(value, datetime)
    return value.replace(tzinfo=VN_TZ, second=0, microsecond=0)


class HandoverDialog(ActionDialog):
    """Send the dossier to a processing body, or take the result back at the counter."""

    def __init__(
        self,
        session: Session,
        code: str,
        *,
        holder: str,
        result_ready: bool,
        parent: QWidget | None = None,
    ) -> None:
        title = "Nhận kết quả từ cơ quan giải quyết" if result_ready else "Chuyển hồ sơ"
        super().__init__(session, f"{title} — {code}", parent)
        self.code = code
        self.result_ready = result_ready
        self.to_party = QComboBox()
        self.to_party.setEditable(True)
        if result_ready:
            self.to_party.addItem(COUNTER_PARTY)
            self.to_party.setEnabled(False)
        else:
            self.to_party.addItems([b for b in COMMON_BODIES if b != holder])
        me = session.ctx.operator.full_name if session.ctx.operator else ""
        self.giver = QLineEdit(holder if holder != COUNTER_PARTY else me)
        self.taker = QLineEdit(me if result_ready else "")
        self.note = QLineEdit()
        self.form.addRow(QLabel(f"Từ: <b>{holder}</b>"))
        self.form.addRow("Chuyển đến:", self.to_party)
        self.form.addRow("Người giao:", self.giver)
        self.form.addRow("Người nhận:", self.taker)
        self.form.addRow("Ghi chú:", self.note)
        if result_ready:
            self.form.addRow(hint_label("Hồ sơ sẽ chuyển sang “Đã xử lý xong”, chờ trả kết quả."))

    def work(self) -> Callable[[], Any]:
        from counter_app.services.tracking import hand_over

        ctx, code = self.session.ctx, self.code
        to, giver, taker = self.to_party.currentText(), self.giver.text(), self.taker.text()
        note, ready = self.note.text(), self.result_ready
        return lambda: hand_over(
            ctx, code, to, giver=giver, taker=taker, note=note, result_ready=ready
        )


class ReasonDialog(ActionDialog):
    """A notice with a written reason: Mẫu 02 (with the documents to add), 03, 05, 04 (with
    the new due date), or a withdrawal / resume note."""

    TITLES: ClassVar[dict[str, str]] = {
        "02": "Yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
        "03": "Từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)",
        "04": "Xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
        "05": "Dừng giải quyết hồ sơ (Mẫu 05)",
        "07": "Công dân rút hồ sơ",
        "resume": "Tiếp tục xử lý hồ sơ",
    }

    def __init__(
        self,
        session: Session,
        code: str,
        action: str,
        *,
        documents: tuple[DocumentLine, ...] = (),
        due_at: datetime | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, f"{self.TITLES[action]} — {code}", parent)
        self.code = code
        self.action = action
        label = {
            "02": "Nội dung cần bổ sung:",
            "04": "Lý do chậm:",
            "resume": "Ghi chú:",
        }.get(action, "Lý do:")
        self.reason = _multiline("Ghi rõ để in lên phiếu giao cho công dân")
        self.form.addRow(label, self.reason)
        self.document_boxes: list[tuple[QCheckBox, DocumentLine]] = []
        if action == "02":
            self.form.addRow(QLabel("Giấy tờ cần bổ sung (Space để đánh dấu):"))
            for line in documents:
                kind = "bản chính" if line.kind == "original" else "bản sao"
                box = QCheckBox(f"{line.name} ({kind}, {line.count})")
                self.form.addRow(box)
                self.document_boxes.append((box, line))
            self.phone = QLineEdit()
            self.form.addRow("Điện thoại người hướng dẫn:", self.phone)
        self.new_due: QDateTimeEdit | None = None
        if action == "04":
            start = (due_at or datetime.now(VN_TZ)).date()
            edit = QDateTimeEdit(
                QDateTime(QDate(start.year, start.month, start.day), QTime(17, 0)).addDays(3)
            )
            edit.setDisplayFormat("HH:mm dd/MM/yyyy")
            edit.setCalendarPopup(True)
            self.new_due = edit
            if due_at is not None:
                self.form.addRow(QLabel(f"Hẹn trả hiện tại: <b>{due_at:%H:%M %d/%m/%Y}</b>"))
            self.form.addRow("Ngày hẹn trả mới:", edit)
            self.form.addRow(hint_label("Pháp luật chỉ cho hẹn lại một lần với mỗi hồ sơ."))

    def work(self) -> Callable[[], Any]:
        from counter_app.services import tracking

        ctx, code, reason = self.session.ctx, self.code, self.reason.toPlainText()
        if self.action == "02":
            docs = tuple(line for box, line in self.document_boxes if box.isChecked())
            phone = self.phone.text()
            return lambda: tracking.request_supplement(ctx, code, reason, docs, officer_phone=phone)
        if self.action == "03":
            return lambda: tracking.refuse(ctx, code, reason)
        if self.action == "05":
            return lambda: tracking.stop(ctx, code, reason)
        if self.action == "04":
            assert self.new_due is not None
            new_due = _moment(self.new_due)
            return lambda: tracking.apologise(ctx, code, reason, new_due)
        target = 7 if self.action == "07" else 4
        return lambda: tracking.change_status(ctx, code, target, note=reason)


class ReturnDialog(ActionDialog):
    """Trả kết quả: who collected it, how, and the citizen's rating (keys 1, 2, 3)."""

    def __init__(
        self, session: Session, code: str, applicant_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, f"Trả kết quả — {code}", parent)
        self.code = code
        self.applicant_name = applicant_name
        self.by_applicant = QRadioButton("Người nộp hồ sơ")
        self.by_authorised = QRadioButton("Người được ủy quyền")
        self.by_applicant.setChecked(True)
        who = QButtonGroup(self)
        who.addButton(self.by_applicant)
        who.addButton(self.by_authorised)
        single_tab_stop(who)
        row = QHBoxLayout()
        row.addWidget(self.by_applicant)
        row.addWidget(self.by_authorised)
        row.addStretch(1)
        self.receiver = QLineEdit(applicant_name)
        self.receiver_id = QLineEdit()
        self.receiver_id.setPlaceholderText("12 chữ số, bắt buộc với người được ủy quyền")
        self.receiver_id.setMaxLength(12)
        self.channel = QComboBox()
        self.channel.addItem("Tại Bộ phận một cửa", "counter")
        self.channel.addItem("Qua dịch vụ bưu chính", "post")
        self.rating_buttons: dict[int, QRadioButton] = {}
        ratings = QHBoxLayout()
        rating_group = QButtonGroup(self)
        for value, name in RATINGS.items():
            button = QRadioButton(f"&{value} {name}")
            rating_group.addButton(button, value)
            ratings.addWidget(button)
            self.rating_buttons[value] = button
        self.no_rating = QRadioButton("Không đánh giá")
        rating_group.addButton(self.no_rating, 0)
        ratings.addWidget(self.no_rating)
        self.no_rating.setChecked(True)
        single_tab_stop(rating_group)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Ý kiến của công dân (nếu có)")
        self.form.addRow("Người nhận:", row)
        self.form.addRow("Họ tên:", self.receiver)
        self.form.addRow("Số CCCD:", self.receiver_id)
        self.form.addRow("Cách nhận:", self.channel)
        self.form.addRow("Mức hài lòng:", ratings)
        self.form.addRow("Ý kiến:", self.comment)
        self.by_authorised.toggled.connect(self._who_changed)
        self._who_changed(False)

    def _who_changed(self, authorised: bool) -> None:
        self.receiver_id.setEnabled(authorised)
        if not authorised:
            self.receiver.setText(self.applicant_name)
            self.receiver_id.clear()
        else:
            self.receiver.clear()
            self.receiver.setFocus()

    def keyPressEvent(self, event: Any) -> None:
        # 1, 2, 3 pick the rating from anywhere but a text box: the citizen says it aloud.
        digit = int(event.key()) - int(Qt.Key.Key_0)
        if not isinstance(self.focusWidget(), QLineEdit) and digit in self.rating_buttons:
            self.rating_buttons[digit].setChecked(True)
            return
        super().keyPressEvent(event)

    def request(self) -> ReturnRequest:
        rating = next((v for v, b in self.rating_buttons.items() if b.isChecked()), None)
        return ReturnRequest(
            receiver_name=self.receiver.text(),
            receiver_kind="authorised" if self.by_authorised.isChecked() else "applicant",
            receiver_id_number=self.receiver_id.text(),
            channel=str(self.channel.currentData()),
            rating=rating,
            comment=self.comment.text(),
        )

    def work(self) -> Callable[[], Any]:
        from counter_app.services.returns import return_result

        ctx, code, request = self.session.ctx, self.code, self.request()
        return lambda: return_result(ctx, code, request)
