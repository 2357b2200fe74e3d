"""The receipt PDF (Mẫu 01, two copies) vs a bare reportlab canvas drawing the same text.

The baseline draws every text line the receipt contains, page for page, with the same three
registered faces the form uses (regular, bold, italic: each embedded face costs reportlab
its subsetting) and no layout work: what remains is the cost of laying the form out
(wrapping, tables, barcode).
"""

from __future__ import annotations

import io
from datetime import datetime

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A5
from reportlab.pdfgen.canvas import Canvas

from bench.stats import measure, report
from counter_app.documents.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, register_fonts
from counter_app.documents.receipt import ReceiptData, ReceiptDocument, ReceiptFee, render_receipt
from counter_app.domain.clock import VN_TZ


def sample() -> ReceiptData:
    return ReceiptData(
        agency_name="UBND XÃ AN HÒA",
        place_name="An Hòa",
        receipt_number="0042/TNHS",
        dossier_code="000.00.17.H26-261125-1042",
        applicant_name="Nguyễn Thị Hồng Nhung",
        applicant_address="Thôn Đông Hòa, xã An Hòa",
        applicant_phone="0912345678",
        applicant_email="",
        applicant_id_label="Số định danh cá nhân: 001190012345",
        procedure_code="1.004873",
        procedure_name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        documents=(
            ReceiptDocument(
                "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu", "original", 1
            ),
            ReceiptDocument("Bản sao Giấy chứng nhận kết hôn đã được chứng thực", "copy", 1),
            ReceiptDocument("Xuất trình giấy tờ tùy thân", "original", 1),
        ),
        dossier_sets=1,
        processing_time_text="03 ngày làm việc",
        received_at=datetime(2026, 11, 25, 8, 15, tzinfo=VN_TZ),
        due_at=datetime(2026, 11, 30, 17, 0, tzinfo=VN_TZ),
        result_delivery="Bộ phận Tiếp nhận và Trả kết quả UBND xã An Hòa",
        fees=(ReceiptFee(15000, "Lệ phí hộ tịch"),),
        register_book="2026-M1",
        register_number=42,
        clerk_name="Trần Thị Mai",
    )


def text_of_pages(pdf: bytes) -> list[list[str]]:
    doc = pdfium.PdfDocument(pdf)
    pages = []
    for page in doc:
        textpage = page.get_textpage()
        pages.append([ln for ln in textpage.get_text_range().splitlines() if ln.strip()])
    doc.close()
    return pages


def bare_page(pages: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A5)
    for lines in pages:
        y = A5[1] - 40
        for index, line in enumerate(lines):
            face = (FONT_BOLD, FONT_ITALIC)[index] if index < 2 else FONT_REGULAR
            canvas.setFont(face, 10)
            canvas.drawString(36, y, line)
            y -= 12
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def run(runs: int = 200) -> dict[str, object]:
    register_fonts()
    data = sample()
    pages = text_of_pages(render_receipt(data))
    subject = measure(
        f"render_receipt ({len(pages)} pages, barcode)", lambda: render_receipt(data), runs=runs
    )
    baseline = measure(
        "bare reportlab canvas, same text, faces, pages", lambda: bare_page(pages), runs=runs
    )
    return report(
        "Receipt PDF (Mẫu 01, two copies)", subject, baseline, "<= 1.5x baseline and <= 15 ms p50"
    )


if __name__ == "__main__":
    run()
