"""Mẫu 07 register PDF: A4 landscape pages a clerk can read and file."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from counter_app.documents.register import (
    COLUMN_TITLES,
    EMPTY_TEXT,
    RegisterData,
    RegisterRow,
    render_register,
)
from counter_app.domain.clock import VN_TZ
from tests.unit.pdf_helpers import metadata, page_sizes, page_texts
from tests.unit.test_receipt_pdf import assert_text_inside_margins

A4_LANDSCAPE_PT = (841.89, 595.28)
HEADER = " ".join(COLUMN_TITLES)
PROCEDURES = (
    "Đăng ký khai sinh",
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp",
    "Cấp Giấy xác nhận tình trạng hôn nhân",
)
NAMES = ("Nguyễn Thị Hồng Nhung", "Trần Văn Bình", "Công ty TNHH Thương mại Hòa An")


def make_row(i: int) -> RegisterRow:
    received = datetime(2026, 11, 2, 7, 30, tzinfo=VN_TZ) + timedelta(minutes=17 * i)
    step = i % 3
    return RegisterRow(
        number=i + 1,
        dossier_code=f"000.00.17.H26-{received:%y%m%d}-{1001 + i % 9000:04d}",
        procedure_name=PROCEDURES[i % 3],
        applicant_name=NAMES[i % 3],
        address_phone=f"Thôn Đông Hòa, xã An Hòa; 0912 345 {i % 1000:03d}",
        processing_body="Công chức Tư pháp - Hộ tịch",
        received_at=received,
        due_at=received + timedelta(days=3),
        sent_at=received + timedelta(hours=2) if step >= 1 else None,
        result_received_at=received + timedelta(days=2) if step >= 2 else None,
        returned_at=received + timedelta(days=2, hours=3) if step >= 2 else None,
        delivery="Qua bưu chính" if i % 4 == 0 else "Tại Bộ phận một cửa",
        note="Trả trước hạn" if i % 7 == 0 else "",
    )


def make_register(count: int, **changes: object) -> RegisterData:
    data = RegisterData(
        agency_name="UBND XÃ AN HÒA",
        place_name="An Hòa",
        book="01/2026",
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        printed_at=datetime(2026, 12, 1, 8, 15, tzinfo=VN_TZ),
        rows=tuple(make_row(i) for i in range(count)),
    )
    return replace(data, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def register_pdf() -> bytes:
    return render_register(make_register(40))


def assert_a4_landscape(pdf: bytes) -> None:
    for width, height in page_sizes(pdf):
        assert width == pytest.approx(A4_LANDSCAPE_PT[0], abs=0.5)
        assert height == pytest.approx(A4_LANDSCAPE_PT[1], abs=0.5)


def test_register_is_a4_landscape_with_title_book_and_range(register_pdf: bytes) -> None:
    assert_a4_landscape(register_pdf)
    first = page_texts(register_pdf)[0]
    assert "UBND XÃ AN HÒA" in first and "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in first
    assert "SỔ THEO DÕI HỒ SƠ" in first
    assert "Quyển số: 01/2026 · Từ ngày 01/11/2026 đến ngày 30/11/2026" in first
    meta = metadata(register_pdf)
    assert meta["Subject"] == "Mẫu 07 - Thông tư 03/2025/TT-VPCP"
    assert "01/2026" in meta["Title"]


def test_every_page_repeats_the_column_titles_and_is_numbered(register_pdf: bytes) -> None:
    texts = page_texts(register_pdf)
    assert len(texts) >= 2
    for n, text in enumerate(texts, start=1):
        assert HEADER in text
        assert f"Trang {n}/{len(texts)}" in text
        assert "In lúc 08:15 01/12/2026" in text
    assert "Trang 1/" in texts[0] and "Trang 2/" in texts[1]
    # From the second page on, a running line says which book the sheet belongs to.
    for text in texts[1:]:
        assert text.startswith("SỔ THEO DÕI HỒ SƠ · Quyển số: 01/2026")
    assert_text_inside_margins(register_pdf)


def test_rows_print_in_order_with_dates_and_blanks(register_pdf: bytes) -> None:
    whole = " ".join(page_texts(register_pdf))
    # Row 1: received, due, sent to the processing body; not yet back nor returned.
    row_1 = (
        "2 000.00.17.H26- 261102-1002 Chứng thực bản sao từ bản chính giấy tờ, văn bản do"
        " cơ quan có thẩm quyền cấp Trần Văn Bình Thôn Đông Hòa, xã An Hòa; 0912 345 001"
        " Công chức Tư pháp - Hộ tịch 02/11/2026 07:47 05/11/2026 07:47 02/11/2026 09:47"
        " Tại Bộ phận một cửa 3 "
    )
    assert row_1 in whole
    row_2 = (
        "02/11/2026 08:04 05/11/2026 08:04 02/11/2026 10:04 04/11/2026 08:04"
        " 04/11/2026 11:04 Tại Bộ phận một cửa 4 "
    )
    assert row_2 in whole
    positions = [whole.index(f"261102-{1001 + i}") for i in range(40)]
    assert positions == sorted(positions)
    assert "Qua bưu chính" in whole and "Trả trước hạn" in whole


def test_empty_register_renders_one_page_saying_so() -> None:
    pdf = render_register(make_register(0))
    assert_a4_landscape(pdf)
    texts = page_texts(pdf)
    assert len(texts) == 1
    assert EMPTY_TEXT in texts[0]
    assert HEADER in texts[0]
    assert "Trang 1/1" in texts[0]


def test_long_cells_wrap_and_stay_on_the_page() -> None:
    row = replace(
        make_row(0),
        procedure_name="Đăng ký khai sinh kết hợp nhận cha, mẹ, con có yếu tố nước ngoài tại"
        " Ủy ban nhân dân cấp xã ở khu vực biên giới " * 3,
        applicant_name="Công ty Trách nhiệm hữu hạn Một thành viên Xuất nhập khẩu Hòa An",
        address_phone="nguyen.thi.hong.nhung.khong.co.dau.cach@mot-ten-mien-dai.gov.vn",
        note="Ghi chú rất dài " * 20,
    )
    pdf = render_register(make_register(0, rows=(row,) * 8))
    assert_text_inside_margins(pdf)
    whole = " ".join(page_texts(pdf))
    assert "khu vực biên giới" in whole


def test_a_cell_too_long_for_a_page_is_cut_not_overflowing() -> None:
    row = replace(make_row(0), note="Ghi chú rất dài không có hồi kết " * 300)
    pdf = render_register(make_register(0, rows=(row, make_row(1))))
    assert_text_inside_margins(pdf)
    texts = page_texts(pdf)
    assert len(texts) == 1
    assert "…" in texts[0] and "261102-1002" in texts[0]


@pytest.mark.slow
def test_two_thousand_rows_render_in_a_few_seconds() -> None:
    data = make_register(2000)
    start = time.perf_counter()
    pdf = render_register(data)
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"2,000 rows took {elapsed:.1f} s"
    texts = page_texts(pdf)
    pages = len(texts)
    assert pages > 50
    assert f"Trang {pages}/{pages}" in texts[-1]
    assert HEADER in texts[-1]
    last = data.rows[-1]
    assert f"2000 000.00.17.H26- {last.dossier_code.split('-', 1)[1]}" in texts[-1]
    assert_a4_landscape(pdf)
