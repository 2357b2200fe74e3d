"""Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Thông tư 03/2025/TT-VPCP).

One PDF holds both copies on A5: the page(s) of "Liên 1: Lưu" (kept with the dossier),
then those of "Liên 2: Giao người nộp" (handed to the applicant). A long list of
documents flows onto further pages; every page carries the dossier code and
"Liên n · Trang i/k" in its footer, so loose sheets can be matched again.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from counter_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from counter_app.documents.layout import (
    BODY,
    BODY_SIZE,
    SMALL_SIZE,
    Barcode128,
    Block,
    Column,
    Columns,
    Flow,
    PageGeometry,
    Paragraph,
    Rich,
    Signature,
    SlipHeader,
    Span,
    Table,
    TextStyle,
    bold,
    common_header,
    draw_pages,
    italic,
    labelled,
    nobreak,
    paginate,
    shorten_to_width,
    signature_row,
    text_width,
    title_block,
    two_digits,
    vn_datetime_parts,
    vn_money,
    vn_short_datetime,
)
from counter_app.documents.output import write_pdf
from counter_app.domain.catalogue import KIND_LABELS
from counter_app.domain.clock import now_vn

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
COPY_LABELS = ("Liên 1: Lưu", "Liên 2: Giao người nộp")
REPRINT_MARK = "BẢN IN LẠI"
# The catalogue's fee descriptions can run to paragraphs: the receipt shows what fits on
# the fee line (at least this many points of it, else up to two lines).
FEE_MIN_DESCRIPTION_PT = 110.0

_REPRINT_BAND = 7 * mm
_GEOMETRY = PageGeometry(top=10 * mm, bottom=11 * mm)
# A reprint's band sits higher (8 mm from the edge is still inside what office lasers
# print) so that a typical receipt stays one page per copy.
_REPRINT_GEOMETRY = PageGeometry(top=8 * mm, bottom=11 * mm, reserved_top=_REPRINT_BAND)


@dataclass(frozen=True)
class _Density:
    """Vertical spacing of the body: the compact one is tried when the normal one would
    put part of a copy (typically just the signatures) on a second sheet."""

    body: TextStyle
    header_gap: float
    sign_space: float
    table_padding: float  # above and below the text of each table row


_NORMAL = _Density(body=BODY, header_gap=2 * mm, sign_space=12 * mm, table_padding=1.5)
# Same font sizes and leading (stacked Vietnamese marks need it); less air between items
# and a slightly shorter signing space.
_COMPACT = _Density(
    body=replace(BODY, space_after=0.0), header_gap=1 * mm, sign_space=10 * mm, table_padding=1.0
)

# More than the compact spacing can ever win back (measured 26–40 pt): beyond it, do not
# spend a second layout pass on a receipt that needs two pages anyway.
_COMPACT_MAX_GAIN = 60.0


@dataclass(frozen=True)
class ReceiptDocument:
    name: str
    kind: str  # "original" (Bản chính) | "copy" (Bản sao)
    count: int


@dataclass(frozen=True)
class ReceiptFee:
    amount: int  # đồng
    description: str


@dataclass(frozen=True)
class ReceiptData:
    agency_name: str  # governing body, e.g. "UBND XÃ AN HÒA" (printed as given)
    place_name: str  # for "<place>, ngày … tháng … năm …"
    receipt_number: str  # the "Số: …" value
    dossier_code: str
    applicant_name: str
    applicant_address: str
    applicant_phone: str
    applicant_email: str
    applicant_id_label: str  # e.g. "Số định danh cá nhân: 001203012345"
    procedure_code: str
    procedure_name: str
    documents: tuple[ReceiptDocument, ...]
    dossier_sets: int
    processing_time_text: str
    received_at: datetime
    due_at: datetime
    result_delivery: str
    fees: tuple[ReceiptFee, ...]
    register_book: str
    register_number: int
    clerk_name: str
    reprint: bool = False
    printed_at: datetime | None = None
    printed_by: str = ""  # who reprinted it: every printout names the clerk who made it


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt as PDF bytes: both copies, A5 portrait.

    Raises ValueError when the dossier code cannot be printed as a readable Code 128
    (not printable ASCII, or too long for the page at 0.38 mm per module).
    """
    register_fonts()
    geometry = _REPRINT_GEOMETRY if data.reprint else _GEOMETRY
    copies = _paginate_copies(data, geometry, _NORMAL)
    overflow = sum(b.height for page in copies[0] for b in page) - geometry.frame_height
    if len(copies[0]) > 1 and overflow <= _COMPACT_MAX_GAIN:
        # Rather than push only the signatures onto a second sheet, try tighter spacing;
        # if even that spills, keep the roomier layout since a second page is needed.
        compact = _paginate_copies(data, geometry, _COMPACT)
        if len(compact[0]) == 1:
            copies = compact
    printed_at = (data.printed_at or now_vn()) if data.reprint else None

    buf = io.BytesIO()
    # initialFontName: otherwise every page stream starts with Helvetica selected and
    # the PDF carries a Helvetica resource although no text uses it.
    canvas = Canvas(
        buf,
        pagesize=geometry.size,
        initialFontName=FONT_REGULAR,
        initialFontSize=10,
        lang="vi-VN",
    )
    canvas.setTitle(f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {data.dossier_code}")
    canvas.setAuthor(f"Bộ phận Tiếp nhận và Trả kết quả {data.agency_name}")
    canvas.setSubject("Mẫu 01 - Thông tư 03/2025/TT-VPCP")
    canvas.setKeywords(data.dossier_code)
    canvas.setCreator("Một Cửa Counter")
    for label, pages in zip(COPY_LABELS, copies, strict=True):
        decorate = partial(
            _decorate, data=data, label=label, printed_at=printed_at, geometry=geometry
        )
        draw_pages(canvas, pages, geometry, decorate)
    canvas.save()
    return buf.getvalue()


def _paginate_copies(
    data: ReceiptData, geometry: PageGeometry, density: _Density
) -> list[list[list[Block]]]:
    """The pages of each copy. The blocks are measured once and shared by both copies;
    only the title line (with the copy label) differs, at the same height."""
    width = geometry.frame_width
    header = common_header(
        SlipHeader(
            agency_name=data.agency_name,
            number=data.receipt_number,
            place_name=data.place_name,
            date=data.received_at,
        ),
        width,
        space_after=density.header_gap,
    )
    body = _body_blocks(data, width, density)
    return [
        paginate(
            [header, title_block(TITLE, width, subtitle=bold(f"({label})")), *body],
            geometry.frame_height,
        )
        for label in COPY_LABELS
    ]


def write_receipt(data: ReceiptData, path: Path) -> Path:
    """Render and write atomically (see :func:`write_pdf`): a crash or full disk never
    leaves a half-written receipt at ``path``."""
    return write_pdf(render_receipt(data), path)


# --------------------------------------------------------------------------- body


def _body_blocks(data: ReceiptData, width: float, density: _Density) -> list[Block]:
    body = density.body

    def field(label: str, value: Rich) -> Paragraph:
        return labelled(label, value, width, style=body)

    blocks: list[Block] = [
        Paragraph(
            [Span("Mã hồ sơ: "), bold(data.dossier_code)],
            width,
            TextStyle(size=11, align="center", space_before=2),
            keep_with_next=True,
        ),
        Barcode128(data.dossier_code, width, height_mm=10, space_before=1, space_after=1.5 * mm),
        Paragraph(f"Bộ phận Tiếp nhận và Trả kết quả {data.agency_name}", width, body),
        field("Tiếp nhận hồ sơ của", bold(data.applicant_name)),
    ]
    if data.applicant_id_label.strip():
        blocks.append(Paragraph(data.applicant_id_label, width, body))
    blocks.append(field("Địa chỉ", data.applicant_address))
    blocks.append(_phone_and_email(data, width, body))
    procedure: list[str | Span] = [bold(data.procedure_name)]
    if data.procedure_code.strip():
        procedure.append(f" ({nobreak(f'mã TTHC {data.procedure_code}')})")
    blocks.append(field("Nội dung yêu cầu giải quyết", procedure))
    blocks.append(
        Paragraph("1. Thành phần hồ sơ nộp gồm:", width, body, keep_with_next=bool(data.documents))
    )
    if data.documents:
        blocks.append(documents_table(data.documents, width, padding=density.table_padding))
    else:
        blocks.append(Paragraph("(Không có giấy tờ kèm theo)", width, body))
    closing: list[Block] = [
        field("2. Số lượng hồ sơ", f"{two_digits(data.dossier_sets)} (bộ)"),
        field("3. Thời gian giải quyết hồ sơ theo quy định", data.processing_time_text),
        field("4. Thời gian nhận hồ sơ", _when(data.received_at)),
        field("5. Thời gian trả kết quả giải quyết hồ sơ", bold(_when(data.due_at))),
        field("6. Đăng ký nhận kết quả tại", data.result_delivery),
        *_fees(data.fees, width, body),
        Paragraph(
            italic(
                f"Vào Sổ theo dõi hồ sơ, Quyển số: {data.register_book},"
                f" Số thứ tự: {data.register_number}."
            ),
            width,
            replace(body, space_before=2),
        ),
        signature_row(
            [
                Signature("NGƯỜI NỘP HỒ SƠ"),
                Signature("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.clerk_name),
            ],
            width,
            sign_space=density.sign_space,
            space_before=2 * mm,
        ),
    ]
    # Items 2–6, fees and register line stay with the signatures: when a copy needs a
    # second sheet, the signed page carries the appointment, never the signatures alone.
    for block in closing[:-1]:
        block.keep_with_next = True
    return blocks + closing


def _when(moment: datetime) -> str:
    """The moment as the form words it; a line may break only after its comma."""
    return ", ".join(nobreak(part) for part in vn_datetime_parts(moment))


def _phone_and_email(data: ReceiptData, width: float, style: TextStyle) -> Block:
    """Phone and e-mail share a line when both fit (they are short); else one each."""
    split = width * 0.42
    phone = labelled("Số điện thoại", data.applicant_phone, split, style=style, blank="." * 14)
    email = labelled("Email", data.applicant_email, width - split, style=style, blank="." * 20)
    if len(phone.lines) == 1 and len(email.lines) == 1:
        return Columns([(0.0, phone), (split, email)])
    return Flow(
        [
            labelled("Số điện thoại", data.applicant_phone, width, style=style),
            labelled("Email", data.applicant_email, width, style=style),
        ]
    )


def documents_table(
    documents: Sequence[ReceiptDocument], width: float, *, padding: float = 1.5
) -> Table:
    """TT | Tên giấy tờ | Hình thức | Số lượng (the receipt's, and Mẫu 02's list).

    Narrow fixed columns so the document names get as much of the line as possible."""
    pad_x = 3.0
    kind_w = text_width("Bản chính", FONT_REGULAR, BODY_SIZE) + 2 * pad_x + 2
    count_w = text_width("Số lượng", FONT_BOLD, SMALL_SIZE) + 2 * pad_x + 2
    number_w = text_width("99", FONT_REGULAR, BODY_SIZE) + 2 * pad_x + 4
    columns = [
        Column("TT", number_w, "center"),
        Column("Tên giấy tờ", width - number_w - kind_w - count_w),
        Column("Hình thức", kind_w, "center"),
        Column("Số lượng", count_w, "center"),
    ]
    rows = [
        [str(n), doc.name, KIND_LABELS.get(doc.kind, doc.kind), two_digits(doc.count)]
        for n, doc in enumerate(documents, start=1)
    ]
    return Table(columns, rows, padding=padding, padding_x=pad_x, space_after=2.0)


def _fees(fees: Sequence[ReceiptFee], width: float, style: TextStyle) -> list[Block]:
    if not fees:
        return [labelled("Phí, lệ phí", "Không", width, style=style)]
    size = style.size
    if len(fees) == 1:
        fee = fees[0]
        amount = vn_money(fee.amount)
        value: list[str | Span] = [bold(amount)]
        if fee.description.strip():
            used = text_width("Phí, lệ phí:  ()", FONT_REGULAR, size)
            used += text_width(amount, FONT_BOLD, size)
            room = width - used
            if room < FEE_MIN_DESCRIPTION_PT:
                room += width - 4 * mm  # let it take the (indented) second line
            described = shorten_to_width(fee.description, room - 2, FONT_REGULAR, size)
            value.append(f" ({described})")
        return [labelled("Phí, lệ phí", value, width, style=style)]
    total = sum(f.amount for f in fees)
    blocks: list[Block] = [
        labelled("Phí, lệ phí", [bold(vn_money(total)), Span(", gồm:")], width, style=style)
    ]
    item = replace(style, first_indent=4 * mm, indent=7 * mm)
    for fee in fees:
        amount = vn_money(fee.amount)
        text: list[str | Span] = [Span(f"- {amount}")]
        if fee.description.strip():
            room = width - item.first_indent - text_width(f"- {amount}: ", FONT_REGULAR, size)
            text.append(f": {shorten_to_width(fee.description, room - 2, FONT_REGULAR, size)}")
        blocks.append(Paragraph(text, width, item))
    return blocks


# --------------------------------------------------------------------------- page marks


def _decorate(
    canvas: Any,
    page: int,
    pages: int,
    *,
    data: ReceiptData,
    label: str,
    printed_at: datetime | None,
    geometry: PageGeometry,
) -> None:
    page_w, _ = geometry.size
    left, right = geometry.left, page_w - geometry.right
    footer_y = 6 * mm
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    canvas.setFont(FONT_REGULAR, 7.5)
    canvas.drawString(left, footer_y, f"Mã hồ sơ: {data.dossier_code}")
    mark = f"{REPRINT_MARK} · " if printed_at is not None else ""
    canvas.drawRightString(right, footer_y, f"{mark}{label} · Trang {page}/{pages}")
    canvas.setFillColorRGB(0, 0, 0)
    if printed_at is not None:
        _draw_reprint_band(canvas, printed_at, data.printed_by, geometry)


def _draw_reprint_band(
    canvas: Any, printed_at: datetime, printed_by: str, geometry: PageGeometry
) -> None:
    """A boxed "BẢN IN LẠI — In lại lúc …" across the top of the frame: a reprint must
    never pass for the original slip."""
    page_w, page_h = geometry.size
    top = page_h - geometry.top
    height = _REPRINT_BAND - 1.5 * mm
    mark_size, when_size = 11.0, 9.0
    when = f"In lại lúc {vn_short_datetime(printed_at)}"
    if printed_by:
        when += f" · {printed_by}"
    gap = 4 * mm
    mark_w = text_width(REPRINT_MARK, FONT_BOLD, mark_size)
    when_w = text_width(when, FONT_REGULAR, when_size)
    total = mark_w + gap + when_w
    x = (page_w - total) / 2
    baseline = top - height / 2 - mark_size * 0.35
    canvas.setLineWidth(1.2)
    canvas.rect(x - 3 * mm, top - height, total + 6 * mm, height, stroke=1, fill=0)
    canvas.setFont(FONT_BOLD, mark_size)
    canvas.drawString(x, baseline, REPRINT_MARK)
    canvas.setFont(FONT_REGULAR, when_size)
    canvas.drawString(x + mark_w + gap, baseline, when)


__all__ = [
    "COPY_LABELS",
    "REPRINT_MARK",
    "ReceiptData",
    "ReceiptDocument",
    "ReceiptFee",
    "render_receipt",
    "write_receipt",
]
