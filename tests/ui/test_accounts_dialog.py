"""Accounts from the keyboard: add, reset a password, change a role, disable and re-enable,
lift a sign-in lock; a clerk's attempt is refused and audited; a clerk changes their own
password. Real counter database, real services, no mocks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from counter_app.services import accounts
from counter_app.services.accounts import SignInError
from counter_app.store.models import AuditLog
from tests.support.counters import ADMIN, CLERK, PASSWORD, SUPERVISOR, sign_in_as
from tests.ui.conftest import WAIT_MS, focused, type_text
from ui.accounts_dialog import (
    COL_FULL_NAME,
    COL_ROLE,
    COL_STATE,
    AccountsDialog,
    DisableDialog,
    NewAccountDialog,
    ResetPasswordDialog,
    RoleDialog,
)
from ui.password_dialog import MISMATCH, FormDialog, PasswordDialog
from ui.session import Session

NEW_PASSWORD = "hoa-moi-2026"


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    if modifier is None:
        qtbot.keyClick(focused(), key)
    else:
        qtbot.keyClick(focused(), key, modifier)


def alt(qtbot: QtBot, key: Qt.Key) -> None:
    press(qtbot, key, Qt.KeyboardModifier.AltModifier)


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()


@pytest.fixture
def dialog(session: Session, qtbot: QtBot) -> AccountsDialog:
    dialog = AccountsDialog(session)
    show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.loaded_once, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)
    return dialog


def cell(dialog: AccountsDialog, username: str, column: int) -> str:
    row = dialog.model.row_of(username)
    assert row is not None, f"{username} is not in the list"
    return str(dialog.model.index(row, column).data())


def select(dialog: AccountsDialog, qtbot: QtBot, username: str) -> None:
    """Move to the account with the arrow keys, as a clerk would."""
    dialog.view.setFocus()
    press(qtbot, Qt.Key.Key_Home)
    for _ in range(dialog.model.rowCount()):
        info = dialog.selected()
        if info is not None and info.username == username:
            return
        press(qtbot, Qt.Key.Key_Down)
    raise AssertionError(f"{username} not reachable in the list")


def open_form(dialog: AccountsDialog, qtbot: QtBot, kind: type[FormDialog]) -> FormDialog:
    qtbot.waitUntil(lambda: isinstance(dialog.form, kind), timeout=WAIT_MS)
    form = dialog.form
    assert form is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is form, timeout=WAIT_MS)
    return form


def applied(dialog: AccountsDialog, qtbot: QtBot, text: str) -> None:
    """The form closed, the list was read again, the dialog says what it did."""
    qtbot.waitUntil(lambda: dialog.form is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: text in dialog.notice.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not dialog.session.runner.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.view, timeout=WAIT_MS)


def message_box(parent: QWidget, qtbot: QtBot) -> QMessageBox:
    qtbot.waitUntil(
        lambda: any(box.isVisible() for box in parent.findChildren(QMessageBox)),
        timeout=WAIT_MS,
    )
    return next(box for box in parent.findChildren(QMessageBox) if box.isVisible())


def audit_actions(actor: str) -> list[str]:
    return [
        row.action for row in AuditLog.select().where(AuditLog.actor == actor).order_by(AuditLog.id)
    ]


def type_password(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def test_the_list_shows_every_account_and_starts_in_the_table(
    dialog: AccountsDialog, qtbot: QtBot
) -> None:
    assert dialog.windowTitle() == "Tài khoản cán bộ"
    assert focused() is dialog.view
    assert [info.username for info in dialog.model.rows] == [CLERK, SUPERVISOR, ADMIN]
    assert cell(dialog, CLERK, COL_FULL_NAME) == "Nguyễn Thị Lan"
    assert cell(dialog, CLERK, COL_ROLE) == "Cán bộ một cửa"
    assert cell(dialog, SUPERVISOR, COL_ROLE) == "Trưởng bộ phận"
    assert cell(dialog, ADMIN, COL_ROLE) == "Quản trị"
    assert {cell(dialog, name, COL_STATE) for name in (CLERK, SUPERVISOR, ADMIN)} == {"Đang dùng"}
    assert "mai" in dialog.who_label.text() and "Trưởng bộ phận" in dialog.who_label.text()
    assert dialog.selected() is not None  # a row is current: the buttons act on it

    # Tab order: list → the buttons top to bottom (a disabled one is skipped) → Đóng.
    expected = [b for b in (*dialog.action_buttons, dialog.close_button) if b.isEnabled()]
    assert dialog.unlock_button not in expected  # nothing is locked
    order = []
    for _ in expected:
        press(qtbot, Qt.Key.Key_Tab)
        order.append(focused())
    assert order == expected

    # Enter on a button presses it; Esc leaves the form and comes back to the list.
    dialog.add_button.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    open_form(dialog, qtbot, NewAccountDialog)
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.form is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.view, timeout=WAIT_MS)

    # Enter in the list presses nothing; Esc closes the dialog.
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.form is None and dialog.isVisible()
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_supervisor_adds_a_clerk_who_can_then_sign_in(
    dialog: AccountsDialog, session: Session, qtbot: QtBot
) -> None:
    alt(qtbot, Qt.Key.Key_T)  # &Thêm tài khoản…
    form = open_form(dialog, qtbot, NewAccountDialog)
    assert isinstance(form, NewAccountDialog)
    assert focused() is form.username

    qtbot.keyClicks(focused(), "hoa.pt")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.full_name
    type_text(focused(), "Phạm Thị Hoa")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.role
    assert form.role.currentData() == "clerk"  # the usual new account
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.password
    type_password(qtbot, NEW_PASSWORD)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is form.confirm
    type_password(qtbot, NEW_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)  # Enter saves
    applied(dialog, qtbot, "Đã thêm tài khoản hoa.pt (Cán bộ một cửa).")

    assert cell(dialog, "hoa.pt", COL_FULL_NAME) == "Phạm Thị Hoa"
    assert cell(dialog, "hoa.pt", COL_ROLE) == "Cán bộ một cửa"
    assert cell(dialog, "hoa.pt", COL_STATE) == "Đang dùng"
    selected = dialog.selected()
    assert selected is not None and selected.username == "hoa.pt"
    assert "account.create" in audit_actions(SUPERVISOR)

    signed = accounts.sign_in(session.ctx, "hoa.pt", NEW_PASSWORD)
    assert (signed.full_name, signed.role) == ("Phạm Thị Hoa", "clerk")


def test_a_mismatched_confirmation_is_refused_without_a_call(
    dialog: AccountsDialog, session: Session, qtbot: QtBot
) -> None:
    before = AuditLog.select().count()
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N adds, too
    form = open_form(dialog, qtbot, NewAccountDialog)
    assert isinstance(form, NewAccountDialog)
    qtbot.keyClicks(form.username, "hoa.pt")
    type_text(form.full_name, "Phạm Thị Hoa")
    qtbot.keyClicks(form.password, NEW_PASSWORD)
    qtbot.keyClicks(form.confirm, NEW_PASSWORD + "x")
    form.confirm.setFocus()
    press(qtbot, Qt.Key.Key_Return)

    assert form.error_text("confirm") == MISMATCH
    assert form.errors["confirm"].isVisible()
    assert not form.busy and not session.runner.busy  # nothing was started
    assert form.isVisible() and focused() is form.confirm
    assert AuditLog.select().count() == before
    assert "hoa.pt" not in {info.username for info in accounts.list_operators(session.ctx)}

    # The service's own refusals land next to their fields, and the form stays open.
    form.username.clear()
    type_text(form.username, "Hoa Phạm")  # a space and a mark: not a name to sign in with
    form.confirm.clear()
    qtbot.keyClicks(form.confirm, NEW_PASSWORD)
    assert not form.errors["confirm"].isVisible()  # typing clears the old message
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(form.error_text("username")), timeout=WAIT_MS)
    assert form.error_text("username").startswith("Tên đăng nhập: 2–32 ký tự")
    assert not form.error_text("confirm")
    assert focused() is form.username
    assert form.isVisible() and dialog.form is form

    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: dialog.form is None, timeout=WAIT_MS)
    assert dialog.model.row_of("hoa.pt") is None


def test_reset_a_forgotten_password(dialog: AccountsDialog, session: Session, qtbot: QtBot) -> None:
    select(dialog, qtbot, CLERK)
    alt(qtbot, Qt.Key.Key_M)  # Đặt lại &mật khẩu…
    form = open_form(dialog, qtbot, ResetPasswordDialog)
    assert isinstance(form, ResetPasswordDialog)
    assert focused() is form.password
    type_password(qtbot, NEW_PASSWORD)
    press(qtbot, Qt.Key.Key_Tab)
    type_password(qtbot, NEW_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    applied(dialog, qtbot, "Đã đặt lại mật khẩu cho lan.")

    with pytest.raises(SignInError):
        accounts.sign_in(session.ctx, CLERK, PASSWORD)
    assert accounts.sign_in(session.ctx, CLERK, NEW_PASSWORD).username == CLERK


def test_change_a_role(dialog: AccountsDialog, session: Session, qtbot: QtBot) -> None:
    select(dialog, qtbot, CLERK)
    alt(qtbot, Qt.Key.Key_V)  # Đổi &vai trò…
    form = open_form(dialog, qtbot, RoleDialog)
    assert isinstance(form, RoleDialog)
    assert focused() is form.role and form.role.currentData() == "clerk"

    press(qtbot, Qt.Key.Key_Return)  # the same role: refused here, nothing written
    assert "chọn vai trò khác" in form.error_text("role")
    press(qtbot, Qt.Key.Key_Down)  # → Trưởng bộ phận
    assert not form.errors["role"].isVisible()
    press(qtbot, Qt.Key.Key_Return)
    applied(dialog, qtbot, "Đã đổi vai trò của lan thành Trưởng bộ phận.")

    assert cell(dialog, CLERK, COL_ROLE) == "Trưởng bộ phận"
    (lan,) = [info for info in accounts.list_operators(session.ctx) if info.username == CLERK]
    assert lan.role == "supervisor"


def test_a_supervisor_may_not_promote_anyone_to_admin(
    dialog: AccountsDialog, session: Session, qtbot: QtBot
) -> None:
    select(dialog, qtbot, CLERK)
    alt(qtbot, Qt.Key.Key_V)
    form = open_form(dialog, qtbot, RoleDialog)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Down)  # → Quản trị
    press(qtbot, Qt.Key.Key_Return)
    box = message_box(dialog, qtbot)
    assert box.text().startswith("Chỉ quản trị được đổi vai trò của lan.")
    qtbot.waitUntil(lambda: dialog.form is None, timeout=WAIT_MS)
    assert not isValid(form) or not form.isVisible()  # the form closed: it cannot fix this
    assert "denied" in audit_actions(SUPERVISOR)
    assert cell(dialog, CLERK, COL_ROLE) == "Cán bộ một cửa"


def test_disable_and_enable_an_account(
    dialog: AccountsDialog, session: Session, qtbot: QtBot
) -> None:
    select(dialog, qtbot, CLERK)
    assert dialog.active_button.text() == "&Khóa tài khoản…"
    alt(qtbot, Qt.Key.Key_K)
    form = open_form(dialog, qtbot, DisableDialog)
    assert focused() is form.ok_button
    press(qtbot, Qt.Key.Key_Return)  # Enter confirms
    applied(dialog, qtbot, "Đã khóa tài khoản lan.")

    assert cell(dialog, CLERK, COL_STATE) == "Đã khóa"
    assert dialog.active_button.text() == "Mở lại tài &khoản"
    assert not dialog.unlock_button.isEnabled()
    with pytest.raises(SignInError, match="đã bị khóa"):
        accounts.sign_in(session.ctx, CLERK, PASSWORD)

    alt(qtbot, Qt.Key.Key_K)  # re-enabling needs no confirmation
    qtbot.waitUntil(lambda: "Đã mở lại tài khoản lan." in dialog.notice.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: cell(dialog, CLERK, COL_STATE) == "Đang dùng", timeout=WAIT_MS)
    assert dialog.active_button.text() == "&Khóa tài khoản…"
    assert focused() is dialog.view
    assert accounts.sign_in(session.ctx, CLERK, PASSWORD).username == CLERK
    assert {"account.disable", "account.enable"} <= set(audit_actions(SUPERVISOR))


def test_unlock_an_account_after_five_wrong_passwords(
    dialog: AccountsDialog, session: Session, qtbot: QtBot
) -> None:
    for _ in range(5):
        with pytest.raises(SignInError):
            accounts.sign_in(session.ctx, CLERK, "sai-mat-khau")
    assert session.ctx.operator is not None and session.ctx.operator.username == SUPERVISOR
    with pytest.raises(SignInError, match="tạm khóa"):
        accounts.sign_in(session.ctx, CLERK, PASSWORD)

    press(qtbot, Qt.Key.Key_F5)  # read again
    # The suite's clock runs on from 09:00: the lock ends 15 minutes after the fifth try.
    from counter_app.store.models import Operator

    until = Operator.get(Operator.username == CLERK).locked_until
    expected = f"Tạm khóa đến {until:%H:%M}"
    qtbot.waitUntil(lambda: cell(dialog, CLERK, COL_STATE) == expected, timeout=WAIT_MS)
    select(dialog, qtbot, CLERK)
    assert dialog.unlock_button.isEnabled()
    alt(qtbot, Qt.Key.Key_N)  # Mở khóa đăng &nhập
    qtbot.waitUntil(
        lambda: "Đã mở khóa đăng nhập cho lan." in dialog.notice.text(), timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: cell(dialog, CLERK, COL_STATE) == "Đang dùng", timeout=WAIT_MS)
    assert not dialog.unlock_button.isEnabled()
    assert "account.unlock" in audit_actions(SUPERVISOR)
    assert accounts.sign_in(session.ctx, CLERK, PASSWORD).username == CLERK


def test_a_clerk_may_look_but_an_attempt_to_add_is_refused_and_audited(
    session: Session, qtbot: QtBot
) -> None:
    sign_in_as(session.ctx, CLERK)
    dialog = AccountsDialog(session)
    show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.loaded_once, timeout=WAIT_MS)
    assert "chỉ xem được" in dialog.rights_label.text()
    assert dialog.model.rowCount() == 3

    alt(qtbot, Qt.Key.Key_T)
    form = open_form(dialog, qtbot, NewAccountDialog)
    assert isinstance(form, NewAccountDialog)
    qtbot.keyClicks(form.username, "hoa.pt")
    type_text(form.full_name, "Phạm Thị Hoa")
    qtbot.keyClicks(form.password, NEW_PASSWORD)
    qtbot.keyClicks(form.confirm, NEW_PASSWORD)
    form.confirm.setFocus()
    press(qtbot, Qt.Key.Key_Return)

    box = message_box(dialog, qtbot)
    assert box.windowTitle() == "Không thực hiện được"
    assert box.text() == (
        "Chỉ trưởng bộ phận hoặc quản trị được tạo tài khoản. Tài khoản lan "
        "(cán bộ một cửa) không có quyền này; việc thử đã được ghi nhật ký."
    )
    qtbot.waitUntil(lambda: dialog.form is None, timeout=WAIT_MS)
    denied = AuditLog.select().where((AuditLog.actor == CLERK) & (AuditLog.action == "denied"))
    assert [row.detail for row in denied] == [{"attempted": "account.manage"}]
    assert "hoa.pt" not in {info.username for info in accounts.list_operators(session.ctx)}

    # A button without a form (lift a lock) is refused the same way, with the box.
    press(qtbot, Qt.Key.Key_Return)  # Đóng: back to the list
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.view, timeout=WAIT_MS)
    for _ in range(5):
        with pytest.raises(SignInError):
            accounts.sign_in(session.ctx, ADMIN, "sai-mat-khau")
    press(qtbot, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: cell(dialog, ADMIN, COL_STATE).startswith("Tạm khóa"), timeout=WAIT_MS)
    select(dialog, qtbot, ADMIN)
    alt(qtbot, Qt.Key.Key_N)
    box = message_box(dialog, qtbot)
    assert box.text().startswith("Chỉ quản trị được mở khóa tài khoản quantri.")
    assert denied.count() == 2
    assert cell(dialog, ADMIN, COL_STATE).startswith("Tạm khóa")


def test_change_own_password(session: Session, qtbot: QtBot) -> None:
    sign_in_as(session.ctx, CLERK)
    dialog = PasswordDialog(session)
    show(qtbot, dialog)
    assert dialog.windowTitle() == "Đổi mật khẩu"
    assert "<b>lan</b> — Nguyễn Thị Lan" in dialog.account_label.text()
    assert focused() is dialog.old_password
    before = AuditLog.select().count()

    # A confirmation that does not match: refused here, the service is not called.
    type_password(qtbot, PASSWORD)
    press(qtbot, Qt.Key.Key_Tab)
    type_password(qtbot, NEW_PASSWORD)
    press(qtbot, Qt.Key.Key_Tab)
    type_password(qtbot, "khac-han-2026")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.error_text("confirm") == MISMATCH
    assert not session.runner.busy and AuditLog.select().count() == before

    # A wrong current password: refused by the service beside that field.
    dialog.old_password.clear()
    dialog.confirm.clear()
    qtbot.keyClicks(dialog.old_password, "khong-phai-mat-khau")
    qtbot.keyClicks(dialog.confirm, NEW_PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.error_text("old_password")), timeout=WAIT_MS)
    assert dialog.error_text("old_password") == "Mật khẩu hiện tại không đúng."
    assert focused() is dialog.old_password
    assert dialog.isVisible()

    dialog.old_password.clear()
    qtbot.keyClicks(dialog.old_password, PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)
    assert dialog.notice is not None and "Đã đổi mật khẩu" in dialog.notice.text()
    dialog.notice.accept()

    with pytest.raises(SignInError):
        accounts.sign_in(session.ctx, CLERK, PASSWORD)
    assert accounts.sign_in(session.ctx, CLERK, NEW_PASSWORD).username == CLERK
    assert "account.password" in audit_actions(CLERK)
