"""The figures screen: pick a period from the keyboard, build it on a worker, read the
numbers in the cards, tables and charts, and export the workbook and the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from counter_app.documents.report_pdf import TITLE
from counter_app.services.reports import quarter_range
from tests.ui.conftest import WAIT_MS
from tests.unit.pdf_helpers import page_texts
from tests.unit.test_reports import build_october
from ui.report_models import FigureTableModel
from ui.reports_screen import MONTH, QUARTER, ReportsScreen, file_stem
from ui.session import Session


@pytest.fixture
def screen(session: Session, qtbot: QtBot) -> ReportsScreen:
    build_october(session.ctx)
    widget = ReportsScreen(session)
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    with qtbot.waitActive(widget):
        widget.show()
        widget.activateWindow()
    return widget


def cell(model: FigureTableModel, row: int, column: int) -> str:
    return str(model.index(row, column).data())


def headers(model: FigureTableModel) -> list[str]:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def show_october(screen: ReportsScreen, qtbot: QtBot) -> None:
    screen.set_period(MONTH, 2026, 10)
    screen.kind.setFocus()
    qtbot.keyClick(screen.kind, Qt.Key.Key_Return)  # Enter builds, wherever in the picker
    assert screen.loading  # on its way on a worker, the GUI thread is free
    qtbot.waitUntil(lambda: not screen.loading, timeout=WAIT_MS)


def test_enter_builds_the_month_and_shows_its_figures(screen: ReportsScreen, qtbot: QtBot) -> None:
    assert not screen.xlsx_button.isEnabled()  # nothing to export yet
    show_october(screen, qtbot)
    figures = {key: card.value.text() for key, card in screen.figures.items()}
    assert figures["received"] == "11"
    assert figures["resolved"] == "7"
    assert figures["returned"] == "6"
    assert (figures["early"], figures["on_time"], figures["late"]) == ("1", "2", "3")
    assert screen.figures["early"].detail.text() == "16,7%"
    assert figures["timely_rate"] == "50,0%"
    assert (figures["pending"], figures["overdue"]) == ("4", "1")
    assert figures["satisfaction"] == "40,0% · 40,0% · 20,0%"
    assert screen.figures["satisfaction"].detail.text() == "5 lượt đánh giá; 1 không đánh giá"
    assert figures["complaints"] == "4"
    assert "Tháng 10 năm 2026" in screen.heading.text()
    assert "01/10/2026" in screen.status.text() and "31/10/2026" in screen.status.text()

    fields = screen.field_model
    assert headers(fields)[:4] == ["Lĩnh vực", "Tiếp nhận", "Đã giải quyết", "Đã trả"]
    assert [cell(fields, r, 0) for r in range(fields.rowCount())] == [
        "Chứng thực",
        "Hộ tịch",
        "(Chưa rõ lĩnh vực)",
        "Tổng cộng",
    ]
    late = headers(fields).index("Quá hạn")
    assert cell(fields, 1, late) == "2 (66,7%)"
    assert cell(fields, 3, 1) == "11"  # the total row
    procedures = screen.procedure_model
    assert cell(procedures, 0, 0) == "1.004873"
    assert cell(procedures, 0, headers(procedures).index("Quá hạn chưa trả")) == "1"
    clerks = screen.clerk_model
    assert cell(clerks, 1, 0) == "Trần Thị Mai"
    assert cell(clerks, 1, headers(clerks).index("Trước hạn")) == "1 (25,0%)"

    assert screen.timeliness_chart is not None and screen.satisfaction_chart is not None
    # Bars read top-down: Chứng thực above Hộ tịch (Qt draws the first category lowest).
    assert screen.timeliness_chart.categories == ["Hộ tịch", "Chứng thực"]
    assert screen.timeliness_chart.values == {
        "Trước hạn": [1, 0],
        "Đúng hạn": [0, 2],
        "Quá hạn": [2, 1],
    }
    assert screen.satisfaction_chart.slices == {
        "Rất hài lòng": 2,
        "Hài lòng": 2,
        "Không hài lòng": 1,
    }
    assert screen.xlsx_button.isEnabled() and screen.pdf_button.isEnabled()


def test_quarter_picked_from_the_keyboard(screen: ReportsScreen, qtbot: QtBot) -> None:
    screen.kind.setFocus()
    qtbot.keyClick(screen.kind, Qt.Key.Key_Down)  # Tháng -> Quý
    assert screen.kind.currentIndex() == QUARTER
    assert screen.quarter.isVisible() and not screen.month.isVisible()
    qtbot.keyClick(screen.kind, Qt.Key.Key_Tab)
    assert screen.year.hasFocus()
    qtbot.keyClick(screen.year, Qt.Key.Key_Tab)
    assert screen.quarter.hasFocus()  # the hidden month box is skipped
    screen.quarter.setValue(4)
    qtbot.keyClick(screen.quarter, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not screen.loading, timeout=WAIT_MS)
    assert screen.report is not None
    assert (screen.report.period_from, screen.report.period_to) == quarter_range(2026, 4)
    assert "Quý IV năm 2026" in screen.heading.text()
    assert screen.figures["received"].value.text() == "12"  # October's 11 and #13 in November
    assert file_stem(screen.report) == "bao-cao-2026-Q4"


def test_a_change_marks_the_figures_out_of_date(
    screen: ReportsScreen, session: Session, qtbot: QtBot
) -> None:
    session.changed.emit()  # before any report: nothing to mark
    assert not screen.stale
    show_october(screen, qtbot)
    session.changed.emit()
    assert screen.stale
    assert "thay đổi" in screen.status.text() and "F5" in screen.status.text()
    qtbot.keyClick(screen, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: not screen.loading, timeout=WAIT_MS)
    assert not screen.stale


def save_as(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[str]:
    asked: list[str] = []

    def fake(parent: QWidget, title: str, suggested: str, file_filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(target), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return asked


def test_export_excel_and_pdf_on_a_worker(
    screen: ReportsScreen, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show_october(screen, qtbot)

    asked = save_as(monkeypatch, tmp_path / "thang-10")  # no suffix typed: one is added
    qtbot.mouseClick(screen.xlsx_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.status.text().startswith("Đã lưu"), timeout=WAIT_MS)
    xlsx = tmp_path / "thang-10.xlsx"
    assert asked[0].endswith("bao-cao-2026-10.xlsx")
    assert str(xlsx) in screen.status.text()
    wb = load_workbook(xlsx)
    assert wb["Tổng hợp"]["B6"].value == 11
    assert "UBND xã An Hòa" in wb["Tổng hợp"]["A2"].value

    save_as(monkeypatch, tmp_path / "thang-10.pdf")
    qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.status.text().startswith("Đã lưu tệp PDF"), timeout=WAIT_MS)
    texts = page_texts((tmp_path / "thang-10.pdf").read_bytes())
    assert TITLE in texts[0] and "UBND XÃ AN HÒA" in texts[0]
    assert "1. Hồ sơ tiếp nhận trong kỳ 11" in " ".join(texts)


def test_a_failed_export_says_so(
    screen: ReportsScreen, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    show_october(screen, qtbot)
    shown: list[BaseException] = []
    monkeypatch.setattr("ui.reports_screen.show_error", lambda parent, exc: shown.append(exc))
    screen.export_pdf_to(tmp_path / "no-such-folder" / "r.pdf")
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    assert "Không lưu được tệp PDF" in str(shown[0])
    assert screen.status.text() == "Chưa xuất được tệp."
