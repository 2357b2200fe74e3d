"""The clerk's whole job driven from the keyboard, against a real counter database."""

from __future__ import annotations

import unicodedata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from counter_app.domain.clock import now_vn
from counter_app.domain.deadlines import describe_due
from counter_app.errors import KnownError
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import get_dossier, received_on
from counter_app.services.intake import preview_due
from counter_app.services.settings import load_settings
from counter_app.store.models import Printout
from tests.ui.conftest import WAIT_MS, focused, type_text
from ui.main_window import MainWindow
from ui.session import make_runner
from ui.setup_dialog import SetupDialog
from ui.state import window_settings

NAME = "Nguyễn Văn Đức"
CCCD = "001090012345"  # Hà Nội, male born 1990: digit 4 is 0, digits 5–6 are "90"


def press(qtbot: QtBot, key: Qt.Key) -> None:
    """A key press where the keyboard focus really is, as the clerk's keyboard does."""
    qtbot.keyClick(focused(), key)


def today_codes(ctx: CounterContext) -> list[str]:
    return [item.code for item in received_on(ctx, now_vn().date())]


def pick_procedure(window: MainWindow, qtbot: QtBot, query: str) -> None:
    window.intake.focus_start()
    qtbot.keyClicks(focused(), query)
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Return)


def fill_applicant(qtbot: QtBot, cccd: str = CCCD) -> None:
    """From the name field: name, CCCD, date of birth, sex, address, phone, email."""
    type_text(focused(), NAME)
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), cccd)
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "15031990")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "N")  # the sex list jumps to "Nam"
    press(qtbot, Qt.Key.Key_Tab)
    type_text(focused(), "Thôn Đông, xã An Hòa")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "0912345678")
    press(qtbot, Qt.Key.Key_Tab)


def test_first_run_setup_from_the_keyboard(blank_counter: CounterContext, qtbot: QtBot) -> None:
    dialog = SetupDialog(blank_counter, make_runner(blank_counter))
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    dialog.agency_code.setFocus()

    qtbot.keyClicks(focused(), "000.00.17.H26")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(focused(), "UBND xã An Hòa")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(focused(), "An Hòa")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "2")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "quantri")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(focused(), "Trần Thị Mai")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "mat-khau-2026")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "mat-khau-2026")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)

    stored = load_settings(blank_counter)
    assert stored is not None
    assert (stored.agency_code, stored.agency_name, stored.place_name) == (
        "000.00.17.H26",
        "UBND xã An Hòa",
        "An Hòa",
    )
    assert stored.station == 2
    # The first account is the admin, signed in: what it records bears its name.
    assert blank_counter.operator is not None
    assert (blank_counter.operator.username, blank_counter.operator.role) == ("quantri", "admin")
    assert blank_counter.operator.full_name == "Trần Thị Mai"


def test_setup_refuses_a_bad_agency_code_and_stores_nothing(
    blank_counter: CounterContext, qtbot: QtBot
) -> None:
    dialog = SetupDialog(blank_counter, make_runner(blank_counter))
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
    dialog.agency_code.setText("17.H26")
    dialog.agency_name.setText("UBND xã An Hòa")
    dialog.place_name.setText("An Hòa")
    dialog.username.setText("quantri")
    dialog.full_name.setText("Trần Thị Mai")
    dialog.password.setText("mat-khau-2026")
    dialog.confirm.setText("mat-khau-2026")
    dialog.confirm.setFocus()
    press(qtbot, Qt.Key.Key_Return)

    assert "QCVN 102:2016" in dialog.errors["agency_code"].message
    assert not dialog.errors["agency_name"].message
    assert focused() is dialog.agency_code
    assert dialog.isVisible()
    assert load_settings(blank_counter) is None


def test_whole_intake_by_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    ctx = window.session.ctx
    intake = window.intake
    assert focused() is intake.picker.search_box  # the search box is where typing starts

    pick_procedure(window, qtbot, "dang ky khai sinh")
    assert intake.picker.chosen is not None
    assert intake.picker.chosen.name == "Thủ tục đăng ký khai sinh"
    assert focused() is intake.applicant.name
    assert intake.documents.table.rowCount() == len(intake.picker.chosen.documents)

    fill_applicant(qtbot)
    assert focused() is intake.applicant.email
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is intake.documents.table
    assert not any(label.message for label in intake.applicant.errors.values())

    with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)

    codes = today_codes(ctx)
    assert len(codes) == 1
    detail = get_dossier(ctx, codes[0])
    assert detail.summary.applicant_name == NAME
    assert unicodedata.is_normalized("NFC", detail.summary.applicant_name)
    assert detail.summary.status == 2
    assert detail.id_number == CCCD
    assert detail.sex == "M"
    assert detail.phone == "0912345678"
    assert detail.summary.procedure_code == "1.001193"

    # The receipt opens in the app, both copies loaded.
    preview = window.preview
    assert preview is not None
    qtbot.waitUntil(lambda: preview.ready, timeout=WAIT_MS)
    assert preview.document.status() == QPdfDocument.Status.Ready
    assert preview.document.pageCount() >= 2
    assert preview.code == detail.code

    # The form is ready for the next applicant, and today's list has the new row.
    assert intake.picker.chosen is None
    assert intake.applicant.name.text() == ""
    model = window.today.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=WAIT_MS)
    assert model.index(0, 0).data() == detail.code
    assert model.index(0, 2).data() == NAME


def test_refused_cccd_is_shown_under_its_field_and_nothing_is_saved(
    window: MainWindow, qtbot: QtBot
) -> None:
    ctx = window.session.ctx
    intake = window.intake
    pick_procedure(window, qtbot, "dang ky khai sinh")
    type_text(focused(), NAME)
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "00109001234")  # 11 digits

    with qtbot.waitSignal(window.session.runner.idle, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)

    message = intake.applicant.error_text("id_number")
    assert "12 chữ số" in message
    assert intake.applicant.errors["id_number"].isVisible()
    assert focused() is intake.applicant.id_number
    assert today_codes(ctx) == []
    assert intake.applicant.name.text() == NAME  # the form is kept for the correction
    assert window.preview is None
    assert intake.save_button.isEnabled()


def test_inline_check_when_leaving_a_field_and_cleared_when_fixed(
    window: MainWindow, qtbot: QtBot
) -> None:
    form = window.intake.applicant
    pick_procedure(window, qtbot, "dang ky khai sinh")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "00109001234")
    press(qtbot, Qt.Key.Key_Tab)  # leaving the field checks it
    assert "12 chữ số" in form.error_text("id_number")

    form.id_number.setFocus()
    qtbot.keyClicks(form.id_number, "5")  # now 12 digits: the message goes at once
    assert form.error_text("id_number") == ""
    assert not form.errors["id_number"].isVisible()

    # Date of birth is cross-checked against digits 5–6 of the CCCD.
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "15031985")
    press(qtbot, Qt.Key.Key_Tab)
    assert "năm sinh 1985" in form.error_text("id_number")


def test_double_enter_saves_exactly_one_dossier(window: MainWindow, qtbot: QtBot) -> None:
    ctx = window.session.ctx
    intake = window.intake
    pick_procedure(window, qtbot, "dang ky khai sinh")
    fill_applicant(qtbot)

    with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
        assert not intake.save_button.isEnabled()  # visibly busy while saving
        press(qtbot, Qt.Key.Key_Return)
        intake.save_button.click()
    qtbot.waitUntil(lambda: not window.session.runner.busy, timeout=WAIT_MS)

    assert len(today_codes(ctx)) == 1
    assert intake.save_button.isEnabled()


def test_due_date_follows_the_chosen_procedure(window: MainWindow, qtbot: QtBot) -> None:
    ctx = window.session.ctx
    due = window.intake.due.value
    assert due.text() == "—"

    pick_procedure(window, qtbot, "dang ky khai sinh")
    same_day = due.text()
    assert same_day == describe_due(preview_due(ctx, "1.001193").due_at)

    window.intake.focus_start()
    qtbot.keyClicks(focused(), "dang ky lai khai sinh")  # 5 working days
    press(qtbot, Qt.Key.Key_Return)
    assert window.intake.picker.chosen is not None
    assert window.intake.picker.chosen.code == "1.004884"
    assert due.text() == describe_due(preview_due(ctx, "1.004884").due_at)
    assert due.text() != same_day


def test_enter_without_a_procedure_points_at_the_search_box(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.intake.applicant.name.setFocus()
    type_text(focused(), NAME)
    press(qtbot, Qt.Key.Key_Return)
    assert "Chưa chọn thủ tục" in window.intake.picker.error.message
    assert focused() is window.intake.picker.search_box
    assert not window.session.runner.busy


def test_space_unticks_a_document_and_only_ticked_ones_are_saved(
    window: MainWindow, qtbot: QtBot
) -> None:
    ctx = window.session.ctx
    intake = window.intake
    pick_procedure(window, qtbot, "dang ky khai sinh")
    listed = len(intake.picker.chosen.documents) if intake.picker.chosen else 0
    fill_applicant(qtbot)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is intake.documents.table
    press(qtbot, Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Space)  # untick the second document
    assert not intake.documents.is_checked(1)

    with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    detail = get_dossier(ctx, today_codes(ctx)[0])
    assert len(detail.documents) == listed - 1


def test_escape_asks_before_clearing_a_filled_form(window: MainWindow, qtbot: QtBot) -> None:
    intake = window.intake
    pick_procedure(window, qtbot, "dang ky khai sinh")
    type_text(focused(), NAME)
    press(qtbot, Qt.Key.Key_Escape)
    box = intake._confirm
    assert box is not None and box.isVisible()
    yes = next(b for b in box.buttons() if b.text() == "Xóa")
    yes.click()
    assert intake.picker.chosen is None
    assert intake.applicant.name.text() == ""
    assert isinstance(focused(), QLineEdit) and focused() is intake.picker.search_box


def test_reopening_from_todays_list_makes_a_marked_reprint(
    window: MainWindow, qtbot: QtBot
) -> None:
    intake = window.intake
    pick_procedure(window, qtbot, "dang ky khai sinh")
    fill_applicant(qtbot)
    with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    first = window.preview
    assert first is not None
    qtbot.waitUntil(lambda: first.ready, timeout=WAIT_MS)
    first.close()
    # Back at the counter, ready for the next applicant.
    qtbot.waitUntil(lambda: QApplication.focusWidget() is intake.picker.search_box)

    qtbot.keyClick(focused(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.today
    model = window.today.model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=WAIT_MS)
    window.today.view.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(window.today.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.preview is not None and window.preview.ready, timeout=WAIT_MS)
    assert window.preview is not None
    assert "bản in lại" in window.preview.headline.text()
    assert Printout.select().where(Printout.reprint == True).count() == 1  # noqa: E712


def test_an_organisation_applies_with_its_tax_code(window: MainWindow, qtbot: QtBot) -> None:
    ctx = window.session.ctx
    intake = window.intake
    pick_procedure(window, qtbot, "2.000815")  # a scanner or a clerk typing the code
    press(qtbot, Qt.Key.Key_Backtab)  # the kind choice is one stop before the name
    assert focused() is intake.applicant.citizen
    press(qtbot, Qt.Key.Key_Right)  # arrows move within the Công dân / Tổ chức choice
    assert intake.applicant.organisation.isChecked()
    assert intake.applicant.id_label.text() == "Mã số thuế"
    assert not intake.applicant.dob.isEnabled()
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is intake.applicant.name
    type_text(focused(), "Công ty TNHH Minh Đức")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "0101234567")

    with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    detail = get_dossier(ctx, today_codes(ctx)[0])
    assert detail.applicant_kind == "organisation"
    assert detail.tax_code == "0101234567"
    assert detail.summary.applicant_name == "Công ty TNHH Minh Đức"


def test_count_of_a_document_is_edited_by_typing(window: MainWindow, qtbot: QtBot) -> None:
    ctx = window.session.ctx
    intake = window.intake
    pick_procedure(window, qtbot, "dang ky khai sinh")
    fill_applicant(qtbot)
    press(qtbot, Qt.Key.Key_Tab)
    table = intake.documents.table
    assert focused() is table
    press(qtbot, Qt.Key.Key_Right)
    press(qtbot, Qt.Key.Key_Right)  # the "Số lượng" column
    qtbot.keyClick(table, Qt.Key.Key_3)  # typing a digit opens the count for editing
    press(qtbot, Qt.Key.Key_Return)  # ends the edit (Qt commits it queued); no save
    qtbot.waitUntil(lambda: intake.documents.checked_lines()[0].count == 3)
    assert not window.session.runner.busy
    assert today_codes(ctx) == []
    table.setFocus()

    with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)
    detail = get_dossier(ctx, today_codes(ctx)[0])
    assert detail.documents[0].count == 3


def test_a_receipt_that_fails_still_reports_the_saved_dossier(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = window.session.ctx

    def no_disk(*_args: object, **_kwargs: object) -> None:
        raise KnownError("Ổ đĩa đã đầy.")

    from counter_app.services import receipts

    monkeypatch.setattr(receipts, "issue_receipt", no_disk)
    pick_procedure(window, qtbot, "dang ky khai sinh")
    fill_applicant(qtbot)
    with qtbot.waitSignal(window.intake.saved, timeout=WAIT_MS):
        press(qtbot, Qt.Key.Key_Return)

    codes = today_codes(ctx)
    assert len(codes) == 1  # committed: the clerk must not enter it again
    box = window.receipt_warning
    assert box is not None and box.isVisible()
    assert codes[0] in box.text() and "Ổ đĩa đã đầy." in box.text()
    assert window.preview is None
    box.close()


def test_window_geometry_is_remembered_between_runs(window: MainWindow, qtbot: QtBot) -> None:
    assert window.isMaximized()  # first start on this PC: the whole (small) screen
    window.showNormal()
    qtbot.waitUntil(lambda: not window.isMaximized())
    window.close()
    assert window_settings().value("main/geometry") is not None
    again = MainWindow(window.session)
    qtbot.addWidget(again)
    assert not again.isMaximized()  # the saved, un-maximized geometry wins


def test_same_person_and_procedure_warns_and_enter_saves_nothing(
    window: MainWindow, qtbot: QtBot
) -> None:
    from PySide6.QtWidgets import QMessageBox

    ctx = window.session.ctx
    intake = window.intake
    for attempt in range(3):
        pick_procedure(window, qtbot, "dang ky khai sinh")
        fill_applicant(qtbot)
        if attempt == 0:
            with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
                press(qtbot, Qt.Key.Key_Return)
            if window.preview is not None:
                window.preview.close()
            window.activateWindow()
            intake.focus_start()
            qtbot.waitUntil(lambda: focused() is intake.picker.search_box, timeout=WAIT_MS)
            continue
        submission = intake.submission_id
        intake.save()
        qtbot.waitUntil(lambda: intake._duplicate_box is not None, timeout=WAIT_MS)
        box = intake._duplicate_box
        assert isinstance(box, QMessageBox)
        qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
        assert today_codes(ctx)[0] in box.text()
        if attempt == 1:
            # Enter takes the safe answer: nothing saved, the form kept for checking.
            box.defaultButton().click()
            assert len(today_codes(ctx)) == 1
            assert intake.applicant.name.text() and intake.submission_id == submission
            intake._duplicate_box = None
            intake.clear_form()
            window.activateWindow()
            qtbot.waitUntil(lambda: focused() is intake.picker.search_box, timeout=WAIT_MS)
        else:
            with qtbot.waitSignal(intake.saved, timeout=WAIT_MS):
                next(b for b in box.buttons() if "Vẫn" in b.text()).click()
            assert len(today_codes(ctx)) == 2
