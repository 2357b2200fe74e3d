"""First-run set-up: which agency this counter belongs to, which station it is, and its
first account (an admin, who then creates the clerks' accounts).

Each field is checked when the clerk leaves it and again on "Lưu"; nothing is stored until
every field is valid. Enter accepts (the save button is the dialog's default).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.dossier_code import validate_agency_code
from counter_app.domain.identity import clean_text
from counter_app.errors import ValidationError
from counter_app.services.context import CounterContext
from counter_app.services.dto import InstallationSettings, OperatorInfo
from counter_app.services.settings import first_run, validate_settings
from ui.background import BackgroundRunner
from ui.errors import show_error
from ui.widgets import ErrorLabel, hint_label

MAX_STATION = 9
LABELS = {
    "agency_code": "Mã định danh đơn vị",
    "agency_name": "Tên cơ quan",
    "place_name": "Địa danh ghi trên giấy tờ",
    "station": "Máy số",
    "username": "Tên đăng nhập quản trị",
    "full_name": "Họ tên quản trị",
    "password": "Mật khẩu",
    "confirm": "Nhập lại mật khẩu",
}
HINTS = {
    "agency_code": "Theo QCVN 102:2016/BTTTT, ví dụ 000.00.17.H26. Là phần đầu của mã hồ sơ.",
    "agency_name": "Ví dụ: UBND xã An Hòa (in ở góc trái giấy tiếp nhận).",
    "place_name": "Ví dụ: An Hòa (in thành “An Hòa, ngày … tháng … năm …”).",
    "station": "Mỗi máy tại quầy của cùng cơ quan phải có một số khác nhau (1–9).",
    "username": "Chữ không dấu, ví dụ quantri hoặc mai.tt. Quản trị tạo tài khoản cho cán bộ.",
    "full_name": "Họ tên in trên giấy tờ do tài khoản này lập.",
    "password": "Ít nhất 8 ký tự. Màn hình tự khóa khi để máy không dùng 10 phút.",
    "confirm": "",
}
ORDER = tuple(LABELS)


def vietnamese_message(field: str, message: str) -> str:
    """The core names some fields by their key ("agency_name không được…"): use the label."""
    if message.startswith(field):
        return LABELS.get(field, field) + message[len(field) :]
    return message


class SetupDialog(QDialog):
    def __init__(
        self, ctx: CounterContext, runner: BackgroundRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.runner = runner
        self.settings: InstallationSettings | None = None
        self.setWindowTitle("Thiết lập quầy lần đầu")
        intro_width = 700

        self.agency_code = QLineEdit()
        self.agency_code.setPlaceholderText("000.00.17.H26")
        self.agency_name = QLineEdit()
        self.agency_name.setPlaceholderText("UBND xã An Hòa")
        self.place_name = QLineEdit()
        self.place_name.setPlaceholderText("An Hòa")
        self.station = QSpinBox()
        self.station.setRange(1, MAX_STATION)
        self.station.setMaximumWidth(90)
        self.username = QLineEdit()
        self.username.setPlaceholderText("quantri")
        self.full_name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.fields: dict[str, QWidget] = {
            "agency_code": self.agency_code,
            "agency_name": self.agency_name,
            "place_name": self.place_name,
            "station": self.station,
            "username": self.username,
            "full_name": self.full_name,
            "password": self.password,
            "confirm": self.confirm,
        }
        self.errors = {key: ErrorLabel() for key in ORDER}

        intro = QLabel(
            "Máy này chưa được thiết lập. Nhập thông tin của cơ quan và của máy tại quầy; "
            "các thông tin này in trên giấy tiếp nhận và tạo nên mã hồ sơ."
        )
        intro.setWordWrap(True)
        intro.setFixedWidth(intro_width)
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        for index, key in enumerate(ORDER):
            row = index * 3
            label = QLabel(LABELS[key])
            label.setBuddy(self.fields[key])
            grid.addWidget(label, row, 0)
            grid.addWidget(self.fields[key], row, 1)
            grid.addWidget(self.errors[key], row + 1, 1)
            if HINTS[key]:
                hint = hint_label(HINTS[key])
                hint.setContentsMargins(0, 0, 0, 8)
                grid.addWidget(hint, row + 2, 1)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            "Lưu và bắt đầu (Enter)", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.buttons)
        # Grow and shrink with the error lines instead of keeping a gap below the form.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)

        self._checks: dict[QWidget, Callable[[], None]] = {
            self.agency_code: lambda: self._check(
                "agency_code", lambda: validate_agency_code(self.agency_code.text())
            ),
            self.agency_name: lambda: self._check_text("agency_name", 120),
            self.place_name: lambda: self._check_text("place_name", 80),
            self.full_name: lambda: self._check_text("full_name", 100),
        }
        for widget in self._checks:
            widget.installEventFilter(self)
        self.agency_code.setFocus()

    # --- checks -----------------------------------------------------------------------------

    def _check(self, field: str, check: Callable[[], object]) -> None:
        try:
            check()
        except ValidationError as err:
            self.errors[field].set_error(vietnamese_message(field, err.fields.get(field, "")))
        else:
            self.errors[field].set_error(None)

    def _check_text(self, field: str, max_len: int) -> None:
        edit = self.fields[field]
        assert isinstance(edit, QLineEdit)
        self._check(field, lambda: clean_text(field, edit.text(), required=True, max_len=max_len))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.FocusOut
            and isinstance(event, QFocusEvent)
            and event.reason()
            in (
                Qt.FocusReason.TabFocusReason,
                Qt.FocusReason.BacktabFocusReason,
                Qt.FocusReason.MouseFocusReason,
            )
            and isinstance(watched, QWidget)
            and isinstance(watched, QLineEdit)
            and watched.text().strip()  # an untouched empty field is refused only on Save
        ):
            check = self._checks.get(watched)
            if check is not None:
                check()
        return super().eventFilter(watched, event)

    def show_errors(self, fields: dict[str, str]) -> None:
        for key in ORDER:
            message = fields.get(key)
            self.errors[key].set_error(vietnamese_message(key, message) if message else None)
        first = next((key for key in ORDER if key in fields), None)
        if first is not None:
            self.fields[first].setFocus(Qt.FocusReason.OtherFocusReason)

    # --- accepting ----------------------------------------------------------------------------

    def accept(self) -> None:
        if not self.save_button.isEnabled():
            return  # already saving
        code, name, place = self.agency_code.text(), self.agency_name.text(), self.place_name.text()
        station = self.station.value()
        user, full, password = self.username.text(), self.full_name.text(), self.password.text()
        errors: dict[str, str] = {}
        try:
            validate_settings(agency_code=code, agency_name=name, place_name=place, station=station)
        except ValidationError as err:
            errors.update(err.fields)
        if password != self.confirm.text():
            errors["confirm"] = "Hai lần nhập mật khẩu không khớp."
        if errors:
            self.show_errors(errors)
            return
        self.show_errors({})
        self.save_button.setEnabled(False)
        ctx = self.ctx
        self.runner.run(
            lambda: first_run(
                ctx,
                agency_code=code,
                agency_name=name,
                place_name=place,
                station=station,
                admin_username=user,
                admin_full_name=full,
                admin_password=password,
            ),
            self._saved,
            self._failed,
        )

    def _saved(self, result: tuple[InstallationSettings, OperatorInfo]) -> None:
        self.settings = result[0]
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.show_errors(exc.fields)
        else:
            show_error(self, exc)
