"""Today's list pages its rows; the receipt prints page by page and saves a copy."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pypdfium2
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from counter_app.domain.clock import now_vn
from counter_app.domain.identity import ApplicantInput
from counter_app.services.dto import DossierSummary
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.receipts import issue_receipt
from tests.ui.conftest import WAIT_MS
from ui.main_window import MainWindow
from ui.printing import a5_printer, print_document
from ui.receipt_preview import ReceiptPreview
from ui.session import Session
from ui.today_model import PAGE, TodayModel


def _summaries(count: int) -> list[DossierSummary]:
    start = now_vn()
    return [
        DossierSummary(
            code=f"000.00.17.H26-261125-{n:04d}",
            procedure_code="1.001193",
            procedure_name="Thủ tục đăng ký khai sinh",
            applicant_name=f"Người nộp {n}",
            received_at=start,
            due_at=start + timedelta(hours=4),
            status=2,
        )
        for n in range(count)
    ]


def test_today_model_hands_rows_to_the_view_a_page_at_a_time(session: Session) -> None:
    model = TodayModel(session)
    model._landed(now_vn().date(), _summaries(PAGE + 30))
    assert model.total == PAGE + 30
    assert model.rowCount() == PAGE
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == PAGE + 30
    assert not model.canFetchMore()
    assert model.index(PAGE + 29, 2).data() == f"Người nộp {PAGE + 29}"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Hẹn trả"


def _received(session: Session) -> Path:
    detail = receive(
        session.ctx,
        IntakeRequest(
            "1.001193",
            ApplicantInput(name="Lê Thị Hoa", id_number="001190012345"),
            allow_duplicate=True,
        ),
    )
    return issue_receipt(session.ctx, detail.code)


def test_changed_refreshes_todays_list(window: MainWindow, qtbot: QtBot) -> None:
    _received(window.session)
    model = window.today.model
    with qtbot.waitSignal(model.loaded, timeout=WAIT_MS):
        window.session.changed.emit()
    assert model.rowCount() == 1
    assert model.index(0, 2).data() == "Lê Thị Hoa"
    assert "1 hồ sơ" in window.today.heading.text()


def test_receipt_prints_every_page_on_a5(session: Session, qtbot: QtBot, tmp_path: Path) -> None:
    path = _received(session)
    preview = ReceiptPreview(session, "x", path)
    qtbot.addWidget(preview)
    qtbot.waitUntil(lambda: preview.ready, timeout=WAIT_MS)

    printer = a5_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setResolution(150)
    pages = print_document(preview.document, printer)

    assert pages == preview.document.pageCount() >= 2
    printed = pypdfium2.PdfDocument(str(tmp_path / "printed.pdf"))
    assert len(printed) == pages
    width_mm, height_mm = (v / 72 * 25.4 for v in printed[0].get_size())
    assert round(width_mm) == 148 and round(height_mm) == 210


def test_save_copy_writes_the_same_pdf(session: Session, qtbot: QtBot, tmp_path: Path) -> None:
    path = _received(session)
    preview = ReceiptPreview(session, "x", path)
    qtbot.addWidget(preview)
    qtbot.waitUntil(lambda: preview.ready, timeout=WAIT_MS)
    with qtbot.waitSignal(session.runner.idle, timeout=WAIT_MS):
        preview.save_copy_to(tmp_path / "ban-sao")
    assert (tmp_path / "ban-sao.pdf").read_bytes() == path.read_bytes()
    assert "Đã lưu" in preview.status.text()


def test_missing_receipt_file_is_reported_not_crashed(
    session: Session, qtbot: QtBot, tmp_path: Path
) -> None:
    preview = ReceiptPreview(session, "x", tmp_path / "khong-co.pdf")
    qtbot.addWidget(preview)
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)
    QThreadPool.globalInstance().waitForDone()
    assert preview.document.status() != QPdfDocument.Status.Ready
    assert "Không mở được" in preview.status.text()
