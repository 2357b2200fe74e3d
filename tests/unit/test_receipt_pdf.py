"""Mẫu 01 receipt PDF: what the clerk, the applicant and the barcode scanner see."""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reportlab.lib.units import mm

from counter_app.documents.barcode import (
    MIN_MODULE_MM,
    QUIET_ZONE_MODULES,
    code128_modules,
    code128_width_pt,
    draw_code128,
)
from counter_app.documents.fonts import font_files
from counter_app.documents.receipt import (
    ReceiptData,
    ReceiptDocument,
    ReceiptFee,
    render_receipt,
    write_receipt,
)
from counter_app.domain.clock import VN_TZ
from tests.unit.pdf_helpers import (
    decode_code128,
    font_names,
    metadata,
    narrowest_bar_mm,
    normalize,
    page_sizes,
    page_texts,
    render_pages,
    text_extents,
)

CODE = "000.00.17.H26-261125-1001"
NAME = "Nguyễn Thị Hồng Nhung"
A5_PT = (419.53, 595.28)

LONG_DOCUMENTS = tuple(
    ReceiptDocument(
        f"{name} (giấy tờ số {n:02d})",
        "copy" if n % 3 else "original",
        1 + n % 2,
    )
    for n, name in enumerate(
        [
            "Tờ khai đăng ký khai sinh theo mẫu quy định",
            "Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh nơi trẻ em sinh ra cấp",
            "Văn bản ủy quyền theo quy định của pháp luật trong trường hợp ủy quyền"
            " thực hiện việc đăng ký khai sinh",
            "Giấy tờ chứng minh nơi cư trú của cha, mẹ trẻ em trong trường hợp không"
            " khai thác được thông tin trên Cơ sở dữ liệu quốc gia về dân cư",
            "Giấy chứng nhận kết hôn của cha, mẹ trẻ em (nếu cha, mẹ đã đăng ký kết hôn)",
            "Biên bản xác nhận việc trẻ bị bỏ rơi do Ủy ban nhân dân cấp xã lập",
            "Văn bản chứng minh việc mang thai hộ theo quy định pháp luật",
            "Hộ chiếu hoặc giấy tờ có giá trị thay hộ chiếu của người nước ngoài",
            "Bản cam đoan về việc sinh con có hai người làm chứng",
            "Giấy xác nhận của cơ quan có thẩm quyền về việc trẻ em sinh ra ở nước ngoài",
            "Trích lục ghi chú kết hôn hoặc giấy tờ tương đương do nước ngoài cấp",
            "Văn bản thỏa thuận của cha, mẹ về việc chọn quốc tịch cho con",
        ],
        start=1,
    )
)


def make_receipt(**changes: object) -> ReceiptData:
    data = ReceiptData(
        agency_name="UBND XÃ AN HÒA",
        place_name="An Hòa",
        receipt_number="1001/TNHS",
        dossier_code=CODE,
        applicant_name=NAME,
        applicant_address="Thôn Đông Hòa, xã An Hòa",
        applicant_phone="0912 345 678",
        applicant_email="nhung.nguyen@example.vn",
        applicant_id_label="Số định danh cá nhân: 001203012345",
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        documents=(
            ReceiptDocument("Tờ khai đăng ký khai sinh theo mẫu", "original", 1),
            ReceiptDocument("Giấy chứng sinh", "original", 1),
            ReceiptDocument("Văn bản ủy quyền (nếu có)", "copy", 1),
        ),
        dossier_sets=1,
        processing_time_text="03 ngày làm việc",
        received_at=datetime(2026, 11, 25, 8, 15, tzinfo=VN_TZ),
        due_at=datetime(2026, 11, 28, 17, 0, tzinfo=VN_TZ),
        result_delivery="Bộ phận Tiếp nhận và Trả kết quả UBND xã An Hòa",
        fees=(ReceiptFee(8000, "Lệ phí cấp bản sao trích lục hộ tịch"),),
        register_book="01/2026",
        register_number=1001,
        clerk_name="Trần Văn Bình",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def typical_pdf() -> bytes:
    return render_receipt(make_receipt())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_receipt(make_receipt(documents=LONG_DOCUMENTS))


def copy_pages(texts: list[str]) -> tuple[list[int], list[int]]:
    first = [i for i, t in enumerate(texts) if "Liên 1: Lưu" in t]
    second = [i for i, t in enumerate(texts) if "Liên 2: Giao người nộp" in t]
    return first, second


# --------------------------------------------------------------------------- barcode


@pytest.mark.parametrize("dpi", [300, 200])
def test_barcode_decodes_to_exactly_the_dossier_code_on_both_copies(
    typical_pdf: bytes, dpi: int
) -> None:
    images = render_pages(typical_pdf, dpi)
    first, second = copy_pages(page_texts(typical_pdf))
    assert first and second
    for copy in (first, second):
        assert decode_code128(images[copy[0]]) == [CODE]


def test_barcode_modules_are_at_least_038_mm_in_the_maths_and_on_the_page(
    typical_pdf: bytes,
) -> None:
    modules = len(code128_modules(CODE))
    width = code128_width_pt(CODE)
    assert width / (modules + 2 * QUIET_ZONE_MODULES) == pytest.approx(MIN_MODULE_MM * mm)
    # Measured on a 600 dpi rendering: the narrowest bar is one module (1 px tolerance).
    dpi = 600
    image = render_pages(typical_pdf, dpi)[0]
    narrowest, bars = narrowest_bar_mm(image, dpi)
    assert narrowest >= MIN_MODULE_MM - 25.4 / dpi
    assert bars == code128_modules(CODE).count("10") + 1  # every bar was drawn


def test_barcode_refuses_thin_bars_and_codes_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        code128_width_pt(CODE, module_width_mm=0.3)
    with pytest.raises(ValueError):
        draw_code128(None, CODE, 0, 0, max_width_pt=50 * mm)
    with pytest.raises(ValueError):
        render_receipt(make_receipt(dossier_code="000.00.17.H26-261125-1001-" + "X" * 30))
    with pytest.raises(ValueError):
        code128_modules("Mã-hồ-sơ")  # a scanner cannot type what Code 128 cannot carry


# --------------------------------------------------------------------------- text


def test_text_shows_the_applicant_procedure_dates_and_copy_labels(typical_pdf: bytes) -> None:
    texts = page_texts(typical_pdf)
    assert len(texts) == 2  # a typical receipt: one A5 page per copy
    first, second = copy_pages(texts)
    assert first == [0] and second == [1]
    for text in texts:
        assert unicodedata.normalize("NFC", NAME) in text
        assert "Đăng ký khai sinh" in text
        assert f"Mã hồ sơ: {CODE}" in text
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
        assert "Độc lập - Tự do - Hạnh phúc" in text
        assert "An Hòa, ngày 25 tháng 11 năm 2026" in text
        assert "Số: 1001/TNHS" in text
        assert "4. Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 25 tháng 11 năm 2026" in text
        assert (
            "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 28 tháng 11 năm 2026"
            in text
        )
        assert "3. Thời gian giải quyết hồ sơ theo quy định: 03 ngày làm việc" in text
        assert "2. Số lượng hồ sơ: 01 (bộ)" in text
        assert "Phí, lệ phí: 8.000 đồng" in text
        assert "Quyển số: 01/2026, Số thứ tự: 1001" in text
        assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
        assert "Trần Văn Bình" in text
        assert "BẢN IN LẠI" not in text
    # The documents appear in order, numbered, with their kind.
    text = texts[0]
    assert text.index("Tờ khai đăng ký khai sinh theo mẫu") < text.index("Giấy chứng sinh")
    assert "Bản chính" in text and "Bản sao" in text


def test_decomposed_input_prints_as_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", NAME)
    assert decomposed != NAME
    texts = page_texts(render_receipt(make_receipt(applicant_name=decomposed)))
    assert all(unicodedata.normalize("NFC", NAME) in t for t in texts)


def test_times_print_in_vietnam_time() -> None:
    received = datetime(2026, 11, 25, 1, 15, tzinfo=UTC)  # 08:15 in Hà Nội
    texts = page_texts(render_receipt(make_receipt(received_at=received)))
    assert "08 giờ 15 phút, ngày 25 tháng 11 năm 2026" in texts[0]


def test_no_fees_and_missing_contact_details() -> None:
    data = make_receipt(fees=(), applicant_phone="", applicant_email="", applicant_address="")
    text = page_texts(render_receipt(data))[0]
    assert "Phí, lệ phí: Không" in text
    assert "Số điện thoại: ...." in text and "Email: ...." in text and "Địa chỉ: ...." in text


def test_several_fees_are_listed_with_their_total() -> None:
    fees = (
        ReceiptFee(2000, "Phí chứng thực bản sao từ bản chính, trang thứ nhất và thứ hai"),
        ReceiptFee(1000, "Phí chứng thực từ trang thứ ba trở đi"),
    )
    text = page_texts(render_receipt(make_receipt(fees=fees)))[0]
    assert "Phí, lệ phí: 3.000 đồng, gồm:" in text
    assert "- 2.000 đồng: Phí chứng thực" in text and "- 1.000 đồng" in text


def test_long_fee_description_is_shortened_not_overflowing() -> None:
    fee = ReceiptFee(8000, "Lệ phí cấp bản sao trích lục hộ tịch " * 12)
    text = page_texts(render_receipt(make_receipt(fees=(fee,))))[0]
    assert "Phí, lệ phí: 8.000 đồng (Lệ phí cấp bản sao" in text
    assert "…)" in text


# --------------------------------------------------------------------------- pages


def test_every_page_is_a5_portrait(long_pdf: bytes) -> None:
    for width, height in page_sizes(long_pdf):
        assert width == pytest.approx(A5_PT[0], abs=0.5)
        assert height == pytest.approx(A5_PT[1], abs=0.5)


def test_twelve_long_documents_flow_onto_more_pages_and_stay_complete(long_pdf: bytes) -> None:
    texts = page_texts(long_pdf)
    first, second = copy_pages(texts)
    assert len(first) == len(second) >= 2
    assert max(first) < min(second)  # Liên 1 entirely before Liên 2
    for copy in (first, second):
        copy_text = " ".join(texts[i] for i in copy)
        for doc in LONG_DOCUMENTS:
            assert normalize(doc.name) in copy_text
        for page_no, i in enumerate(copy, start=1):
            assert f"Trang {page_no}/{len(copy)}" in texts[i]
        # The signatures close each copy, on its last page, with the register line.
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in texts[copy[-1]]
        assert "Vào Sổ theo dõi hồ sơ" in texts[copy[-1]]
        # The list heading is never stranded at the bottom of a page without its table.
        heading = next(texts[i] for i in copy if "1. Thành phần hồ sơ nộp gồm:" in texts[i])
        assert "TT Tên giấy tờ Hình thức Số lượng 1 " in heading
    images = render_pages(long_pdf, 200)
    for copy in (first, second):
        assert decode_code128(images[copy[0]]) == [CODE]
    assert_text_inside_margins(long_pdf)


def test_reprint_marks_every_page_and_original_none() -> None:
    printed = datetime(2026, 11, 26, 9, 30, tzinfo=VN_TZ)
    reprint = render_receipt(
        make_receipt(documents=LONG_DOCUMENTS, reprint=True, printed_at=printed)
    )
    texts = page_texts(reprint)
    assert len(texts) >= 4
    for text in texts:
        assert "BẢN IN LẠI" in text
        assert "In lại lúc 09:30 26/11/2026" in text
    original = page_texts(render_receipt(make_receipt(documents=LONG_DOCUMENTS)))
    assert not any("BẢN IN LẠI" in t or "In lại lúc" in t for t in original)
    # The mark does not cost the scanner anything.
    image = render_pages(reprint, 200)[0]
    assert decode_code128(image) == [CODE]


def test_typical_reprint_still_fits_one_page_per_copy() -> None:
    texts = page_texts(render_receipt(make_receipt(reprint=True)))
    assert len(texts) == 2


@pytest.mark.parametrize("count", range(1, 13))
def test_any_number_of_documents_keeps_the_signed_page_meaningful(count: int) -> None:
    pdf = render_receipt(make_receipt(documents=LONG_DOCUMENTS[:count]))
    texts = page_texts(pdf)
    first, second = copy_pages(texts)
    assert len(first) == len(second)
    for copy in (first, second):
        assert f"Mã hồ sơ: {CODE}" in texts[copy[0]]
        last = texts[copy[-1]]
        # The appointment and the register line are on the page that gets signed.
        for wording in ("5. Thời gian trả kết quả giải quyết hồ sơ", "Vào Sổ theo dõi hồ sơ"):
            assert wording in last
        assert "NGƯỜI NỘP HỒ SƠ" in last and "NGƯỜI TIẾP NHẬN HỒ SƠ" in last
    # Two documents of these lengths (1–2 lines each) still make a single-sheet copy.
    if count <= 2:
        assert len(first) == 1


def test_realistic_three_document_reprint_fits_one_sheet_per_copy() -> None:
    documents = (
        ReceiptDocument("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu", "original", 1),
        ReceiptDocument("Bản sao Giấy chứng nhận kết hôn đã được chứng thực", "copy", 1),
        ReceiptDocument("Xuất trình giấy tờ tùy thân", "original", 1),
    )
    data = make_receipt(
        documents=documents,
        procedure_name="Thủ tục cấp Giấy xác nhận tình trạng hôn nhân",
        reprint=True,
    )
    pdf = render_receipt(data)
    assert len(page_texts(pdf)) == 2
    assert_text_inside_margins(pdf)


def test_long_names_and_unbroken_words_stay_on_the_page() -> None:
    data = make_receipt(
        agency_name="UBND PHƯỜNG NGUYỄN TRUNG TRỰC, THÀNH PHỐ RẠCH GIÁ",
        place_name="Thành phố Rạch Giá",
        applicant_email="nguyen.thi.hong.nhung.rat.dai.khong.co.dau.cach@mot-ten-mien-dai.gov.vn",
        procedure_name="Đăng ký khai sinh kết hợp nhận cha, mẹ, con có yếu tố nước ngoài"
        " tại Ủy ban nhân dân cấp xã ở khu vực biên giới",
    )
    pdf = render_receipt(data)
    texts = page_texts(pdf)
    assert "nguyen.thi.hong.nhung" in texts[0]
    assert "khu vực biên giới" in texts[0]
    assert_text_inside_margins(pdf)


def assert_text_inside_margins(pdf: bytes) -> None:
    """No text runs off the sheet or into the printer's unprintable edge (~5 mm)."""
    for (left, bottom, right, top), (width, height) in zip(
        text_extents(pdf), page_sizes(pdf), strict=True
    ):
        assert left >= 5 * mm and right <= width - 5 * mm
        assert bottom >= 4 * mm and top <= height - 4 * mm


# --------------------------------------------------------------------------- fonts, file


def test_text_is_in_the_bundled_font_never_helvetica(typical_pdf: bytes) -> None:
    names = font_names(typical_pdf)
    assert names and all(n.startswith("DejaVuSans") for n in names)
    assert b"Helvetica" not in typical_pdf
    files = font_files()
    assert set(files) == {"regular", "bold", "italic", "bolditalic"}
    assert all(p.is_file() and p.suffix == ".ttf" for p in files.values())


def test_pdf_metadata_names_the_form_and_code(typical_pdf: bytes) -> None:
    meta = metadata(typical_pdf)
    assert CODE in meta["Title"] and "Giấy tiếp nhận hồ sơ" in meta["Title"]
    assert "UBND XÃ AN HÒA" in meta["Author"]


def test_write_receipt_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "bien-nhan.pdf"
    target.write_bytes(b"old")
    assert write_receipt(make_receipt(), target) == target
    assert target.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bien-nhan.pdf"]
    # A receipt that cannot be rendered leaves neither a temp file nor a broken target.
    bad = make_receipt(dossier_code="Mã sai")
    with pytest.raises(ValueError):
        write_receipt(bad, tmp_path / "other.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bien-nhan.pdf"]
    # A failure at the last step (disk full, file locked by a viewer on Windows) keeps
    # the previous file intact and cleans up the temp file.
    before = target.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise PermissionError("locked")

    monkeypatch.setattr("counter_app.documents.output.os.replace", refuse)
    with pytest.raises(PermissionError):
        write_receipt(make_receipt(), target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bien-nhan.pdf"]


def test_rendering_from_several_threads_gives_the_same_pages() -> None:
    data = make_receipt()
    expected = page_texts(render_receipt(data))
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:  # pdfium is not thread-safe: only the rendering runs in threads
        try:
            for _ in range(3):
                results.append(render_receipt(data))
        except BaseException as exc:  # surfaced below, in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [page_texts(pdf) for pdf in results] == [expected] * 12
