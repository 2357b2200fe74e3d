"""A supervisor's corrections from the dossier window, by keyboard: amend the applicant's
details, cancel a dossier entered by mistake; a clerk who tries is shown the refusal."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.services.dossiers import get_dossier
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.tracking import change_status
from counter_app.store.models import AuditLog, Dossier, Outbox
from tests.support.counters import CLERK, sign_in_as
from ui.correction_dialogs import AmendDialog, CancelDialog
from ui.dossier_window import DossierWindow
from ui.session import Session

from .conftest import WAIT_MS, type_text

DUC = ApplicantInput(
    name="Nguyễn Văn Đức",
    id_number="001090012345",
    dob=date(1990, 5, 1),
    sex=Sex.MALE,
    address="Thôn Đông Hòa, xã An Hòa",
    phone="0912 345 678",
)


def _receive(session: Session) -> str:
    received = datetime(2026, 11, 23, 8, 0, tzinfo=VN_TZ)
    request = IntakeRequest(
        "1.004873", DUC, received_at=received, note="Nộp thay", allow_duplicate=True
    )
    return receive(session.ctx, request).code


def _open(session: Session, qtbot: QtBot, code: str) -> DossierWindow:
    window = DossierWindow(session, code)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.waitUntil(lambda: window.detail is not None, timeout=WAIT_MS)
    return window


def _press(qtbot: QtBot, window: DossierWindow, key: str) -> None:
    """Alt + the underlined letter, as the clerk does."""
    button = window.action_buttons[key]
    assert button.isVisible(), f"{key} not offered"
    if not window.isActiveWindow():
        with qtbot.waitActive(window):
            window.activateWindow()
    letter = button.text().split("&", 1)[1][0]
    qtbot.keyClick(window, letter, Qt.KeyboardModifier.AltModifier)


def _retype(box: QLineEdit, text: str) -> None:
    box.setFocus()
    box.selectAll()
    box.del_()
    type_text(box, text)


def _idle(session: Session, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)


def test_supervisor_amends_the_name_from_the_keyboard(session: Session, qtbot: QtBot) -> None:
    code = _receive(session)
    window = _open(session, qtbot, code)
    assert window.action_buttons["amend"].isVisible()
    assert window.action_buttons["cancel"].isVisible()

    _press(qtbot, window, "amend")
    qtbot.waitUntil(lambda: isinstance(window.dialog, AmendDialog), timeout=WAIT_MS)
    dialog = window.dialog
    assert isinstance(dialog, AmendDialog)
    # Filled with what the dossier holds, including the intake note.
    assert dialog.name.text() == "Nguyễn Văn Đức"
    assert dialog.id_number.text() == "001090012345"
    assert dialog.dob.text() == "01/05/1990" and dialog.sex.currentText() == "Nam"
    assert dialog.note.text() == "Nộp thay"
    _retype(dialog.name, "Nguyễn Văn Đông")
    _retype(dialog.address, "Thôn Tây Hòa, xã An Hòa")
    dialog.reason.setFocus()
    type_text(dialog.reason, "Gõ nhầm so với CCCD")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(
        lambda: (
            window.detail is not None and window.detail.summary.applicant_name == "Nguyễn Văn Đông"
        ),
        timeout=WAIT_MS,
    )
    _idle(session, qtbot)
    assert window.dialog is None and not dialog.isVisible()
    assert "Nguyễn Văn Đông" in window.fact_labels["applicant"].text()
    last = window.history.rowCount() - 1
    note = window.history.item(last, 4).text()
    assert note == "Sửa thông tin: họ tên, địa chỉ. Lý do: Gõ nhầm so với CCCD"
    item = Outbox.select().order_by(Outbox.id.desc()).first()
    assert item.kind == "dossier.amended" and item.payload["fields"] == ["name", "address"]


def test_a_refused_value_keeps_the_dialog_open_with_the_message(
    session: Session, qtbot: QtBot
) -> None:
    code = _receive(session)
    window = _open(session, qtbot, code)
    _press(qtbot, window, "amend")
    qtbot.waitUntil(lambda: isinstance(window.dialog, AmendDialog), timeout=WAIT_MS)
    dialog = window.dialog
    assert isinstance(dialog, AmendDialog)
    _retype(dialog.phone, "12")
    qtbot.keyClick(dialog.phone, Qt.Key.Key_Return)  # Enter saves from a one-line box
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)
    _idle(session, qtbot)
    assert "Số điện thoại" in dialog.error.text() and "Lý do sửa" in dialog.error.text()
    assert dialog.isVisible() and dialog.phone.text() == "12"
    assert Dossier.get(Dossier.code == code).phone == "0912345678"


def test_supervisor_cancels_a_dossier_typed_twice(session: Session, qtbot: QtBot) -> None:
    first = _receive(session)
    code = _receive(session)
    window = _open(session, qtbot, code)
    _press(qtbot, window, "cancel")
    qtbot.waitUntil(lambda: isinstance(window.dialog, CancelDialog), timeout=WAIT_MS)
    dialog = window.dialog
    assert isinstance(dialog, CancelDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    assert dialog.cause.hasFocus()
    qtbot.keyClick(dialog.cause, Qt.Key.Key_Down)  # onto "Nhầm thủ tục"…
    qtbot.keyClick(dialog.cause, Qt.Key.Key_Up)  # …and back to "Nhập trùng"
    assert dialog.cause.currentData() == "duplicate"
    # Cannot be undone: a stray Enter takes nothing.
    outbox = Outbox.select().count()
    qtbot.keyClick(dialog.cause, Qt.Key.Key_Return)
    qtbot.wait(50)
    assert dialog.isVisible() and Outbox.select().count() == outbox
    dialog.reason.setFocus()
    type_text(dialog.reason, f"Nhập trùng với {first}")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(
        lambda: window.detail is not None and window.detail.summary.status == 7, timeout=WAIT_MS
    )
    _idle(session, qtbot)
    assert not window.action_buttons["amend"].isVisible()
    assert not window.action_buttons["cancel"].isVisible()
    assert window.status_line.text() == "Hồ sơ đã kết thúc."
    last = window.history.rowCount() - 1
    assert window.history.item(last, 4).text() == f"Hủy do nhập nhầm: Nhập trùng với {first}"
    item = Outbox.select().order_by(Outbox.id.desc()).first()
    assert item.kind == "dossier.cancelled" and item.payload["cause"] == "duplicate"


def test_a_clerk_is_shown_the_refusal_and_the_attempt_is_audited(
    session: Session, qtbot: QtBot
) -> None:
    code = _receive(session)
    sign_in_as(session.ctx, CLERK)
    window = _open(session, qtbot, code)
    for key in ("amend", "cancel"):
        _press(qtbot, window, key)

        def refusal() -> QMessageBox | None:
            boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
            return next((b for b in boxes if b.isVisible()), None)

        qtbot.waitUntil(lambda: refusal() is not None, timeout=WAIT_MS)
        box = refusal()
        assert box is not None
        assert "Chỉ trưởng bộ phận hoặc quản trị" in box.text()
        assert "đã được ghi nhật ký" in box.text()
        assert window.dialog is None  # nothing to fill in
        box.done(0)
        _idle(session, qtbot)
    denied = AuditLog.select().where(AuditLog.action == "denied").order_by(AuditLog.id)
    assert [(r.actor, r.object_ref, r.detail["attempted"]) for r in denied] == [
        (CLERK, code, "dossier.amend"),
        (CLERK, code, "dossier.cancel"),
    ]
    detail = get_dossier(session.ctx, code)
    assert detail.summary.status == 2 and detail.summary.applicant_name == "Nguyễn Văn Đức"


def test_offered_only_while_the_dossier_is_open(session: Session, qtbot: QtBot) -> None:
    code = _receive(session)
    change_status(session.ctx, code, 9, note="Xong tại quầy")
    window = _open(session, qtbot, code)
    assert window.action_buttons["amend"].isVisible()  # a typo can still be fixed
    assert not window.action_buttons["cancel"].isVisible()  # it has a result: return it
    refused = _receive(session)
    change_status(session.ctx, refused, 7, note="Công dân xin rút")
    other = _open(session, qtbot, refused)
    assert not other.action_buttons["amend"].isVisible()
    assert not other.action_buttons["cancel"].isVisible()
