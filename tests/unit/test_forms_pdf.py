"""Mẫu 02–06 PDFs (notices and the control slip): what the applicant, the officer and
the barcode scanner see. Also the atomic PDF writer shared by every form."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from counter_app.documents.control_slip import (
    ControlSlipData,
    HandoverLine,
    render_control_slip,
)
from counter_app.documents.notices import TITLES, NoticeData, render_notice
from counter_app.documents.output import write_pdf
from counter_app.documents.receipt import ReceiptDocument
from counter_app.domain.clock import VN_TZ
from tests.unit.pdf_helpers import (
    decode_code128,
    metadata,
    normalize,
    page_sizes,
    page_texts,
    render_pages,
)
from tests.unit.test_receipt_pdf import A5_PT, assert_text_inside_margins

CODE = "000.00.17.H26-261125-1001"
NAME = "Nguyễn Thị Hồng Nhung"
RECEIVED = "08 giờ 15 phút, ngày 25 tháng 11 năm 2026"
DUE = "17 giờ 00 phút, ngày 28 tháng 11 năm 2026"
NEW_DUE = "17 giờ 00 phút, ngày 02 tháng 12 năm 2026"
REASONS = {
    "02": "Giấy chứng sinh nộp kèm là bản chụp, chưa có bản chính.",
    "03": "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã.",
    "04": "Cần xác minh thêm thông tin nơi cư trú với cơ quan công an.",
    "05": "Người nộp hồ sơ có văn bản đề nghị rút hồ sơ.",
}
DOCUMENTS = (
    ReceiptDocument("Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp", "original", 1),
    ReceiptDocument("Văn bản ủy quyền có chứng thực", "copy", 2),
)
LONG_REASON = (
    "Hồ sơ thiếu giấy tờ chứng minh nơi cư trú của cha, mẹ trẻ em trong trường hợp không"
    " khai thác được thông tin trên Cơ sở dữ liệu quốc gia về dân cư; "
) * 14 + "hết lý do."


def make_notice(form: str, **changes: object) -> NoticeData:
    data = NoticeData(
        form=form,
        agency_name="UBND XÃ AN HÒA",
        place_name="An Hòa",
        number=f"15/{form}",
        issued_at=datetime(2026, 11, 26, 9, 0, tzinfo=VN_TZ),
        dossier_code=CODE,
        applicant_name=NAME,
        applicant_address="Thôn Đông Hòa, xã An Hòa",
        applicant_phone="0912 345 678",
        procedure_name="Đăng ký khai sinh",
        received_at=datetime(2026, 11, 25, 8, 15, tzinfo=VN_TZ),
        due_at=datetime(2026, 11, 28, 17, 0, tzinfo=VN_TZ),
        reason=REASONS[form],
        documents=DOCUMENTS if form == "02" else (),
        new_due_at=datetime(2026, 12, 2, 17, 0, tzinfo=VN_TZ) if form == "04" else None,
        officer_name="Trần Văn Bình",
        officer_phone="0236 3822 111",
    )
    return replace(data, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def notices() -> dict[str, bytes]:
    return {form: render_notice(make_notice(form)) for form in TITLES}


def assert_a5_portrait(pdf: bytes) -> None:
    for width, height in page_sizes(pdf):
        assert width == pytest.approx(A5_PT[0], abs=0.5)
        assert height == pytest.approx(A5_PT[1], abs=0.5)


# --------------------------------------------------------------------------- notices


@pytest.mark.parametrize("form", ["02", "03", "04", "05"])
def test_notice_is_one_a5_page_with_header_code_and_applicant(
    notices: dict[str, bytes], form: str
) -> None:
    pdf = notices[form]
    assert_a5_portrait(pdf)
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = texts[0]
    assert normalize(TITLES[form]) in text
    assert "UBND XÃ AN HÒA" in text and "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in text
    assert f"Số: 15/{form}" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "An Hòa, ngày 26 tháng 11 năm 2026" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert NAME in text and "Đăng ký khai sinh" in text
    assert REASONS[form] in text
    assert "Trang 1/1" in text
    assert_text_inside_margins(pdf)


@pytest.mark.parametrize("form", ["02", "03", "04", "05"])
def test_notice_barcode_decodes_to_exactly_the_dossier_code(
    notices: dict[str, bytes], form: str
) -> None:
    assert decode_code128(render_pages(notices[form], 200)[0]) == [CODE]


@pytest.mark.parametrize("form", ["02", "03", "04", "05"])
def test_notice_metadata_names_the_form_and_code(notices: dict[str, bytes], form: str) -> None:
    meta = metadata(notices[form])
    assert CODE in meta["Title"]
    assert meta["Subject"] == f"Mẫu {form} - Thông tư 03/2025/TT-VPCP"
    assert "UBND XÃ AN HÒA" in meta["Author"]


def test_02_lists_the_documents_the_reason_and_whom_to_ask(notices: dict[str, bytes]) -> None:
    text = page_texts(notices["02"])[0]
    assert "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:" in text
    assert "TT Tên giấy tờ Hình thức Số lượng" in text
    first = text.index("1 Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp Bản chính 01")
    second = text.index("2 Văn bản ủy quyền có chứng thực Bản sao 02")
    assert first < second
    assert f"Lý do: {REASONS['02']}" in text
    assert "liên hệ với Trần Văn Bình, số điện thoại 0236 3822 111 để được hướng dẫn" in text
    assert "NGƯỜI HƯỚNG DẪN" in text
    assert text.rstrip().endswith("Trần Văn Bình")  # the signer's name under the signature
    assert f"Thời gian nhận hồ sơ: {RECEIVED}" in text


def test_02_with_a_reason_only_still_renders() -> None:
    text = page_texts(render_notice(make_notice("02", documents=())))[0]
    assert f"Lý do: {REASONS['02']}" in text
    assert "Tên giấy tờ" not in text


def test_03_states_the_refusal_and_both_sign(notices: dict[str, bytes]) -> None:
    text = page_texts(notices["03"])[0]
    assert (
        "không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: " + REASONS["03"]
    ) in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert f"Thời gian nhận hồ sơ: {RECEIVED}" in text


def test_04_apologises_and_gives_the_new_due_date_after_the_old(
    notices: dict[str, bytes],
) -> None:
    text = page_texts(notices["04"])[0]
    assert f"Kính gửi: {NAME}" in text
    assert f"Thời gian nhận hồ sơ: {RECEIVED}" in text
    old = text.index(f"Thời gian hẹn trả kết quả: {DUE}")
    reason = text.index(f"Lý do: {REASONS['04']}")
    apology = text.index("trân trọng xin lỗi Ông/Bà")
    new = text.index(f"Thời gian hẹn trả kết quả mới: {NEW_DUE}")
    assert old < reason < apology < new
    assert "chưa có kết quả" in text


def test_05_notifies_the_stop_with_the_reason(notices: dict[str, bytes]) -> None:
    text = page_texts(notices["05"])[0]
    assert f"Kính gửi: {NAME}" in text
    assert f"Thời gian hẹn trả kết quả: {DUE}" in text
    assert (
        "thông báo dừng giải quyết hồ sơ nêu trên với lý do cụ thể như sau: " + REASONS["05"]
    ) in text


@pytest.mark.parametrize("form", ["03", "05"])
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_refusal_and_stop_need_a_reason(form: str, reason: str) -> None:
    with pytest.raises(ValueError):
        render_notice(make_notice(form, reason=reason))


def test_04_needs_a_new_due_date_after_the_old_one() -> None:
    with pytest.raises(ValueError):
        render_notice(make_notice("04", new_due_at=None))
    due = datetime(2026, 11, 28, 17, 0, tzinfo=VN_TZ)
    with pytest.raises(ValueError):
        render_notice(make_notice("04", new_due_at=due))
    with pytest.raises(ValueError):
        render_notice(make_notice("04", new_due_at=datetime(2026, 11, 27, tzinfo=VN_TZ)))


@pytest.mark.parametrize("form", ["01", "06", "2", ""])
def test_unknown_form_is_refused(form: str) -> None:
    with pytest.raises(ValueError):
        render_notice(replace(make_notice("02"), form=form))


def test_02_needs_something_to_ask_for() -> None:
    with pytest.raises(ValueError):
        render_notice(make_notice("02", documents=(), reason=" "))


def test_notice_refuses_a_code_a_scanner_cannot_read() -> None:
    with pytest.raises(ValueError):
        render_notice(make_notice("03", dossier_code="Mã sai"))


@pytest.mark.parametrize("form", ["02", "03", "04", "05"])
def test_long_vietnamese_text_wraps_flows_and_stays_on_the_page(form: str) -> None:
    data = make_notice(
        form,
        reason=LONG_REASON,
        agency_name="UBND PHƯỜNG NGUYỄN TRUNG TRỰC, THÀNH PHỐ RẠCH GIÁ, TỈNH KIÊN GIANG",
        place_name="Thành phố Rạch Giá",
        applicant_name="Công ty Trách nhiệm hữu hạn Một thành viên Thương mại Dịch vụ"
        " Xuất nhập khẩu Nguyễn Thị Hồng Nhung",
        procedure_name="Đăng ký khai sinh kết hợp nhận cha, mẹ, con có yếu tố nước ngoài"
        " tại Ủy ban nhân dân cấp xã ở khu vực biên giới",
        documents=DOCUMENTS * 4 if form == "02" else (),
    )
    pdf = render_notice(data)
    assert_a5_portrait(pdf)
    assert_text_inside_margins(pdf)
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for n, text in enumerate(texts, start=1):
        assert f"Trang {n}/{len(texts)}" in text
        assert f"Mã hồ sơ: {CODE}" in text  # in the footer of every page
    whole = " ".join(texts)
    assert "khu vực biên giới" in whole and "hết lý do." in whole
    # The barcode is on the first page; the signatures close the last one.
    assert decode_code128(render_pages(pdf, 200)[0]) == [CODE]
    last = texts[-1]
    assert "(Ký" in last


def test_notice_prints_nfc_and_vietnam_time() -> None:
    decomposed = unicodedata.normalize("NFD", NAME)
    received = datetime(2026, 11, 25, 1, 15, tzinfo=UTC)  # 08:15 in Hà Nội
    text = page_texts(
        render_notice(make_notice("05", applicant_name=decomposed, received_at=received))
    )[0]
    assert f"Kính gửi: {NAME}" in text
    assert f"Thời gian nhận hồ sơ: {RECEIVED}" in text


# --------------------------------------------------------------------------- Mẫu 06

HANDOVERS = (
    HandoverLine(
        "Bộ phận Tiếp nhận và Trả kết quả",
        "Công chức Tư pháp - Hộ tịch",
        datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ),
        "on_time",
        giver="Trần Văn Bình",
        taker="Lê Thị Mai",
    ),
    HandoverLine(
        "Công chức Tư pháp - Hộ tịch",
        "Lãnh đạo UBND xã",
        datetime(2026, 11, 26, 15, 30, tzinfo=VN_TZ),
        "early",
        note="Đã thẩm định",
        giver="Lê Thị Mai",
        taker="Phạm Văn Hùng",
    ),
    HandoverLine(
        "Lãnh đạo UBND xã",
        "Bộ phận Tiếp nhận và Trả kết quả",
        datetime(2026, 11, 28, 17, 45, tzinfo=VN_TZ),
        "late",
        note="Chờ xác minh",
    ),
)


def make_slip(**changes: object) -> ControlSlipData:
    data = ControlSlipData(
        agency_name="UBND XÃ AN HÒA",
        place_name="An Hòa",
        number="1001/PKS",
        issued_at=datetime(2026, 11, 25, 8, 15, tzinfo=VN_TZ),
        dossier_code=CODE,
        applicant_name=NAME,
        procedure_name="Đăng ký khai sinh",
        received_at=datetime(2026, 11, 25, 8, 15, tzinfo=VN_TZ),
        due_at=datetime(2026, 11, 28, 17, 0, tzinfo=VN_TZ),
        processing_body="Công chức Tư pháp - Hộ tịch UBND xã An Hòa",
        coordinating_bodies=("Công an xã An Hòa", "Trạm Y tế xã An Hòa"),
        handovers=HANDOVERS,
    )
    return replace(data, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def slip_pdf() -> bytes:
    return render_control_slip(make_slip())


def test_control_slip_is_one_a5_page_with_the_dossier_and_the_bodies(slip_pdf: bytes) -> None:
    assert_a5_portrait(slip_pdf)
    texts = page_texts(slip_pdf)
    assert len(texts) == 1
    text = texts[0]
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert "Số: 1001/PKS" in text and "An Hòa, ngày 25 tháng 11 năm 2026" in text
    assert f"Mã hồ sơ: {CODE}" in text
    assert f"Hồ sơ của: {NAME}" in text
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh" in text
    assert f"Thời gian nhận hồ sơ: {RECEIVED}" in text
    assert f"Thời gian hẹn trả kết quả: {DUE}" in text
    assert "Cơ quan chủ trì giải quyết: Công chức Tư pháp - Hộ tịch UBND xã An Hòa" in text
    assert "Cơ quan phối hợp giải quyết: Công an xã An Hòa; Trạm Y tế xã An Hòa" in text
    assert_text_inside_margins(slip_pdf)
    assert metadata(slip_pdf)["Subject"] == "Mẫu 06 - Thông tư 03/2025/TT-VPCP"


def test_control_slip_barcode_decodes_to_exactly_the_dossier_code(slip_pdf: bytes) -> None:
    assert decode_code128(render_pages(slip_pdf, 200)[0]) == [CODE]


def test_control_slip_lists_each_hand_over_with_result_and_signers(slip_pdf: bytes) -> None:
    text = page_texts(slip_pdf)[0]
    assert "Tên cơ quan Thời gian giao, nhận hồ sơ" in text
    assert "Kết quả giải quyết hồ sơ (Trước hạn/ Đúng hạn/ Quá hạn) Ghi chú" in text
    rows = [
        "1. Giao: Bộ phận Tiếp nhận và Trả kết quả Nhận: Công chức Tư pháp - Hộ tịch"
        " 09 giờ 00 phút, ngày 25 tháng 11 năm 2026 Người giao Trần Văn Bình"
        " Người nhận Lê Thị Mai Đúng hạn",
        "2. Giao: Công chức Tư pháp - Hộ tịch Nhận: Lãnh đạo UBND xã"
        " 15 giờ 30 phút, ngày 26 tháng 11 năm 2026 Người giao Lê Thị Mai"
        " Người nhận Phạm Văn Hùng Trước hạn Đã thẩm định",
        "3. Giao: Lãnh đạo UBND xã Nhận: Bộ phận Tiếp nhận và Trả kết quả"
        " 17 giờ 45 phút, ngày 28 tháng 11 năm 2026 Người giao Người nhận Quá hạn Chờ xác minh",
    ]
    positions = [text.index(row) for row in rows]
    assert positions == sorted(positions)


def test_fresh_control_slip_has_four_blank_rows_to_fill_in_by_hand() -> None:
    pdf = render_control_slip(make_slip(handovers=(), coordinating_bodies=()))
    texts = page_texts(pdf)
    assert len(texts) == 1
    text = texts[0]
    assert "Cơ quan phối hợp giải quyết: Không" in text
    for n in range(1, 5):
        assert f"{n}. Giao: ....." in text
    assert "5. Giao:" not in text
    assert text.count("....giờ....phút, ngày..../..../......") == 4
    assert decode_code128(render_pages(pdf, 200)[0]) == [CODE]


def test_long_history_flows_onto_more_pages_under_the_column_titles() -> None:
    handovers = HANDOVERS * 5
    pdf = render_control_slip(make_slip(handovers=handovers))
    assert_a5_portrait(pdf)
    assert_text_inside_margins(pdf)
    texts = page_texts(pdf)
    assert len(texts) >= 2
    for n, text in enumerate(texts, start=1):
        assert f"Trang {n}/{len(texts)}" in text
        assert "Tên cơ quan Thời gian giao, nhận hồ sơ" in text  # header repeated
        assert f"Mã hồ sơ: {CODE}" in text
    whole = " ".join(texts)
    positions = [whole.index(f"{n}. Giao: ") for n in range(1, len(handovers) + 1)]
    assert positions == sorted(positions)
    assert whole.count("Quá hạn") == 5 + len(texts)  # 5 rows + the header of each page


def test_control_slip_refuses_an_unknown_result() -> None:
    bad = replace(HANDOVERS[0], result="ok")
    with pytest.raises(ValueError):
        render_control_slip(make_slip(handovers=(bad,)))


def test_control_slip_long_names_stay_on_the_page() -> None:
    long_body = (
        "Phòng Tư pháp Ủy ban nhân dân thành phố Rạch Giá, tỉnh Kiên Giang (bộ phận hộ tịch)"
    )
    line = replace(HANDOVERS[1], to_party=long_body, note="Ghi chú rất dài " * 8)
    pdf = render_control_slip(
        make_slip(
            processing_body=long_body, coordinating_bodies=(long_body,) * 3, handovers=(line,)
        )
    )
    assert_text_inside_margins(pdf)
    assert "tỉnh Kiên Giang (bộ phận hộ tịch)" in " ".join(page_texts(pdf))


def test_control_slip_cuts_a_note_too_long_for_a_page() -> None:
    line = replace(HANDOVERS[1], note="Ghi chú rất dài không có hồi kết " * 200)
    pdf = render_control_slip(make_slip(handovers=(line, *HANDOVERS)))
    assert_text_inside_margins(pdf)
    whole = " ".join(page_texts(pdf))
    assert "Ghi chú rất dài" in whole and "…" in whole
    assert "3. Giao: Công chức Tư pháp" in whole  # the rows after it still print


# --------------------------------------------------------------------------- output


def test_write_pdf_replaces_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "thong-bao.pdf"
    target.write_bytes(b"old")
    pdf = render_notice(make_notice("05"))
    assert write_pdf(pdf, target) == target
    assert target.read_bytes() == pdf
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thong-bao.pdf"]

    def refuse(src: object, dst: object) -> None:
        raise PermissionError("locked")

    monkeypatch.setattr("counter_app.documents.output.os.replace", refuse)
    with pytest.raises(PermissionError):
        write_pdf(b"%PDF-new", target)
    assert target.read_bytes() == pdf  # the previous file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thong-bao.pdf"]
