"""A supervisor's corrections to a dossier already received: amend the applicant's details,
cancel a dossier entered by mistake (``services.corrections``).

Pressing either action first asks the service whether it may be taken
(``begin_correction``): a clerk is refused there, with the reason in a message box and the
attempt in the audit trail, before typing anything; so is a dossier that has ended. The
dialogs then work like the other action dialogs (``ui.action_dialogs``): Enter saves
(Ctrl+Enter inside the reason box), Esc closes, a refused field keeps the dialog open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from counter_app.domain.identity import ApplicantKind, Sex
from counter_app.services.corrections import (
    CANCEL_CAUSES,
    ApplicantChanges,
    CorrectionForm,
)
from ui.action_dialogs import ActionDialog
from ui.applicant_form import DOB_MASK, parse_dob
from ui.session import Session
from ui.widgets import hint_label

# The two actions as the dossier window labels them (Alt + the underlined letter).
CORRECTION_LABELS = {
    "amend": "&Sửa thông tin (trưởng bộ phận)…",
    "cancel": "&Hủy hồ sơ nhập nhầm…",
}
_SEXES = (None, Sex.MALE, Sex.FEMALE)


def _reason_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(80)
    return box


def _headline(form: CorrectionForm) -> QLabel:
    s = form.summary
    label = QLabel(
        f"<b>{s.code}</b> — {s.procedure_name}<br>"
        f"Người nộp: {s.applicant_name} · trạng thái {s.status} ({s.status_name})"
    )
    label.setWordWrap(True)
    return label


def _dob_text(form: CorrectionForm) -> str:
    dob = form.values.dob
    return f"{dob:%d/%m/%Y}" if dob is not None else ""


class AmendDialog(ActionDialog):
    """Every correctable value, filled with what the dossier holds; only the boxes changed
    are sent, with the reason."""

    def __init__(
        self, session: Session, form: CorrectionForm, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, f"Sửa thông tin người nộp — {form.code}", parent)
        self.correction = form
        self.citizen = form.applicant_kind == ApplicantKind.CITIZEN.value
        v = form.values
        self.name = QLineEdit(v.name or "")
        self.id_number = QLineEdit((v.id_number if self.citizen else v.tax_code) or "")
        self.id_number.setMaxLength(20)
        self.dob = QLineEdit()
        self.dob.setInputMask(DOB_MASK)
        self.dob.setText(_dob_text(form))
        self.sex = QComboBox()
        self.sex.addItems(["—", "Nam", "Nữ"])
        self.sex.setCurrentIndex(_SEXES.index(v.sex))
        self.address = QLineEdit(v.address or "")
        self.phone = QLineEdit(v.phone or "")
        self.email = QLineEdit(v.email or "")
        self.note = QLineEdit(v.note or "")
        self.reason = _reason_box(
            "Vì sao sửa, ví dụ: gõ nhầm họ tên so với CCCD công dân xuất trình"
        )
        self.form.addRow(_headline(form))
        self.form.addRow("Họ và tên:" if self.citizen else "Tên tổ chức:", self.name)
        self.form.addRow("Số CCCD:" if self.citizen else "Mã số thuế:", self.id_number)
        if self.citizen:
            self.form.addRow("Ngày sinh:", self.dob)
            self.form.addRow("Giới tính:", self.sex)
        self.form.addRow("Địa chỉ:", self.address)
        self.form.addRow("Số điện thoại:", self.phone)
        self.form.addRow("Email:", self.email)
        self.form.addRow("Ghi chú khi tiếp nhận:", self.note)
        self.form.addRow("Lý do sửa:", self.reason)
        self.form.addRow(
            hint_label(
                "Chỉ những ô đã sửa được ghi. Việc sửa được ghi vào diễn biến hồ sơ, "
                "gửi lên huyện (giá trị cũ và mới) và ghi nhật ký."
            )
        )
        self.ok_button.setText("Lưu thay đổi (Enter)")
        self.resize(620, self.sizeHint().height())
        self.name.setFocus()

    def changes(self) -> ApplicantChanges:
        """The boxes that differ from what the dossier holds (ValidationError for a date
        that cannot be read)."""
        v = self.correction.values

        def edited(box: QLineEdit, before: str | None) -> str | None:
            return box.text() if box.text() != (before or "") else None

        changed: dict[str, Any] = {
            "name": edited(self.name, v.name),
            "address": edited(self.address, v.address),
            "phone": edited(self.phone, v.phone),
            "email": edited(self.email, v.email),
            "note": edited(self.note, v.note),
        }
        clear: set[str] = set()
        if self.citizen:
            changed["id_number"] = edited(self.id_number, v.id_number)
            dob = parse_dob(self.dob.text())
            if dob != v.dob:
                if dob is None:
                    clear.add("dob")
                changed["dob"] = dob
            sex = _SEXES[self.sex.currentIndex()]
            if sex != v.sex:
                if sex is None:
                    clear.add("sex")
                changed["sex"] = sex
        else:
            changed["tax_code"] = edited(self.id_number, v.tax_code)
        return ApplicantChanges(**changed, clear=frozenset(clear))

    def work(self) -> Callable[[], Any]:
        from counter_app.services.corrections import amend_dossier

        ctx, code = self.session.ctx, self.correction.code
        changes, reason = self.changes(), self.reason.toPlainText()
        return lambda: amend_dossier(ctx, code, changes, reason)


class CancelDialog(ActionDialog):
    """Why the dossier was entered by mistake; it then ends in status 7 and stays in the
    register."""

    def __init__(
        self, session: Session, form: CorrectionForm, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, f"Hủy hồ sơ nhập nhầm — {form.code}", parent)
        self.correction = form
        self.cause = QComboBox()
        for key, label in CANCEL_CAUSES.items():
            self.cause.addItem(label, key)
        self.reason = _reason_box("Ví dụ: nhập trùng với hồ sơ 000.00.17.H26-261125-1001")
        self.form.addRow(_headline(form))
        self.form.addRow("Nguyên nhân:", self.cause)
        self.form.addRow("Lý do hủy:", self.reason)
        self.form.addRow(
            hint_label(
                "Hồ sơ chuyển sang trạng thái 7 với ghi chú “Hủy do nhập nhầm”, vẫn giữ số "
                "trong sổ theo dõi; không in phiếu cho công dân. Không hoàn tác được."
            )
        )
        self.ok_button.setText("Hủy hồ sơ này (Ctrl+Enter)")
        # It cannot be undone: Enter alone (in the cause box) presses nothing.
        for button in (self.ok_button, self.cancel_button):
            button.setDefault(False)
            button.setAutoDefault(False)
        self.cancel_button.setText("Không hủy (Esc)")
        self.resize(560, self.sizeHint().height())
        self.cause.setFocus()

    def work(self) -> Callable[[], Any]:
        from counter_app.services.corrections import cancel_dossier

        ctx, code = self.session.ctx, self.correction.code
        cause, reason = str(self.cause.currentData()), self.reason.toPlainText()
        return lambda: cancel_dossier(ctx, code, reason, cause=cause)


def correction_dialog(
    session: Session, form: CorrectionForm, action: str, parent: QWidget | None = None
) -> ActionDialog:
    if action == "amend":
        return AmendDialog(session, form, parent)
    if action == "cancel":
        return CancelDialog(session, form, parent)
    raise ValueError(f"unknown correction {action!r}")


def start_correction(
    session: Session,
    code: str,
    action: str,
    parent: QWidget,
    opened: Callable[[ActionDialog], None],
) -> None:
    """Ask the service whether ``action`` may be taken (a refusal is shown to the operator,
    and audited), then build its dialog and hand it to ``opened``."""
    from counter_app.services.corrections import begin_correction

    ctx = session.ctx
    session.op(
        parent,
        lambda: begin_correction(ctx, code, action),
        lambda form: opened(correction_dialog(session, form, action, parent)),
        writes=False,
    )
