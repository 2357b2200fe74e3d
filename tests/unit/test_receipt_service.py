"""The receipt a clerk hands over after saving: it scans, names the citizen, dates the return."""

from __future__ import annotations

from datetime import date, datetime

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.receipts import issue_receipt
from counter_app.store.models import AuditLog, Printout

from .pdf_helpers import decode_code128, normalize, page_texts, render_pages

APPLICANT = ApplicantInput(
    name="Phạm Thị Thuý Hằng",
    id_number="036185000321",
    dob=date(1985, 3, 8),
    sex=Sex.FEMALE,
    address="Xóm Đình, xã An Hòa",
    phone="0987654321",
)


def test_saved_dossier_prints_a_receipt_that_scans(counter: CounterContext) -> None:
    received = datetime(2026, 11, 23, 9, 40, tzinfo=VN_TZ)
    detail = receive(counter, IntakeRequest("1.004873", APPLICANT, received_at=received))
    path = issue_receipt(counter, detail.code)
    assert path.parent == counter.paths.receipts
    pdf = path.read_bytes()

    for image in render_pages(pdf, 200):
        codes = decode_code128(image)
        assert codes in ([], [detail.code])
    first_pages = [decode_code128(img) for img in render_pages(pdf, 300)]
    assert sum(1 for codes in first_pages if codes == [detail.code]) == 2  # Liên 1 and Liên 2

    text = normalize("\n".join(page_texts(pdf)))
    assert "Phạm Thị Thuý Hằng" in text
    # 3 working days from Mon 23/11/2026 (24/11 off): 25, 26, 27 -> Fri 27/11 17:00.
    assert "17 giờ 00 phút, ngày 27 tháng 11 năm 2026" in text
    assert "09 giờ 40 phút, ngày 23 tháng 11 năm 2026" in text
    assert "Liên 1: Lưu" in text and "Liên 2: Giao người nộp" in text
    assert "BẢN IN LẠI" not in text
    assert "Trần Thị Mai" in text  # the clerk who received it


def test_second_print_is_marked_as_a_copy_and_audited(counter: CounterContext) -> None:
    detail = receive(counter, IntakeRequest("2.000815", APPLICANT))
    first = issue_receipt(counter, detail.code)
    again = issue_receipt(counter, detail.code)
    assert first != again and first.is_file()
    pages = page_texts(again.read_bytes())
    assert all("BẢN IN LẠI" in normalize(page) for page in pages)
    assert [p.reprint for p in Printout.select().order_by(Printout.id)] == [False, True]
    actions = [a.action for a in AuditLog.select().where(AuditLog.object_ref == detail.code)]
    assert actions[-2:] == ["receipt.print", "receipt.reprint"]
