"""Complaints and suggestions from the keyboard: receive, find, assign, answer, close."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot

from counter_app.domain.clock import VN_TZ
from counter_app.services.complaints import ComplaintInput, list_complaints, receive_complaint
from tests.ui.conftest import WAIT_MS, focused, type_text
from ui.complaint_dialogs import (
    AnswerComplaintDialog,
    AssignComplaintDialog,
    CloseComplaintDialog,
    ComplaintStepDialog,
    ReceiveComplaintDialog,
)
from ui.complaints_screen import (
    COL_ASSIGNEE,
    COL_CODE,
    COL_CONTENT,
    COL_SENDER,
    COL_STATUS,
    OVERDUE_BACKGROUND,
    ComplaintsScreen,
)
from ui.session import Session

BODY = "Công chức Tư pháp - Hộ tịch"
CONTENT = (
    "Cán bộ tiếp nhận hẹn trả kết quả đăng ký khai sinh ngày 20/11 nhưng đến nay chưa có. "
    "Đề nghị Ủy ban xem xét, trả lời rõ lý do chậm."
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def press(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    if modifier is None:
        qtbot.keyClick(focused(), key)
    else:
        qtbot.keyClick(focused(), key, modifier)


@pytest.fixture
def screen(session: Session, qtbot: QtBot) -> ComplaintsScreen:
    screen = ComplaintsScreen(session)
    qtbot.addWidget(screen)
    screen.resize(1200, 700)
    with qtbot.waitActive(screen):
        screen.show()
        screen.activateWindow()
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)
    screen.setFocus()
    return screen


def receive(session: Session, name: str, content: str, **extra: Any) -> str:
    data = ComplaintInput(sender_name=name, content=content, **extra)
    return receive_complaint(session.ctx, data).code


def reload(screen: ComplaintsScreen, qtbot: QtBot) -> None:
    with qtbot.waitSignal(screen.model.loaded, timeout=WAIT_MS):
        screen.refresh()


def cell(screen: ComplaintsScreen, row: int, column: int) -> str:
    return str(screen.model.index(row, column).data())


def open_dialog(screen: ComplaintsScreen, qtbot: QtBot, kind: type) -> ComplaintStepDialog:
    qtbot.waitUntil(lambda: isinstance(screen.dialog, kind), timeout=WAIT_MS)
    dialog = screen.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
    return dialog


def saved(screen: ComplaintsScreen, qtbot: QtBot, dialog: ComplaintStepDialog) -> None:
    qtbot.waitUntil(lambda: screen.dialog is None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.view, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not screen.session.runner.busy, timeout=WAIT_MS)
    assert dialog.result_info is not None


def test_a_complaint_received_by_keyboard_appears_in_the_list(
    screen: ComplaintsScreen, qtbot: QtBot
) -> None:
    assert screen.model.rowCount() == 0
    assert screen.open_count == 0
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = open_dialog(screen, qtbot, ReceiveComplaintDialog)
    assert isinstance(dialog, ReceiveComplaintDialog)
    assert focused() is dialog.sender_name

    type_text(focused(), "Nguyễn Văn Đức")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "0912345678")
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.channel
    press(qtbot, Qt.Key.Key_Down)  # Trực tiếp tại quầy → Điện thoại
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.content
    type_text(focused(), CONTENT)
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.procedure_code
    qtbot.keyClicks(focused(), "1.001193")
    with qtbot.waitSignal(screen.model.loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)  # Enter in the last field saves
    saved(screen, qtbot, dialog)

    (stored,) = list_complaints(screen.session.ctx)
    assert (stored.channel, stored.sender_contact, stored.procedure_code) == (
        "phone",
        "0912345678",
        "1.001193",
    )
    qtbot.waitUntil(lambda: screen.selected() is not None, timeout=WAIT_MS)
    assert screen.model.rowCount() == 1
    assert cell(screen, 0, COL_CODE) == stored.code == "PAKN-26-M1-0001"
    assert cell(screen, 0, COL_SENDER) == "Nguyễn Văn Đức"
    assert cell(screen, 0, COL_STATUS) == "Đã tiếp nhận"
    assert cell(screen, 0, COL_CONTENT).endswith("…")  # shortened in the list…
    assert CONTENT in screen.detail.toPlainText()  # …whole in the pane below
    assert "Điện thoại" in screen.detail.toPlainText()
    qtbot.waitUntil(lambda: screen.open_count == 1, timeout=WAIT_MS)
    assert screen.count_label.text() == "1 phản ánh chưa trả lời"
    assert focused() is screen.view


def test_empty_content_is_refused_next_to_the_field_and_nothing_saved(
    screen: ComplaintsScreen, qtbot: QtBot
) -> None:
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = open_dialog(screen, qtbot, ReceiveComplaintDialog)
    assert isinstance(dialog, ReceiveComplaintDialog)
    type_text(focused(), "Lê Thị Hoa")
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(dialog.error_text("content")), timeout=WAIT_MS)

    assert dialog.error_text("content") == "Nội dung phản ánh, kiến nghị không được để trống."
    assert dialog.errors["content"].isVisible()
    assert not dialog.error_text("sender_name")
    assert focused() is dialog.content  # the refused field takes the focus
    assert dialog.isVisible() and screen.dialog is dialog
    assert list_complaints(screen.session.ctx) == []

    # Fixing it clears the message; an unknown dossier code is refused beside its own field.
    type_text(focused(), "Chưa nhận được kết quả.")
    assert not dialog.errors["content"].isVisible()
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is dialog.dossier_code
    qtbot.keyClicks(focused(), "KHONG-CO")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(dialog.error_text("dossier_code")), timeout=WAIT_MS)
    assert "KHONG-CO" in dialog.error_text("dossier_code")
    assert list_complaints(screen.session.ctx) == []

    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: screen.dialog is None, timeout=WAIT_MS)
    assert list_complaints(screen.session.ctx) == []


def test_assign_answer_and_close_from_the_keyboard(
    screen: ComplaintsScreen, session: Session, qtbot: QtBot
) -> None:
    code = receive(session, "Trần Văn Bình", CONTENT)
    reload(screen, qtbot)
    screen.view.setFocus()
    selected = screen.selected()
    assert selected is not None and selected.code == code
    buttons = (screen.assign_button, screen.answer_button, screen.close_button)
    assert [b.isEnabled() for b in buttons] == [True, True, False]

    press(qtbot, Qt.Key.Key_Return)  # a received one: Enter assigns it
    dialog = open_dialog(screen, qtbot, AssignComplaintDialog)
    type_text(focused(), BODY)
    press(qtbot, Qt.Key.Key_Return)
    saved(screen, qtbot, dialog)
    qtbot.waitUntil(lambda: cell(screen, 0, COL_STATUS) == "Đang xử lý", timeout=WAIT_MS)
    assert cell(screen, 0, COL_ASSIGNEE) == BODY
    assert [b.isEnabled() for b in buttons] == [True, True, False]

    press(qtbot, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # T&rả lời…
    dialog = open_dialog(screen, qtbot, AnswerComplaintDialog)
    assert isinstance(focused(), QPlainTextEdit)
    type_text(focused(), "Đã liên hệ bộ phận Tư pháp.")
    press(qtbot, Qt.Key.Key_Return)  # a new line in the answer, not a save
    type_text(focused(), "Kết quả trả ngày 27/11/2026.")
    assert dialog.isVisible()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    saved(screen, qtbot, dialog)
    qtbot.waitUntil(lambda: cell(screen, 0, COL_STATUS) == "Đã trả lời", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Kết quả trả ngày" in screen.detail.toPlainText(), timeout=WAIT_MS)
    # Both lines were kept, as two paragraphs.
    assert "Đã liên hệ bộ phận Tư pháp.\nKết quả trả ngày 27/11/2026." in (
        screen.detail.toPlainText()
    )
    assert [b.isEnabled() for b in buttons] == [False, False, True]
    qtbot.waitUntil(lambda: screen.open_count == 0, timeout=WAIT_MS)

    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)  # &Kết thúc
    dialog = open_dialog(screen, qtbot, CloseComplaintDialog)
    press(qtbot, Qt.Key.Key_Return)
    saved(screen, qtbot, dialog)
    qtbot.waitUntil(lambda: cell(screen, 0, COL_STATUS) == "Đã kết thúc", timeout=WAIT_MS)
    assert [b.isEnabled() for b in buttons] == [False, False, False]
    (stored,) = list_complaints(session.ctx)
    assert (stored.status, stored.assignee) == ("closed", BODY)


def test_search_ignores_marks_and_the_filter_narrows_by_status(
    screen: ComplaintsScreen, session: Session, qtbot: QtBot
) -> None:
    duc = receive(session, "Nguyễn Văn Đức", "Thái độ cán bộ chưa đúng mực.")
    receive(session, "Lê Thị Hoa", "Đề nghị niêm yết thêm thủ tục chứng thực.")
    reload(screen, qtbot)
    assert screen.model.rowCount() == 2

    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert focused() is screen.search
    with qtbot.waitSignal(screen.model.loaded, timeout=WAIT_MS):
        qtbot.keyClicks(focused(), "nguyen van duc")
    assert screen.model.rowCount() == 1 and cell(screen, 0, COL_CODE) == duc
    press(qtbot, Qt.Key.Key_Down)
    assert focused() is screen.view

    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(screen.model.loaded, timeout=WAIT_MS):
        type_text(focused(), "chứng thực")  # with the marks, too
        press(qtbot, Qt.Key.Key_Return)  # Enter: search now and go to the list
    assert screen.model.rowCount() == 1 and cell(screen, 0, COL_SENDER) == "Lê Thị Hoa"
    assert focused() is screen.view

    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # &Lọc trạng thái
    assert focused() is screen.status_filter
    with qtbot.waitSignal(screen.model.loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Down)  # Tất cả → Đã tiếp nhận
    assert screen.model.rowCount() == 1
    with qtbot.waitSignal(screen.model.loaded, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Down)  # → Đang xử lý
    assert screen.model.rowCount() == 0
    assert not screen.assign_button.isEnabled()


def test_overdue_open_complaints_are_coloured(
    screen: ComplaintsScreen, session: Session, qtbot: QtBot
) -> None:
    late = receive(
        session, "Phạm Thị Lan", "Chưa được trả lời.", received_at=at("2026-11-02T08:00")
    )
    fresh = receive(session, "Võ Minh Tâm", "Góp ý giờ làm việc.")
    reload(screen, qtbot)
    rows = {cell(screen, row, COL_CODE): row for row in range(screen.model.rowCount())}
    background = screen.model.index(rows[late], COL_CODE).data(Qt.ItemDataRole.BackgroundRole)
    assert background is not None and background.color() == OVERDUE_BACKGROUND
    assert screen.model.index(rows[fresh], COL_CODE).data(Qt.ItemDataRole.BackgroundRole) is None
    screen.view.setCurrentIndex(screen.model.index(rows[late], 0))
    assert "đã quá hạn trả lời" in screen.detail.toPlainText()
