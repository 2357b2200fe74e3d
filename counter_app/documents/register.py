"""Mẫu 07 — Sổ theo dõi hồ sơ (Thông tư 03/2025/TT-VPCP): the dossier register, printed
for a date range on A4 landscape.

The first page carries the counter's name and the title with the book and the range;
every page repeats the fourteen column titles, a running line naming the book (from the
second page on) and "Trang x/y". Dates print as "25/11/2026" with the time under them;
a step not yet taken stays blank, as does "Ký nhận" (signed on paper at hand-over). A
very long cell is cut at MAX_CELL_LINES lines, ending with "…".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from counter_app.documents.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR
from counter_app.documents.layout import (
    Block,
    Column,
    HRule,
    PageGeometry,
    Paragraph,
    PdfInfo,
    Spacer,
    Stack,
    Table,
    TextStyle,
    clamp_lines,
    render_flow,
    shorten_to_width,
    text_width,
    title_block,
    vn_short_date,
)
from counter_app.domain.clock import to_vn

TITLE = "SỔ THEO DÕI HỒ SƠ"
UNIT = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
EMPTY_TEXT = "Không có hồ sơ nào trong khoảng thời gian này."

_GEOMETRY = PageGeometry(
    size=landscape(A4), left=10 * mm, right=10 * mm, top=8 * mm, bottom=11 * mm, reserved_top=5 * mm
)
_SIZE = 8.0  # cell text
_HEADER_SIZE = 7.5
_PAD_X = 2.0
_PAD = 1.8
# The register is an index, the dossier holds the full text: a cell is cut at this many
# lines (ending "…") so that no row can outgrow a page.
MAX_CELL_LINES = 8
_CLAMP_FROM_CHARS = 60

# Shares of the width left after the fixed columns (STT, code, dates, signature).
_FLEX: dict[str, float] = {
    "Tên thủ tục": 1.7,
    "Tên cá nhân, tổ chức": 1.15,
    "Địa chỉ, số điện thoại": 1.35,
    "Cơ quan chủ trì giải quyết": 1.0,
    "Phương thức nhận kết quả": 0.85,
    "Ghi chú": 0.8,
}
_DATE_TITLES = (
    "Nhận hồ sơ (ngày)",
    "Hẹn trả (ngày)",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả (ngày)",
)
COLUMN_TITLES = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    *_DATE_TITLES,
    "Phương thức nhận kết quả",
    "Ký nhận",
    "Ghi chú",
)


@dataclass(frozen=True)
class RegisterRow:
    number: int
    dossier_code: str
    procedure_name: str
    applicant_name: str
    address_phone: str
    processing_body: str
    received_at: datetime
    due_at: datetime
    sent_at: datetime | None
    result_received_at: datetime | None
    returned_at: datetime | None
    delivery: str  # "Tại Bộ phận một cửa" / "Qua bưu chính" etc., printed as given
    note: str = ""


@dataclass(frozen=True)
class RegisterData:
    agency_name: str
    place_name: str
    book: str
    date_from: date
    date_to: date
    printed_at: datetime
    rows: tuple[RegisterRow, ...]


def render_register(data: RegisterData) -> bytes:
    """The register as PDF bytes, A4 landscape, as many pages as the rows need; an
    empty range still gives one page saying there is no dossier in it."""
    width = _GEOMETRY.frame_width
    range_text = f"Từ ngày {vn_short_date(data.date_from)} đến ngày {vn_short_date(data.date_to)}"
    book = f"Quyển số: {data.book}" if data.book.strip() else ""
    subtitle = " · ".join(part for part in (book, range_text) if part)
    table = _table(data.rows, width)
    blocks: list[Block] = [
        _unit_block(data.agency_name, width),
        title_block(TITLE, width, subtitle=subtitle, size=14),
        table,
    ]
    if not data.rows:
        blocks.append(
            Paragraph(
                EMPTY_TEXT,
                width,
                TextStyle(font=FONT_ITALIC, size=10, align="center", space_before=4 * mm),
            )
        )
    info = PdfInfo(
        title=f"Sổ theo dõi hồ sơ {data.book} ({range_text.lower()})".replace("()", ""),
        subject="Mẫu 07 - Thông tư 03/2025/TT-VPCP",
        author=f"Bộ phận Tiếp nhận và Trả kết quả {data.agency_name}",
        keywords=data.book,
    )
    running = f"{TITLE} · {subtitle} · {data.agency_name}"
    printed = to_vn(data.printed_at).strftime("%H:%M %d/%m/%Y")
    return render_flow(
        blocks,
        _GEOMETRY,
        info,
        footer=f"Sổ theo dõi hồ sơ · {data.agency_name} · In lúc {printed}",
        decorate=partial(_running_header, text=running),
    )


def _unit_block(agency_name: str, width: float) -> Block:
    """Top left of the first page: the governing body and, bold, the counter."""
    column = min(width, max(90 * mm, text_width(UNIT, FONT_BOLD, 9) + 6 * mm))
    center = TextStyle(size=9, leading=9 * 1.25, align="center")
    unit = Paragraph(UNIT, column, TextStyle(font=FONT_BOLD, size=9, align="center"))
    return Stack(
        [
            Paragraph(agency_name, column, center),
            unit,
            HRule(column, unit.lines[0].width * 0.4, space=2.5),
            Spacer(3.0),
        ]
    )


def _running_header(canvas: Any, page: int, pages: int, *, text: str) -> None:
    """From the second page on, a grey line naming the book above the table."""
    if page == 1:
        return
    page_w, page_h = _GEOMETRY.size
    room = page_w - _GEOMETRY.left - _GEOMETRY.right
    canvas.saveState()
    canvas.setFillColorRGB(0.3, 0.3, 0.3)
    canvas.setFont(FONT_REGULAR, 7.5)
    baseline = page_h - _GEOMETRY.top - 7.5
    canvas.drawString(_GEOMETRY.left, baseline, shorten_to_width(text, room, FONT_REGULAR, 7.5))
    canvas.restoreState()


# --------------------------------------------------------------------------- table


def _columns(width: float) -> list[Column]:
    pad = 2 * _PAD_X + 1
    stt_w = text_width("9999", FONT_REGULAR, _SIZE) + pad
    code_w = text_width("000.00.17.H26-", FONT_REGULAR, _SIZE) + pad
    date_w = text_width("00/00/0000", FONT_REGULAR, _SIZE) + pad + 3
    sign_w = 14 * mm
    flex = width - stt_w - code_w - 5 * date_w - sign_w
    share = flex / sum(_FLEX.values())
    widths = {title: weight * share for title, weight in _FLEX.items()}
    return [
        Column("STT", stt_w, "center"),
        Column("Mã hồ sơ", code_w, "center"),
        *(Column(t, widths[t]) for t in list(_FLEX)[:4]),
        *(Column(t, date_w, "center") for t in _DATE_TITLES),
        Column("Phương thức nhận kết quả", widths["Phương thức nhận kết quả"]),
        Column("Ký nhận", sign_w),
        Column("Ghi chú", widths["Ghi chú"]),
    ]


def _when(moment: datetime | None) -> str:
    """ "25/11/2026" with "08:15" under it; blank for a step not taken yet."""
    if moment is None:
        return ""
    m = to_vn(moment)
    return f"{m:%d/%m/%Y}\n{m:%H:%M}"


def _table(rows: tuple[RegisterRow, ...], width: float) -> Table:
    columns = _columns(width)
    inner = [c.width - 2 * _PAD_X for c in columns]

    def cell(k: int, text: str) -> str:
        # Cheap test first: only a long text can outgrow MAX_CELL_LINES.
        if len(text) < _CLAMP_FROM_CHARS:
            return text
        return clamp_lines(text, inner[k], max_lines=MAX_CELL_LINES, size=_SIZE)

    cells = [
        [
            str(r.number),
            cell(1, r.dossier_code),
            cell(2, r.procedure_name),
            cell(3, r.applicant_name),
            cell(4, r.address_phone),
            cell(5, r.processing_body),
            _when(r.received_at),
            _when(r.due_at),
            _when(r.sent_at),
            _when(r.result_received_at),
            _when(r.returned_at),
            cell(11, r.delivery),
            "",
            cell(13, r.note),
        ]
        for r in rows
    ]
    return Table(
        columns,
        cells,
        size=_SIZE,
        header_size=_HEADER_SIZE,
        padding=_PAD,
        padding_x=_PAD_X,
        space_before=3,
        space_after=0,
    )


__all__ = [
    "COLUMN_TITLES",
    "EMPTY_TEXT",
    "MAX_CELL_LINES",
    "TITLE",
    "RegisterData",
    "RegisterRow",
    "render_register",
]
