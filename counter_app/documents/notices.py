"""Mẫu 02–05 of Thông tư 03/2025/TT-VPCP: the notices about one dossier, on A5 portrait.

- 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: the documents to add or correct, why, and
  whom to ask; signed by the guiding officer (NGƯỜI HƯỚNG DẪN).
- 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ: the written reason; signed by the
  applicant and the receiving officer.
- 04 Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết: addressed to the applicant;
  the original due date, why the result is late, the apology and the new due date.
- 05 Thông báo dừng giải quyết hồ sơ: the dossier is no longer processed, and why.

One copy each (the counter prints another if it keeps one). The layout is the receipt's:
common header, bold title, "Mã hồ sơ" with its Code 128, fields, signatures; a long text
flows onto a second page, every page footed with the code and "Trang i/k".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from reportlab.lib.units import mm

from counter_app.documents.fonts import FONT_BOLD
from counter_app.documents.layout import (
    BODY,
    BODY_SIZE,
    Block,
    Columns,
    PageGeometry,
    Paragraph,
    PdfInfo,
    Rich,
    Signature,
    SlipHeader,
    Span,
    TextStyle,
    bold,
    common_header,
    dossier_code_blocks,
    labelled,
    nobreak,
    render_flow,
    signature_row,
    text_width,
    title_block,
    vn_moment,
)
from counter_app.documents.receipt import ReceiptDocument, documents_table

TITLES = {
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
}
# The PDF title (sentence case, as a file manager or viewer shows it).
_DOC_NAMES = {
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
}
UNIT = "Bộ phận Tiếp nhận và Trả kết quả"
HEAD_OF_AGENCY = Signature("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký, ghi rõ họ tên và đóng dấu)")

_GEOMETRY = PageGeometry(top=10 * mm, bottom=11 * mm)
_SIGN_SPACE = 16 * mm
_HOLE = "." * 30  # a blank to fill in by hand, as on the paper form


@dataclass(frozen=True)
class NoticeData:
    form: str  # "02" | "03" | "04" | "05"
    agency_name: str  # governing body, printed as given, e.g. "UBND XÃ AN HÒA"
    place_name: str  # for "<place>, ngày … tháng … năm …"
    number: str  # the "Số: …" value
    issued_at: datetime  # aware, Asia/Ho_Chi_Minh
    dossier_code: str  # printed as "Mã hồ sơ: <code>" with its Code 128
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    procedure_name: str
    received_at: datetime
    due_at: datetime  # the due date as it stood (for 04: the original due date)
    reason: str  # 02: why; 03: refusal reason; 04: why late; 05: why stopped
    documents: tuple[ReceiptDocument, ...] = ()  # 02: the documents to add or correct
    new_due_at: datetime | None = None  # 04 only: the new due date
    officer_name: str = ""  # who signs (02: NGƯỜI HƯỚNG DẪN, with name and phone)
    officer_phone: str = ""


def render_notice(data: NoticeData) -> bytes:
    """The notice as PDF bytes, one copy on A5 portrait.

    Raises ValueError for an unknown form; a 02 with neither documents nor reason; a
    03 or 05 without a reason; a 04 without a new due date later than the old one; a
    dossier code that cannot be printed as a readable Code 128.
    """
    _validate(data)
    width = _GEOMETRY.frame_width
    blocks: list[Block] = [
        common_header(
            SlipHeader(
                agency_name=data.agency_name,
                number=data.number,
                place_name=data.place_name,
                date=data.issued_at,
            ),
            width,
        ),
        title_block(_title(data.form), width),
        *dossier_code_blocks(data.dossier_code, width),
        *_BODIES[data.form](data, width),
    ]
    info = PdfInfo(
        title=f"{_DOC_NAMES[data.form]} {data.dossier_code}",
        subject=f"Mẫu {data.form} - Thông tư 03/2025/TT-VPCP",
        author=f"{UNIT} {data.agency_name}",
        keywords=data.dossier_code,
    )
    return render_flow(
        blocks, _GEOMETRY, info, footer=f"Mẫu {data.form} · Mã hồ sơ: {data.dossier_code}"
    )


def _title(form: str) -> str:
    """The title, with its last words held together so a two-line title breaks at a
    phrase ("… GIA HẠN / THỜI GIAN GIẢI QUYẾT"), not inside one."""
    title = TITLES[form]
    for phrase in ("THỜI GIAN GIẢI QUYẾT", "GIẢI QUYẾT HỒ SƠ", "HOÀN THIỆN HỒ SƠ"):
        if title.endswith(phrase):
            return title[: -len(phrase)] + nobreak(phrase)
    return title


def _validate(data: NoticeData) -> None:
    if data.form not in TITLES:
        raise ValueError(f"unknown notice form {data.form!r}: expected one of {sorted(TITLES)}")
    has_reason = bool(data.reason.strip())
    if data.form == "02" and not (data.documents or has_reason):
        raise ValueError("Mẫu 02 needs the documents to add or correct, or a reason")
    if data.form in ("03", "05") and not has_reason:
        raise ValueError(f"Mẫu {data.form} needs a reason")
    if data.form == "04":
        if data.new_due_at is None:
            raise ValueError("Mẫu 04 needs the new due date")
        if data.new_due_at <= data.due_at:
            raise ValueError("Mẫu 04: the new due date must be after the original one")


# --------------------------------------------------------------------------- bodies

_INDENTED = replace(BODY, first_indent=6 * mm)


def _field(label: str, value: Rich, width: float) -> Paragraph:
    return labelled(label, value, width, style=BODY)


def _text(content: Rich, width: float, style: TextStyle = BODY) -> Paragraph:
    return Paragraph(content, width, style)


def _applicant(data: NoticeData, width: float, label: str) -> list[Block]:
    return [
        _field(label, bold(data.applicant_name), width),
        _field("Địa chỉ", data.applicant_address, width),
        _field("Số điện thoại", data.applicant_phone, width),
    ]


def _addressee(data: NoticeData, width: float) -> list[Block]:
    """ "Kính gửi: <applicant>" centred, then where to reach them."""
    name = data.applicant_name.strip() or _HOLE
    return [
        Paragraph(
            [Span("Kính gửi: "), bold(name)],
            width,
            TextStyle(size=11, align="center", space_before=2, space_after=3),
        ),
        _field("Địa chỉ", data.applicant_address, width),
        _field("Số điện thoại", data.applicant_phone, width),
    ]


def _signed(closing: Sequence[Paragraph], signatures: Block) -> list[Block]:
    """The closing lines stay on the page that gets signed."""
    for block in closing:
        block.keep_with_next = True
    return [*closing, signatures]


def _right_signature(signature: Signature, width: float) -> Block:
    """One signature block on the right, as on an official letter: the right half, or
    wider when the role needs it to stay on one line."""
    needed = text_width(signature.role, FONT_BOLD, BODY_SIZE) + 4 * mm
    column = min(width, max(width / 2, needed))
    sign = signature_row([signature], column, sign_space=_SIGN_SPACE)
    return Columns([(width - column, sign)])


def _body_02(data: NoticeData, width: float) -> list[Block]:
    blocks: list[Block] = [
        *_applicant(data, width, "Hồ sơ của"),
        _field("Nội dung yêu cầu giải quyết", bold(data.procedure_name), width),
        _field("Thời gian nhận hồ sơ", vn_moment(data.received_at), width),
    ]
    if data.documents:
        blocks.append(_text("Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", width))
        blocks[-1].keep_with_next = True
        blocks.append(documents_table(data.documents, width))
    blocks.append(_field("Lý do", data.reason, width))
    officer = data.officer_name.strip() or _HOLE
    phone = data.officer_phone.strip() or "." * 20
    closing = _text(
        [
            "Trong quá trình bổ sung, hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ với ",
            bold(officer),
            ", số điện thoại ",
            bold(phone),
            " để được hướng dẫn./.",
        ],
        width,
        replace(BODY, space_before=2),
    )
    sign = _right_signature(Signature("NGƯỜI HƯỚNG DẪN", name=data.officer_name), width)
    return blocks + _signed([closing], sign)


def _body_03(data: NoticeData, width: float) -> list[Block]:
    unit = f"{UNIT} {data.agency_name}"
    intro = _text(
        f"Qua xem xét, {unit} thông báo không tiếp nhận, giải quyết hồ sơ này"
        " với lý do cụ thể như sau:",
        width,
        replace(BODY, space_before=2),
    )
    intro.keep_with_next = True
    closing = _text("Xin thông báo để Ông/Bà được biết và thực hiện./.", width)
    signatures = signature_row(
        [Signature("NGƯỜI NỘP HỒ SƠ"), Signature("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.officer_name)],
        width,
        sign_space=_SIGN_SPACE,
    )
    return [
        _text(unit, width),
        *_applicant(data, width, "Tiếp nhận hồ sơ của"),
        _field("Nội dung yêu cầu giải quyết", bold(data.procedure_name), width),
        _field("Thời gian nhận hồ sơ", vn_moment(data.received_at), width),
        intro,
        _text(data.reason, width, _INDENTED),
        *_signed([closing], signatures),
    ]


def _received(data: NoticeData, width: float) -> list[Block]:
    """Which dossier, when it was received and when the result was promised."""
    return [
        _text(
            [
                f"{UNIT} {data.agency_name} đã tiếp nhận hồ sơ của Ông/Bà đề nghị"
                " giải quyết thủ tục: ",
                bold(data.procedure_name),
                ".",
            ],
            width,
            replace(BODY, space_before=3),
        ),
        _field("Thời gian nhận hồ sơ", vn_moment(data.received_at), width),
        _field("Thời gian hẹn trả kết quả", vn_moment(data.due_at), width),
    ]


def _body_04(data: NoticeData, width: float) -> list[Block]:
    assert data.new_due_at is not None  # checked by _validate
    unit = f"{UNIT} {data.agency_name}"
    reason = data.reason.strip() or _HOLE
    return [
        *_addressee(data, width),
        *_received(data, width),
        _text(
            "Đến nay, hồ sơ của Ông/Bà chưa được giải quyết xong, chưa có kết quả để trả"
            " đúng thời gian đã hẹn.",
            width,
            replace(BODY, space_before=2),
        ),
        _field("Lý do", reason, width),
        _text(
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {unit} trân trọng xin lỗi Ông/Bà"
            " và đề nghị gia hạn thời gian giải quyết hồ sơ; kết quả sẽ được trả cho Ông/Bà"
            " vào:",
            width,
            replace(BODY, space_before=2),
        ),
        *_signed(
            [
                _field("Thời gian hẹn trả kết quả mới", bold(vn_moment(data.new_due_at)), width),
                _text("Xin trân trọng cảm ơn!", width, replace(BODY, space_before=2)),
            ],
            _right_signature(replace(HEAD_OF_AGENCY, name=data.officer_name), width),
        ),
    ]


def _body_05(data: NoticeData, width: float) -> list[Block]:
    intro = _text(
        f"Nay, {UNIT} {data.agency_name} thông báo dừng giải quyết hồ sơ nêu trên"
        " với lý do cụ thể như sau:",
        width,
        replace(BODY, space_before=2),
    )
    intro.keep_with_next = True
    return [
        *_addressee(data, width),
        *_received(data, width),
        intro,
        _text(data.reason, width, _INDENTED),
        *_signed(
            [_text("Xin thông báo để Ông/Bà được biết./.", width)],
            _right_signature(replace(HEAD_OF_AGENCY, name=data.officer_name), width),
        ),
    ]


_BODIES: dict[str, Callable[[NoticeData, float], list[Block]]] = {
    "02": _body_02,
    "03": _body_03,
    "04": _body_04,
    "05": _body_05,
}


__all__ = ["TITLES", "NoticeData", "render_notice"]
