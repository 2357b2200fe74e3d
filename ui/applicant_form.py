"""Who is applying: a citizen (CCCD) or an organisation (tax code), with inline checks.

A field is checked with the domain's own validators when the clerk leaves it; the message
appears in red under it and disappears as soon as the value is fixed. An empty field the
clerk has not typed in yet is not nagged about: the Save refuses it if it is required.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from counter_app.domain.clock import now_vn
from counter_app.domain.identity import (
    MAX_ADDRESS,
    MAX_NAME,
    ApplicantInput,
    ApplicantKind,
    Sex,
    clean_text,
    validate_cccd,
    validate_dob,
    validate_email,
    validate_phone,
    validate_tax_code,
)
from counter_app.errors import ValidationError
from ui.widgets import ErrorLabel, single_tab_stop

DOB_MASK = "99/99/9999;_"
DOB_FORMAT_ERROR = "Ngày sinh không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 05/03/1990."
# The order a refusal moves focus in: the first bad field from the top.
FIELD_ORDER = ("name", "id_number", "tax_code", "dob", "sex", "address", "phone", "email")
_NO_CHECK_REASONS = (
    Qt.FocusReason.ActiveWindowFocusReason,
    Qt.FocusReason.PopupFocusReason,
)


def parse_dob(text: str) -> date | None:
    """dd/mm/yyyy from the masked box; None when left empty. Raises ValidationError."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return None
    try:
        day, month, year = (int(part) for part in text.replace("_", "").split("/"))
        if year < 1000:
            raise ValueError(text)
        return date(year, month, day)
    except ValueError:
        raise ValidationError.single("dob", DOB_FORMAT_ERROR) from None


class ApplicantForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.citizen = QRadioButton("Công dân")
        self.organisation = QRadioButton("Tổ chức")
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.citizen)
        self.kind_group.addButton(self.organisation)
        self.citizen.setChecked(True)
        single_tab_stop(self.kind_group)

        self.name = QLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(20)
        self.dob = QLineEdit()
        self.dob.setInputMask(DOB_MASK)
        self.dob.setMaximumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.sex = QComboBox()
        self.sex.addItems(["—", "Nam", "Nữ"])
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("ví dụ 0912345678")
        self.email = QLineEdit()

        self.errors: dict[str, ErrorLabel] = {
            key: ErrorLabel() for key in ("name", "id_number", "dob", "address", "phone", "email")
        }
        self.name_label = QLabel("Họ và tên")
        self.id_label = QLabel("Số CCCD")
        self.dob_label = QLabel("Ngày sinh")
        self.sex_label = QLabel("Giới tính")

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.citizen)
        kind_row.addWidget(self.organisation)
        kind_row.addStretch(1)
        grid.addWidget(QLabel("Người nộp là"), 0, 0)
        grid.addLayout(kind_row, 0, 1, 1, 3)
        self._row(grid, 1, self.name_label, self.name, "name", span=3)
        self._row(grid, 3, self.id_label, self.id_number, "id_number", span=3)
        self._row(grid, 5, self.dob_label, self.dob, "dob")
        grid.addWidget(self.sex_label, 5, 2)
        grid.addWidget(self.sex, 5, 3, Qt.AlignmentFlag.AlignLeft)
        self._row(grid, 7, QLabel("Địa chỉ"), self.address, "address", span=3)
        self._row(grid, 9, QLabel("Số điện thoại"), self.phone, "phone")
        self._row(grid, 11, QLabel("Email"), self.email, "email", span=3)

        self._touched: set[QWidget] = set()
        self._checks: dict[QWidget, Callable[[], None]] = {
            self.name: self.check_name,
            self.id_number: self.check_id,
            self.dob: self.check_dob,
            self.address: self.check_address,
            self.phone: self.check_phone,
            self.email: self.check_email,
        }
        for edit in (self.name, self.id_number, self.dob, self.address, self.phone, self.email):
            edit.installEventFilter(self)
            edit.textEdited.connect(lambda _t, w=edit: self._on_edited(w))
        self.sex.currentIndexChanged.connect(lambda _i: self._recheck_id())
        self.citizen.toggled.connect(self._on_kind_changed)
        self._on_kind_changed(True)

    def _row(
        self, grid: QGridLayout, row: int, label: QLabel, field: QWidget, key: str, span: int = 1
    ) -> None:
        grid.addWidget(label, row, 0)
        grid.addWidget(field, row, 1, 1, span)
        # The message may use the whole width even when the field does not.
        grid.addWidget(self.errors[key], row + 1, 1, 1, 3)

    # --- reading and resetting ----------------------------------------------------------------

    @property
    def kind(self) -> ApplicantKind:
        return ApplicantKind.CITIZEN if self.citizen.isChecked() else ApplicantKind.ORGANISATION

    def sex_value(self) -> Sex | None:
        # By position: Qt hands user data back as a plain str, not as the enum.
        return {1: Sex.MALE, 2: Sex.FEMALE}.get(self.sex.currentIndex())

    def to_input(self) -> ApplicantInput:
        """What the clerk typed; raises ValidationError only for an unreadable date."""
        citizen = self.kind is ApplicantKind.CITIZEN
        return ApplicantInput(
            name=self.name.text(),
            kind=self.kind,
            id_number=self.id_number.text() if citizen else "",
            tax_code="" if citizen else self.id_number.text(),
            dob=parse_dob(self.dob.text()) if citizen else None,
            sex=self.sex_value() if citizen else None,
            address=self.address.text(),
            phone=self.phone.text(),
            email=self.email.text(),
        )

    def has_data(self) -> bool:
        texts = (self.name, self.id_number, self.address, self.phone, self.email)
        return (
            any(edit.text().strip() for edit in texts)
            or bool(parse_dob_digits(self.dob.text()))
            or self.sex.currentIndex() > 0
        )

    def clear(self) -> None:
        self._touched.clear()
        self.citizen.setChecked(True)
        for edit in (self.name, self.id_number, self.dob, self.address, self.phone, self.email):
            edit.clear()
        self.sex.setCurrentIndex(0)
        self.clear_errors()

    # --- errors -------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.set_error(None)

    def widget_for(self, field: str) -> QWidget | None:
        return {
            "name": self.name,
            "id_number": self.id_number,
            "tax_code": self.id_number,
            "dob": self.dob,
            "sex": self.sex,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
        }.get(field)

    def set_error(self, field: str, message: str | None) -> None:
        key = "id_number" if field == "tax_code" else field
        if key == "sex":
            key = "dob"  # sex has no line of its own: it sits beside the date of birth
        label = self.errors.get(key)
        if label is not None:
            label.set_error(message)

    def error_text(self, field: str) -> str:
        label = self.errors.get("id_number" if field == "tax_code" else field)
        return label.message if label is not None else ""

    # --- inline checks --------------------------------------------------------------------

    def _run(self, field: str, check: Callable[[], object]) -> bool:
        try:
            check()
        except ValidationError as err:
            self.set_error(field, err.fields.get(field) or err.message)
            return False
        self.set_error(field, None)
        return True

    def check_name(self) -> None:
        if self.name in self._touched:
            self._run(
                "name",
                lambda: clean_text("name", self.name.text(), required=True, max_len=MAX_NAME),
            )

    def check_id(self) -> None:
        text = self.id_number.text()
        if not text.strip() and self.id_number not in self._touched:
            return
        if self.kind is ApplicantKind.ORGANISATION:
            self._run("tax_code", lambda: validate_tax_code(text))
            return
        try:
            dob = parse_dob(self.dob.text())
        except ValidationError:
            dob = None  # the date has its own message; check the number alone
        self._run("id_number", lambda: validate_cccd(text, dob=dob, sex=self.sex_value()))

    def check_dob(self) -> None:
        if self._run(
            "dob", lambda: validate_dob(parse_dob(self.dob.text()), today=now_vn().date())
        ):
            self._recheck_id()

    def check_address(self) -> None:
        self._run(
            "address",
            lambda: clean_text("address", self.address.text(), required=False, max_len=MAX_ADDRESS),
        )

    def check_phone(self) -> None:
        self._run("phone", lambda: validate_phone(self.phone.text()))

    def check_email(self) -> None:
        self._run("email", lambda: validate_email(self.email.text()))

    def _recheck_id(self) -> None:
        # Date of birth and sex are cross-checked against digits 4–6 of the CCCD.
        if self.id_number.text().strip():
            self.check_id()

    def _on_edited(self, widget: QWidget) -> None:
        self._touched.add(widget)
        label = self._label_of(widget)
        if label is not None and label.message:
            # Clear the message the moment the value is right; never add one mid-typing.
            previous = label.message
            self._checks[widget]()
            if label.message and label.message != previous:
                label.set_error(previous)

    def _label_of(self, widget: QWidget) -> ErrorLabel | None:
        for key, label in self.errors.items():
            if self.widget_for(key) is widget:
                return label
        return None

    def _on_kind_changed(self, citizen: bool) -> None:
        self.name_label.setText("Họ và tên" if citizen else "Tên tổ chức")
        self.id_label.setText("Số CCCD (12 số)" if citizen else "Mã số thuế")
        self.id_number.setPlaceholderText("ví dụ 001090012345" if citizen else "ví dụ 0101234567")
        for widget in (self.dob_label, self.dob, self.sex_label, self.sex):
            widget.setEnabled(citizen)
        self.errors["dob"].set_error(None)
        self.errors["id_number"].set_error(None)
        if self.id_number.text().strip():
            self.check_id()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusOut
            and isinstance(event, QFocusEvent)
            and event.reason() not in _NO_CHECK_REASONS
        ):
            check = self._checks.get(watched) if isinstance(watched, QWidget) else None
            if check is not None:
                check()
        return super().eventFilter(watched, event)


def parse_dob_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())
