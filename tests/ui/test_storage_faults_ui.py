"""The clerk's side of a full disk: the day's intakes fill the last free space, the save
that no longer fits says so clearly, keeps every field the clerk typed and saves nothing;
once space is freed, pressing Lưu again saves that dossier exactly once.

The disk fills for real inside SQLite (``PRAGMA max_page_count``, applied to every
connection the background ops open), so the message travels the whole way: SQLite,
the service's transaction, the background op, the intake screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from counter_app.store.models import Dossier, Outbox
from tests.ui.conftest import WAIT_MS, focused, type_text
from ui.main_window import MainWindow

DISK_FULL = "Ổ đĩa đã đầy"
NO_LIMIT = 2**31
NAMES = (
    "Nguyễn Văn Đức", "Trần Quang Hùng", "Lê Minh Dũng", "Phạm Đức Tuấn", "Hoàng Văn Khoa",
    "Huỳnh Hữu Phúc", "Võ Thành Quý", "Đặng Xuân Việt", "Bùi Công Cường", "Đỗ Minh Lộc",
    "Hồ Văn Nghĩa", "Ngô Quang Thắng", "Dương Hữu Khải", "Lý Thành Đạt", "Đinh Văn Toàn",
)  # fmt: skip


def press(qtbot: QtBot, key: Qt.Key) -> None:
    qtbot.keyClick(focused(), key)


def type_applicant(window: MainWindow, qtbot: QtBot, n: int) -> None:
    """Pick "đăng ký khai sinh" and type the n-th applicant (a man born in March 1990)."""
    window.intake.focus_start()
    qtbot.keyClicks(focused(), "dang ky khai sinh")
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is window.intake.applicant.name
    type_text(focused(), NAMES[n])
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), f"0010900{n:05d}")  # Hà Nội, male, born 1990
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), f"{n + 1:02d}031990")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "N")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(focused(), f"Số {n + 1}, thôn Đông Hòa, xã An Hòa")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), f"0912 345 {n:03d}")
    press(qtbot, Qt.Key.Key_Tab)


def form_contents(window: MainWindow) -> dict[str, Any]:
    """Everything the clerk chose and typed on the intake screen."""
    intake = window.intake
    form = intake.applicant
    return {
        "procedure": intake.picker.chosen.code if intake.picker.chosen else None,
        "citizen": form.citizen.isChecked(),
        "name": form.name.text(),
        "id_number": form.id_number.text(),
        "dob": form.dob.text(),
        "sex": form.sex.currentText(),
        "address": form.address.text(),
        "phone": form.phone.text(),
        "email": form.email.text(),
        "documents": intake.documents.checked_lines(),
        "sets": intake.sets.value(),
        "by_post": intake.by_post.isChecked(),
    }


def open_boxes(window: MainWindow) -> list[QMessageBox]:
    return [box for box in window.findChildren(QMessageBox) if box.isVisible()]


def close_what_a_save_opened(window: MainWindow, qtbot: QtBot) -> None:
    """The receipt preview (or the note that the receipt could not be made) goes away and
    the counter is ready for the next applicant."""
    qtbot.waitUntil(
        lambda: (
            (window.preview is not None and window.preview.ready)
            or (window.receipt_warning is not None and window.receipt_warning.isVisible())
        ),
        timeout=WAIT_MS,
    )
    if window.receipt_warning is not None and window.receipt_warning.isVisible():
        window.receipt_warning.close()
        window.intake.focus_start()
    if window.preview is not None:
        window.preview.close()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.intake.picker.search_box)


def test_full_disk_keeps_the_form_saves_nothing_and_saves_once_space_returns(
    window: MainWindow, qtbot: QtBot
) -> None:
    session = window.session
    db = session.ctx.db
    # One free page left on the disk: a dossier or two, then it is full.
    db.pragma("max_page_count", db.pragma("page_count") + 1, permanent=True)

    typed: dict[str, Any] = {}
    for n in range(len(NAMES)):
        type_applicant(window, qtbot, n)
        typed = form_contents(window)
        before = (Dossier.select().count(), Outbox.select().count())
        with qtbot.waitSignal(session.runner.idle, timeout=WAIT_MS):
            press(qtbot, Qt.Key.Key_Return)
        if Dossier.select().count() == before[0]:
            break
        close_what_a_save_opened(window, qtbot)
    else:
        raise AssertionError("the disk never filled up")

    # The clerk reads why, in words, and the form is as they left it.
    boxes = open_boxes(window)
    assert len(boxes) == 1, [box.text() for box in boxes]
    assert DISK_FULL in boxes[0].text(), boxes[0].text()
    assert form_contents(window) == typed
    assert window.intake.save_button.isEnabled()
    assert window.preview is None
    assert (Dossier.select().count(), Outbox.select().count()) == before

    boxes[0].button(QMessageBox.StandardButton.Ok).click()
    db.pragma("max_page_count", NO_LIMIT, permanent=True)  # space freed on the disk
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)

    with qtbot.waitSignal(window.intake.saved, timeout=WAIT_MS) as saved:
        qtbot.mouseClick(window.intake.save_button, Qt.MouseButton.LeftButton)
    detail = saved.args[0].detail
    assert (detail.summary.applicant_name, detail.id_number) == (typed["name"], typed["id_number"])
    assert detail.phone == typed["phone"].replace(" ", "")
    close_what_a_save_opened(window, qtbot)
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)
    assert Dossier.select().count() == before[0] + 1  # exactly one, not one per press
    assert Outbox.select().count() == before[1] + 1
    assert window.intake.applicant.name.text() == ""  # ready for the next applicant
