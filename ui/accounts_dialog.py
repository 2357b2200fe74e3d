"""Tài khoản cán bộ: the counter's accounts, and what a supervisor or an admin does to them.

The list shows every account with its role and state (in use, disabled, or locked for a
while after five wrong passwords). The buttons add an account, reset a password, change a
role, disable or re-enable an account, and lift a sign-in lock. Anyone signed in may open
the list; the service decides who may change what (a supervisor manages clerks and
supervisors, only an admin touches an admin account) and writes every refusal to the
audit trail, so a refused attempt is shown as the service's message.

Keys: the focus starts in the list; Alt+T add (or Ctrl+N), Alt+M reset the password,
Alt+V change the role, Alt+K disable / re-enable, Alt+N lift the sign-in lock, F5 read
again, Esc close. Every change runs in the background through ``Session.op``; the list is
read again from ``Session.changed``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from counter_app.domain.clock import now_vn, to_vn
from counter_app.errors import ValidationError
from counter_app.services.accounts import (
    ROLES,
    create_operator,
    list_operators,
    reset_password,
    set_active,
    set_role,
    unlock,
)
from counter_app.services.dto import ROLE_NAMES, OperatorInfo
from ui.errors import show_error
from ui.password_dialog import (
    PASSWORD_HINT,
    FormDialog,
    check_confirmed,
    password_box,
)
from ui.session import Session
from ui.widgets import HINT_STYLE, hint_label

Index = QModelIndex | QPersistentModelIndex

HEADERS = ("Tên đăng nhập", "Họ và tên", "Vai trò", "Trạng thái")
COL_USERNAME, COL_FULL_NAME, COL_ROLE, COL_STATE = range(4)
IN_USE = "Đang dùng"
DISABLED = "Đã khóa"
DISABLED_COLOUR = QColor("#80868b")
LOCKED_COLOUR = QColor("#b3261e")
NOTICE_STYLE = "color: #1e6b34;"
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
ROLE_HINT = (
    "Cán bộ một cửa: tiếp nhận, trả kết quả. Trưởng bộ phận: thêm việc quản lý tài khoản "
    "cán bộ. Quản trị: mọi việc, kể cả tài khoản quản trị."
)

RIGHTS = {
    "clerk": (
        "Tài khoản cán bộ một cửa chỉ xem được danh sách này. Thêm hoặc sửa tài khoản cần "
        "trưởng bộ phận hoặc quản trị; mỗi lần thử đều được ghi vào nhật ký."
    ),
    "supervisor": (
        "Trưởng bộ phận quản lý tài khoản cán bộ một cửa và trưởng bộ phận; "
        "tài khoản quản trị do quản trị quản lý."
    ),
    "admin": "Quản trị quản lý mọi tài khoản; luôn phải còn ít nhất một quản trị đang dùng.",
}


def is_locked(info: OperatorInfo, now: datetime) -> bool:
    """Locked for a while after too many wrong passwords."""
    return info.locked_until is not None and info.locked_until > now


def state_text(info: OperatorInfo, now: datetime) -> str:
    if not info.active:
        return DISABLED
    if info.locked_until is not None and is_locked(info, now):
        return f"Tạm khóa đến {to_vn(info.locked_until):%H:%M}"
    return IN_USE


def account_line(info: OperatorInfo) -> str:
    return f"<b>{html.escape(info.username)}</b> — {html.escape(info.full_name)} ({info.role_name})"


class AccountsModel(QAbstractTableModel):
    """The accounts as the last read found them (a few dozen rows: no paging)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[OperatorInfo] = []
        self.now = now_vn()

    def set_rows(self, rows: Sequence[OperatorInfo], now: datetime) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.now = now
        self.endResetModel()

    def item(self, row: int) -> OperatorInfo | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def row_of(self, username: str) -> int | None:
        for row, info in enumerate(self.rows):
            if info.username == username:
                return row
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        info = self.item(index.row()) if index.isValid() else None
        if info is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_USERNAME:
                return info.username
            if column == COL_FULL_NAME:
                return info.full_name
            if column == COL_ROLE:
                return info.role_name
            return state_text(info, self.now)
        if role == Qt.ItemDataRole.ForegroundRole:
            if not info.active:
                return QBrush(DISABLED_COLOUR)
            if column == COL_STATE and is_locked(info, self.now):
                return QBrush(LOCKED_COLOUR)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column == COL_STATE:
            if not info.active:
                return "Không đăng nhập được cho đến khi mở lại tài khoản (Alt+K)."
            if is_locked(info, self.now):
                return "Nhập sai mật khẩu 5 lần. Mở khóa ngay bằng Alt+N."
            if info.failed_logins:
                return f"Đã nhập sai mật khẩu {info.failed_logins} lần liên tiếp."
        return None


# --- the forms -----------------------------------------------------------------------------


class NewAccountDialog(FormDialog):
    """Thêm tài khoản: name to sign in with, full name, role, password twice."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, "Thêm tài khoản cán bộ", parent, save_text="Thêm (Enter)")
        self.username = QLineEdit()
        self.username.setPlaceholderText("ví dụ: lan.nt")
        self.username.setMaxLength(32)
        self.full_name = QLineEdit()
        self.full_name.setPlaceholderText("ví dụ: Nguyễn Thị Lan")
        self.role = QComboBox()
        for key in ROLES:
            self.role.addItem(ROLE_NAMES[key], key)
        self.password = password_box()
        self.confirm = password_box()
        self.add_field(
            "username",
            "&Tên đăng nhập",
            self.username,
            "Chữ không dấu, chữ số, dấu chấm, gạch nối; 2–32 ký tự.",
        )
        self.add_field(
            "full_name", "&Họ và tên", self.full_name, "In trên giấy tờ do tài khoản này lập."
        )
        self.add_field("role", "&Vai trò", self.role, ROLE_HINT)
        self.add_field("password", "&Mật khẩu", self.password, PASSWORD_HINT)
        self.add_field("confirm", "&Nhập lại mật khẩu", self.confirm)
        self.add_row(
            hint_label(
                "Báo mật khẩu cho người dùng trực tiếp; họ nên tự đổi ngay sau lần đăng "
                "nhập đầu tiên (Hệ thống → Đổi mật khẩu)."
            )
        )
        self.resize(560, self.sizeHint().height())
        self.username.setFocus()

    def work(self) -> Callable[[], OperatorInfo]:
        check_confirmed(self.password, self.confirm)
        ctx = self.session.ctx
        username, full_name = self.username.text(), self.full_name.text()
        role, password = str(self.role.currentData()), self.password.text()
        return lambda: create_operator(ctx, username, full_name, role, password)


class ResetPasswordDialog(FormDialog):
    """Đặt lại mật khẩu of someone who forgot theirs (also lifts a sign-in lock)."""

    def __init__(self, session: Session, info: OperatorInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            session, f"Đặt lại mật khẩu — {info.username}", parent, save_text="Đặt lại (Enter)"
        )
        self.info = info
        summary = QLabel(account_line(info))
        summary.setTextFormat(Qt.TextFormat.RichText)
        self.add_row(summary)
        self.password = password_box()
        self.confirm = password_box()
        self.add_field("password", "Mật khẩu &mới", self.password, PASSWORD_HINT)
        self.add_field("confirm", "&Nhập lại mật khẩu", self.confirm)
        self.add_row(
            hint_label("Báo mật khẩu mới cho người dùng; họ nên tự đổi ngay khi đăng nhập.")
        )
        self.resize(520, self.sizeHint().height())
        self.password.setFocus()

    def work(self) -> Callable[[], OperatorInfo]:
        check_confirmed(self.password, self.confirm)
        ctx, username, password = self.session.ctx, self.info.username, self.password.text()
        return lambda: reset_password(ctx, username, password)


class RoleDialog(FormDialog):
    """Đổi vai trò: clerk, supervisor or admin."""

    def __init__(self, session: Session, info: OperatorInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            session, f"Đổi vai trò — {info.username}", parent, save_text="Đổi vai trò (Enter)"
        )
        self.info = info
        summary = QLabel(account_line(info))
        summary.setTextFormat(Qt.TextFormat.RichText)
        self.add_row(summary)
        self.role = QComboBox()
        for key in ROLES:
            self.role.addItem(ROLE_NAMES[key], key)
        self.role.setCurrentIndex(max(0, self.role.findData(info.role)))
        self.add_field("role", "&Vai trò mới", self.role, ROLE_HINT)
        self.resize(480, self.sizeHint().height())
        self.role.setFocus()

    def work(self) -> Callable[[], OperatorInfo]:
        role = str(self.role.currentData())
        if role == self.info.role:
            raise ValidationError.single(
                "role", f"{self.info.username} đang là {self.info.role_name}: chọn vai trò khác."
            )
        ctx, username = self.session.ctx, self.info.username
        return lambda: set_role(ctx, username, role)


class DisableDialog(FormDialog):
    """Khóa tài khoản: asks before an account stops being able to sign in."""

    def __init__(self, session: Session, info: OperatorInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            session, f"Khóa tài khoản — {info.username}", parent, save_text="Khóa (Enter)"
        )
        self.info = info
        summary = QLabel(account_line(info))
        summary.setTextFormat(Qt.TextFormat.RichText)
        self.add_row(summary)
        question = QLabel(
            "Khóa tài khoản này? Người dùng sẽ không đăng nhập được cho đến khi tài khoản "
            "được mở lại. Hồ sơ và nhật ký của họ vẫn giữ nguyên."
        )
        question.setWordWrap(True)
        self.add_row(question)
        self.resize(500, self.sizeHint().height())
        self.ok_button.setFocus()

    def work(self) -> Callable[[], OperatorInfo]:
        ctx, username = self.session.ctx, self.info.username
        return lambda: set_active(ctx, username, False)


# --- the list ------------------------------------------------------------------------------


class AccountsDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Tài khoản cán bộ")
        self.form: FormDialog | None = None
        self.loaded_once = False
        self._generation = 0
        self._running = False  # a change started from a button, not yet back
        self._want: str | None = None  # select this account when the list lands

        self.who_label = QLabel()
        self.who_label.setTextFormat(Qt.TextFormat.RichText)
        self.rights_label = hint_label("")
        self._show_who()

        self.model = AccountsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(False)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 10)
        self._size_columns()

        self.notice = QLabel()  # what the last change did
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)

        self.add_button = QPushButton("&Thêm tài khoản…")
        self.add_button.setToolTip("Tạo tài khoản cho cán bộ mới (Alt+T hoặc Ctrl+N)")
        self.reset_button = QPushButton("Đặt lại &mật khẩu…")
        self.reset_button.setToolTip("Đặt mật khẩu mới cho người quên mật khẩu (Alt+M)")
        self.role_button = QPushButton("Đổi &vai trò…")
        self.role_button.setToolTip("Cán bộ một cửa, trưởng bộ phận hoặc quản trị (Alt+V)")
        self.active_button = QPushButton("&Khóa tài khoản…")
        self.unlock_button = QPushButton("Mở khóa đăng &nhập")
        self.unlock_button.setToolTip(
            "Cho đăng nhập lại ngay tài khoản bị tạm khóa do nhập sai mật khẩu 5 lần (Alt+N)"
        )
        self.close_button = QPushButton("Đóng (Esc)")
        self.action_buttons = (
            self.add_button,
            self.reset_button,
            self.role_button,
            self.active_button,
            self.unlock_button,
        )
        # Enter on a focused button presses it; Enter in the list does nothing (no default).
        for button in (*self.action_buttons, self.close_button):
            button.setAutoDefault(True)
            button.setDefault(False)
        # The disable/enable button changes its words; keep it wide enough for both.
        width = max(
            self.active_button.fontMetrics().horizontalAdvance(text)
            for text in ("Khóa tài khoản…", "Mở lại tài khoản", "Mở khóa đăng nhập")
        )
        for button in (*self.action_buttons, self.close_button):
            button.setMinimumWidth(width + 32)

        side = QVBoxLayout()
        side.setSpacing(6)
        for button in self.action_buttons:
            side.addWidget(button)
        side.addStretch(1)
        side.addWidget(self.close_button)
        middle = QHBoxLayout()
        middle.addWidget(self.view, 1)
        middle.addLayout(side)
        keys = QLabel(
            "Alt + chữ gạch chân: bấm nút · Ctrl+N: thêm tài khoản · F5: đọc lại · Esc: đóng"
        )
        keys.setStyleSheet(HINT_STYLE)
        keys.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.who_label)
        layout.addWidget(self.rights_label)
        layout.addLayout(middle, 1)
        layout.addWidget(self.notice)
        layout.addWidget(keys)

        for first, second in (
            (self.view, self.add_button),
            (self.add_button, self.reset_button),
            (self.reset_button, self.role_button),
            (self.role_button, self.active_button),
            (self.active_button, self.unlock_button),
            (self.unlock_button, self.close_button),
        ):
            QWidget.setTabOrder(first, second)

        self.view.installEventFilter(self)
        self.view.selectionModel().currentRowChanged.connect(
            lambda _now, _before: self._update_buttons()
        )
        self.model.modelReset.connect(self._update_buttons)
        self.add_button.clicked.connect(self.add_account)
        self.reset_button.clicked.connect(self.reset_selected)
        self.role_button.clicked.connect(self.change_role_selected)
        self.active_button.clicked.connect(self.toggle_active_selected)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.close_button.clicked.connect(self.reject)
        for keys_text, slot in (("Ctrl+N", self.add_account), ("F5", self.reload)):
            QShortcut(QKeySequence(keys_text), self).activated.connect(slot)
        self._stale = False
        session.changed.connect(self._on_changed)

        self.resize(860, 460)
        self.view.setFocus()
        self._update_buttons()
        self.reload()

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_FULL_NAME, QHeaderView.ResizeMode.Stretch)
        metrics = self.view.fontMetrics()
        pad = 24
        header.resizeSection(COL_USERNAME, metrics.horizontalAdvance("nguyen.thi.phuong") + pad)
        header.resizeSection(COL_ROLE, metrics.horizontalAdvance("Cán bộ một cửa") + pad)
        header.resizeSection(COL_STATE, metrics.horizontalAdvance("Tạm khóa đến 00:00") + pad)
        header.setMinimumSectionSize(60)

    # --- reading --------------------------------------------------------------------------

    def _on_changed(self) -> None:
        # Kept hidden between uses, the dialog reads again when it is shown next.
        if self.isVisible():
            self.reload()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.reload()

    def reload(self) -> None:
        """Read the accounts again (in the background)."""
        self._generation += 1
        generation = self._generation
        ctx = self.session.ctx

        def read() -> tuple[list[OperatorInfo], datetime]:
            return list_operators(ctx), now_vn()

        def loaded(result: tuple[list[OperatorInfo], datetime]) -> None:
            if generation != self._generation or not isValid(self):
                return  # a newer read is on its way
            current = self.selected()
            if self._want is None and current is not None:
                self._want = current.username
            rows, now = result
            self.model.set_rows(rows, now)
            self.loaded_once = True
            self._show_who()
            self._select_wanted()

        self.session.op(self, read, loaded, writes=False)

    def _show_who(self) -> None:
        """Who is signed in and what their role may do here (their role may just have
        changed)."""
        operator = self.session.ctx.operator
        if operator is None:
            self.who_label.setText("Chưa đăng nhập.")
            self.rights_label.setText("")
            return
        self.who_label.setText(
            f"Đang đăng nhập: <b>{html.escape(operator.username)}</b> — "
            f"{html.escape(operator.full_name)} ({operator.role_name})"
        )
        self.rights_label.setText(RIGHTS.get(operator.role, ""))

    def _select_wanted(self) -> None:
        row = self.model.row_of(self._want) if self._want else None
        self._want = None
        if row is None:
            row = 0 if self.model.rowCount() else None
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, COL_USERNAME))
        self._update_buttons()

    def selected(self) -> OperatorInfo | None:
        index = self.view.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def _update_buttons(self) -> None:
        info = self.selected()
        for button in (self.reset_button, self.role_button, self.active_button):
            button.setEnabled(info is not None)
        if info is not None and not info.active:
            self.active_button.setText("Mở lại tài &khoản")
            self.active_button.setToolTip("Cho tài khoản đã khóa đăng nhập lại (Alt+K)")
        else:
            self.active_button.setText("&Khóa tài khoản…")
            self.active_button.setToolTip(
                "Không cho tài khoản này đăng nhập nữa, ví dụ người đã chuyển công tác (Alt+K)"
            )
        self.unlock_button.setEnabled(
            info is not None and info.active and is_locked(info, self.model.now)
        )

    # --- the actions ----------------------------------------------------------------------

    def add_account(self) -> None:
        self._open_form(
            NewAccountDialog(self.session, self),
            lambda info: f"Đã thêm tài khoản {info.username} ({info.role_name}).",
        )

    def reset_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self._open_form(
                ResetPasswordDialog(self.session, info, self),
                lambda done: (
                    f"Đã đặt lại mật khẩu cho {done.username}. Hãy báo mật khẩu mới cho người dùng."
                ),
            )

    def change_role_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self._open_form(
                RoleDialog(self.session, info, self),
                lambda done: f"Đã đổi vai trò của {done.username} thành {done.role_name}.",
            )

    def toggle_active_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        if info.active:
            self._open_form(
                DisableDialog(self.session, info, self),
                lambda done: f"Đã khóa tài khoản {done.username}.",
            )
            return
        ctx, username = self.session.ctx, info.username
        self._run(
            lambda: set_active(ctx, username, True),
            lambda done: f"Đã mở lại tài khoản {done.username}.",
        )

    def unlock_selected(self) -> None:
        info = self.selected()
        if info is None or not self.unlock_button.isEnabled():
            return
        ctx, username = self.session.ctx, info.username
        self._run(
            lambda: unlock(ctx, username),
            lambda done: f"Đã mở khóa đăng nhập cho {done.username}.",
        )

    def _open_form(self, form: FormDialog, message: Callable[[OperatorInfo], str]) -> None:
        if self._running or (
            self.form is not None and isValid(self.form) and self.form.isVisible()
        ):
            form.deleteLater()
            return
        self.form = form
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.on_refused = self._refused
        form.done_with.connect(lambda info: self._applied(info, message(info)))
        form.finished.connect(lambda _r: self._form_closed(form))
        form.open()

    def _form_closed(self, form: FormDialog) -> None:
        if self.form is form:
            self.form = None
        self._back_to_list()

    def _run(self, fn: Callable[[], OperatorInfo], message: Callable[[OperatorInfo], str]) -> None:
        """A change that needs no form: run it, say what it did, or show the refusal."""
        if self._running:
            return  # a double press must not run it twice
        self._running = True

        def done(info: OperatorInfo) -> None:
            self._running = False
            self._applied(info, message(info))

        def failed(exc: BaseException) -> None:
            self._running = False
            self._refused(exc)

        self.session.op(self, fn, done, on_error=failed)

    def _refused(self, exc: BaseException) -> None:
        """The service's refusal (audited by it) as a message; then back to the list."""
        before = set(self.findChildren(QMessageBox))
        show_error(self, exc)
        for box in self.findChildren(QMessageBox):
            if box not in before:
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.finished.connect(lambda _r: self._back_to_list())

    def _back_to_list(self) -> None:
        if isValid(self) and self.isVisible():
            self.activateWindow()
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _applied(self, info: OperatorInfo, message: str) -> None:
        # ``changed`` already started the new read; select this account when it lands.
        self._want = info.username
        self.notice.setText(message)
        row = self.model.row_of(info.username)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, COL_USERNAME))

    # --- keys -----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.view
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER
            and event.modifiers()
            in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        ):
            return True  # Enter in the list must not press whichever button is default
        return super().eventFilter(watched, event)
