"""Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Thông tư 03/2025/TT-VPCP).

One PDF holds both copies on A5: the page(s) of "Liên 1: Lưu" (kept with the dossier),
then those of "Liên 2: Giao người nộp" (handed to the applicant). A long list of
documents flows onto further pages; every page carries the dossier code and
"Liên n · Trang i/k" in its footer, so loose sheets can be matched again.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from counter_app.documents.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from counter_app.documents.layout import (
    BODY,
    SMALL_SIZE,
    Barcode128,
    Block,
    Column,
    Columns,
    PageGeometry,
    Paragraph,
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
    paginate,
    shorten_to_width,
    signature_row,
    text_width,
    title_block,
    two_digits,
    vn_datetime,
    vn_money,
    vn_short_datetime,
)
from counter_app.domain.clock import now_vn

TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
COPY_LABELS = ("Liên 1: Lưu", "Liên 2: Giao người nộp")
REPRINT_MARK = "BẢN IN LẠI"
KIND_LABELS = {"original": "Bản chính", "copy": "Bản sao"}
# The catalogue's fee descriptions can run to paragraphs: the receipt shows what fits on
# the fee line (at least this many points of it, else up to two lines).
FEE_MIN_DESCRIPTION_PT = 110.0

_REPRINT_BAND = 7 * mm
_GEOMETRY = PageGeometry(top=10 * mm, bottom=11 * mm)
# A reprint's band sits higher (8 mm from the edge is still inside what office lasers
# print) so that a typical receipt stays one page per copy.
_REPRINT_GEOMETRY = PageGeometry(top=8 * mm, bottom=11 * mm, reserved_top=_REPRINT_BAND)


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


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt as PDF bytes: both copies, A5 portrait.

    Raises ValueError when the dossier code cannot be printed as a readable Code 128
    (not printable ASCII, or too long for the page at 0.38 mm per module).
    """
    register_fonts()
    geometry = _REPRINT_GEOMETRY if data.reprint else _GEOMETRY
    width = geometry.frame_width
    body = _body_blocks(data, width)  # measured once, drawn for both copies
    header = common_header(
        SlipHeader(
            agency_name=data.agency_name,
            number=data.receipt_number,
            place_name=data.place_name,
            date=data.received_at,
        ),
        width,
    )
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
    for label in COPY_LABELS:
        title = title_block(TITLE, width, subtitle=bold(f"({label})"))
        pages = paginate([header, title, *body], geometry.frame_height)
        decorate = partial(
            _decorate, data=data, label=label, printed_at=printed_at, geometry=geometry
        )
        draw_pages(canvas, pages, geometry, decorate)
    canvas.save()
    return buf.getvalue()


def write_receipt(data: ReceiptData, path: Path) -> Path:
    """Render and write atomically: a temp file in the same directory, fsync, then
    os.replace, so a crash or full disk never leaves a half-written receipt at ``path``."""
    pdf = render_receipt(data)
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


# --------------------------------------------------------------------------- body


def _body_blocks(data: ReceiptData, width: float) -> list[Block]:
    numbered = BODY
    blocks: list[Block] = [
        Paragraph(
            [Span("Mã hồ sơ: "), bold(data.dossier_code)],
            width,
            TextStyle(size=11, align="center", space_before=2),
            keep_with_next=True,
        ),
        Barcode128(data.dossier_code, width, height_mm=10, space_before=1, space_after=1.5 * mm),
        Paragraph(f"Bộ phận Tiếp nhận và Trả kết quả {data.agency_name}", width, numbered),
        labelled("Tiếp nhận hồ sơ của", bold(data.applicant_name), width),
    ]
    if data.applicant_id_label.strip():
        blocks.append(Paragraph(data.applicant_id_label, width, numbered))
    blocks.append(labelled("Địa chỉ", data.applicant_address, width))
    blocks.append(_phone_and_email(data, width))
    procedure: list[str | Span] = [bold(data.procedure_name)]
    if data.procedure_code.strip():
        procedure.append(f" (mã TTHC {data.procedure_code})")
    blocks.append(labelled("Nội dung yêu cầu giải quyết", procedure, width))
    blocks.append(
        Paragraph(
            "1. Thành phần hồ sơ nộp gồm:",
            width,
            numbered,
            keep_with_next=bool(data.documents),
        )
    )
    if data.documents:
        blocks.append(_documents_table(data.documents, width))
    else:
        blocks.append(Paragraph("(Không có giấy tờ kèm theo)", width, BODY))
    blocks += [
        labelled("2. Số lượng hồ sơ", f"{two_digits(data.dossier_sets)} (bộ)", width),
        labelled("3. Thời gian giải quyết hồ sơ theo quy định", data.processing_time_text, width),
        labelled("4. Thời gian nhận hồ sơ", vn_datetime(data.received_at), width),
        labelled(
            "5. Thời gian trả kết quả giải quyết hồ sơ", bold(vn_datetime(data.due_at)), width
        ),
        labelled("6. Đăng ký nhận kết quả tại", data.result_delivery, width),
        *_fees(data.fees, width),
        Paragraph(
            italic(
                f"Vào Sổ theo dõi hồ sơ, Quyển số: {data.register_book},"
                f" Số thứ tự: {data.register_number}."
            ),
            width,
            TextStyle(space_before=2),
            keep_with_next=True,  # the register line stays on the signature page
        ),
        signature_row(
            [
                Signature("NGƯỜI NỘP HỒ SƠ"),
                Signature("NGƯỜI TIẾP NHẬN HỒ SƠ", name=data.clerk_name),
            ],
            width,
            sign_space=14 * mm,
            space_before=2 * mm,
        ),
    ]
    return blocks


def _phone_and_email(data: ReceiptData, width: float) -> Block:
    """Phone and e-mail share a line when both fit (they are short); else one each."""
    split = width * 0.42
    phone = labelled("Số điện thoại", data.applicant_phone, split, blank="." * 14)
    email = labelled("Email", data.applicant_email, width - split, blank="." * 20)
    if len(phone.lines) == 1 and len(email.lines) == 1:
        return Columns([(0.0, phone), (split, email)])
    return _Flow(
        [
            labelled("Số điện thoại", data.applicant_phone, width),
            labelled("Email", data.applicant_email, width),
        ]
    )


def _documents_table(documents: Sequence[ReceiptDocument], width: float) -> Table:
    kind_w = max(text_width("Bản chính", FONT_REGULAR, BODY.size) + 8, 20 * mm)
    count_w = max(text_width("Số lượng", FONT_BOLD, SMALL_SIZE) + 8, 16 * mm)
    number_w = 8 * mm
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
    return Table(columns, rows, space_after=2.0)


def _fees(fees: Sequence[ReceiptFee], width: float) -> list[Block]:
    if not fees:
        return [labelled("Phí, lệ phí", "Không", width)]
    size = BODY.size
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
        return [labelled("Phí, lệ phí", value, width)]
    total = sum(f.amount for f in fees)
    blocks: list[Block] = [labelled("Phí, lệ phí", [bold(vn_money(total)), Span(", gồm:")], width)]
    item = TextStyle(first_indent=4 * mm, indent=7 * mm, space_after=1)
    for fee in fees:
        amount = vn_money(fee.amount)
        text: list[str | Span] = [Span(f"- {amount}")]
        if fee.description.strip():
            room = width - item.first_indent - text_width(f"- {amount}: ", FONT_REGULAR, size)
            text.append(f": {shorten_to_width(fee.description, room - 2, FONT_REGULAR, size)}")
        blocks.append(Paragraph(text, width, item))
    return blocks


class _Flow(Block):
    """Consecutive paragraphs treated as one block that may split between them."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self.blocks = list(blocks)
        self.height = sum(b.height for b in self.blocks)

    def draw(self, canvas: Any, x: float, top: float) -> None:
        for block in self.blocks:
            block.draw(canvas, x, top)
            top -= block.height

    def split(self, available: float) -> tuple[Block, Block] | None:
        used = 0.0
        for n, block in enumerate(self.blocks):
            if used + block.height > available:
                return (_Flow(self.blocks[:n]), _Flow(self.blocks[n:])) if n else None
            used += block.height
        return None


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
        _draw_reprint_band(canvas, printed_at, geometry)


def _draw_reprint_band(canvas: Any, printed_at: datetime, geometry: PageGeometry) -> None:
    """A boxed "BẢN IN LẠI — In lại lúc …" across the top of the frame: a reprint must
    never pass for the original slip."""
    page_w, page_h = geometry.size
    top = page_h - geometry.top
    height = _REPRINT_BAND - 1.5 * mm
    mark_size, when_size = 11.0, 9.0
    when = f"In lại lúc {vn_short_datetime(printed_at)}"
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
