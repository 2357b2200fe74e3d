"""From receipt to return with a keyboard and a barcode scanner only.

The scanner is simulated as what it is: a burst of key presses (no delay between them)
ending with Enter, sent to whatever widget has focus.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.services.dossiers import get_dossier
from counter_app.services.intake import IntakeRequest, receive
from counter_app.store.models import DossierReturn, Outbox
from ui.action_dialogs import HandoverDialog, ReasonDialog, ReturnDialog
from ui.dossier_window import DossierWindow
from ui.main_window import MainWindow

from .conftest import WAIT_MS, focused, type_text

DUC = ApplicantInput(
    name="Nguyễn Văn Đức",
    id_number="001090012345",
    dob=date(1990, 5, 1),
    sex=Sex.MALE,
    address="Thôn Đông Hòa, xã An Hòa",
    phone="0912 345 678",
)


def _receive(window: MainWindow) -> str:
    received = datetime(2026, 11, 23, 8, 0, tzinfo=VN_TZ)
    detail = receive(
        window.session.ctx,
        IntakeRequest("1.004873", DUC, received_at=received, allow_duplicate=True),
    )
    return detail.code


def scan(qtbot: QtBot, code: str) -> None:
    """What a USB scanner does: the code's characters back to back, then Enter, through the
    active window (as the platform delivers keys), into whatever has focus."""
    window = focused().window().windowHandle()
    assert window is not None
    for char in code:
        QTest.keyClick(window, char)
    QTest.keyClick(window, Qt.Key.Key_Return)


def _open_by_scan(window: MainWindow, qtbot: QtBot, code: str) -> DossierWindow:
    scan(qtbot, code)
    qtbot.waitUntil(lambda: code in window.dossier_windows, timeout=WAIT_MS)
    dossier = window.dossier_windows[code]
    qtbot.waitUntil(lambda: dossier.detail is not None, timeout=WAIT_MS)
    with qtbot.waitActive(dossier):
        dossier.activateWindow()
    return dossier


def _wait_status(dossier: DossierWindow, qtbot: QtBot, status: int) -> None:
    qtbot.waitUntil(
        lambda: dossier.detail is not None and dossier.detail.summary.status == status,
        timeout=WAIT_MS,
    )


def _press(qtbot: QtBot, dossier: DossierWindow, key: str) -> None:
    """Alt + the underlined letter of an action button, as the clerk does."""
    button = dossier.action_buttons[key]
    assert button.isVisible(), f"{key} not offered"
    if not dossier.isActiveWindow():
        with qtbot.waitActive(dossier):
            dossier.activateWindow()
    letter = button.text().split("&", 1)[1][0]
    qtbot.keyClick(dossier, letter, Qt.KeyboardModifier.AltModifier)


def test_scan_into_the_intake_form_opens_the_dossier_and_leaves_the_form_clean(
    window: MainWindow, qtbot: QtBot
) -> None:
    code = _receive(window)
    field = focused()
    scan(qtbot, code)
    qtbot.waitUntil(lambda: code in window.dossier_windows, timeout=WAIT_MS)
    assert window.intake.has_data() is False
    assert field is not None


def test_walk_a_dossier_from_receipt_to_return_with_keyboard_and_scanner(
    window: MainWindow, qtbot: QtBot
) -> None:
    code = _receive(window)
    dossier = _open_by_scan(window, qtbot, code)
    assert "Được tiếp nhận" in dossier.fact_labels["status"].text()

    # Send to the civil-status officer.
    _press(qtbot, dossier, "send")
    qtbot.waitUntil(lambda: isinstance(dossier.dialog, HandoverDialog), timeout=WAIT_MS)
    handover = dossier.dialog
    assert isinstance(handover, HandoverDialog)
    handover.taker.setFocus()
    type_text(handover.taker, "Lê Văn Hùng")
    qtbot.keyClick(handover.taker, Qt.Key.Key_Return)
    _wait_status(dossier, qtbot, 4)
    assert dossier.fact_labels["holder"].text() == "Công chức Tư pháp - Hộ tịch"

    # The result comes back to the counter.
    _press(qtbot, dossier, "result")
    qtbot.waitUntil(lambda: isinstance(dossier.dialog, HandoverDialog), timeout=WAIT_MS)
    back = dossier.dialog
    assert isinstance(back, HandoverDialog)
    qtbot.keyClick(back.note, Qt.Key.Key_Return)
    _wait_status(dossier, qtbot, 9)

    # The citizen comes back; the clerk scans the receipt from the main window.
    dossier.close()
    qtbot.waitUntil(lambda: code not in window.dossier_windows, timeout=WAIT_MS)
    with qtbot.waitActive(window):
        window.activateWindow()
    window.intake.focus_start()
    dossier = _open_by_scan(window, qtbot, code)
    assert dossier.action_buttons["return"].isVisible()
    _press(qtbot, dossier, "return")
    qtbot.waitUntil(lambda: isinstance(dossier.dialog, ReturnDialog), timeout=WAIT_MS)
    dialog = dossier.dialog
    assert isinstance(dialog, ReturnDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    dialog.channel.setFocus()
    qtbot.keyClick(dialog.channel, Qt.Key.Key_Tab)  # onto the ratings
    qtbot.keyClick(focused(), Qt.Key.Key_1)  # "Rất hài lòng", said aloud
    assert dialog.rating_buttons[1].isChecked()
    # A double press of Enter must not record two returns.
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    _wait_status(dossier, qtbot, 10)
    qtbot.waitUntil(lambda: not window.session.runner.busy, timeout=WAIT_MS)
    assert DossierReturn.select().count() == 1
    detail = get_dossier(window.session.ctx, code)
    assert detail.returned is not None and detail.returned.rating == 1
    assert "Rất hài lòng" in dossier.fact_labels["returned"].text()

    # A repeated scan shows the same window and offers no second return.
    before = Outbox.select().count()
    scan(qtbot, code)
    assert window.dossier_windows[code] is dossier
    assert not dossier.action_buttons["return"].isVisible()
    assert Outbox.select().count() == before


def test_supplement_request_pauses_and_prints_form_02(window: MainWindow, qtbot: QtBot) -> None:
    code = _receive(window)
    dossier = window.open_dossier(code)
    qtbot.waitUntil(lambda: dossier.detail is not None, timeout=WAIT_MS)
    with qtbot.waitActive(dossier):
        dossier.activateWindow()
    _press(qtbot, dossier, "supplement")
    qtbot.waitUntil(lambda: isinstance(dossier.dialog, ReasonDialog), timeout=WAIT_MS)
    dialog = dossier.dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)  # Ctrl+Enter is a window shortcut
    # An empty reason is refused in the dialog, which stays open.
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.error.message), timeout=WAIT_MS)
    assert "không được để trống" in dialog.error.message
    assert dialog.isVisible()
    type_text(dialog.reason, "Thiếu bản sao giấy khai sinh")
    dialog.document_boxes[0][0].setChecked(True)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    _wait_status(dossier, qtbot, 5)
    qtbot.waitUntil(lambda: window.preview is not None, timeout=WAIT_MS)
    assert window.preview is not None
    assert "Mẫu 02" in window.preview.windowTitle()
    assert window.preview.path.exists()
    assert "tạm dừng tính hạn" in dossier.fact_labels["status"].text()
    window.preview.reject()
    QApplication.processEvents()


def test_search_tab_finds_by_name_without_marks_and_opens_with_enter(
    window: MainWindow, qtbot: QtBot
) -> None:
    code = _receive(window)
    window.find_box.setFocus()
    type_text(window.find_box, "nguyen van duc")
    qtbot.keyClick(window.find_box, Qt.Key.Key_Return)
    search = window.search
    assert window.tabs.currentWidget() is window.search_tab
    qtbot.waitUntil(lambda: search.model.rowCount() == 1, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: search.model.item(0) is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: code in window.dossier_windows, timeout=WAIT_MS)
    assert "1 hồ sơ khớp" in search.summary.text()


def test_register_from_the_menu_prints_on_a4_landscape(window: MainWindow, qtbot: QtBot) -> None:
    from PySide6.QtGui import QPageLayout, QPageSize

    from ui.printing import printer_for
    from ui.register_dialog import RegisterDialog

    code = _receive(window)
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    dialog = window.register_dialog
    assert isinstance(dialog, RegisterDialog)
    dialog.date_from.setDate(dialog.date_from.date().addDays(-30))
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(dialog.date_to, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.preview is not None and window.preview.ready, timeout=WAIT_MS)
    preview = window.preview
    assert preview is not None
    assert "Mẫu 07" in preview.windowTitle()
    assert preview.path.exists()
    printer = printer_for(preview.document)
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    assert printer.pageLayout().orientation() == QPageLayout.Orientation.Landscape
    assert code
    preview.reject()
