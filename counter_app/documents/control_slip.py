"""Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ (Thông tư 03/2025/TT-VPCP).

The slip travels with the paper dossier: who handed it to whom and when, whether the
step finished early, on time or late, and both signatures. A5 portrait like the other
slips: the hand-over table keeps the paper form's four columns, with the giver's and the
taker's signature boxes side by side inside the time cell (as on the form), so it fits
the portrait width at 9 pt and landscape buys nothing but a different paper tray.

Recorded hand-overs are printed; blank rows fill the rest of the last page (up to four)
for the next steps to be written in by hand. A long history continues on further pages
under a repeated column header.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from reportlab.lib.units import mm

from counter_app.documents.fonts import FONT_BOLD, FONT_REGULAR
from counter_app.documents.layout import (
    BODY,
    TITLE_SIZE,
    Block,
    Column,
    Columns,
    PageGeometry,
    Paragraph,
    PdfInfo,
    Rich,
    SlipHeader,
    Spacer,
    Span,
    Stack,
    Table,
    TextStyle,
    bold,
    clamp_lines,
    common_header,
    dossier_code_blocks,
    labelled,
    nobreak,
    paginate,
    render_flow,
    text_width,
    title_block,
    vn_moment,
)

TITLE = "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
RESULT_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn", "": ""}
MAX_BLANK_ROWS = 4
MAX_CELL_LINES = 12  # a note is cut there ("…"): no row may outgrow the page

_GEOMETRY = PageGeometry(top=10 * mm, bottom=11 * mm)
_SIZE = 8.5  # table text
_PAD_X = 2.5
_PAD = 2.0
_SIGN_SPACE = 8 * mm
_WHEN_SAMPLE = "ngày 28 tháng 11 năm 2026"  # the widest line of a time cell


@dataclass(frozen=True)
class HandoverLine:
    from_party: str
    to_party: str
    at: datetime
    result: str  # "early" | "on_time" | "late" | "" -> "Trước hạn" / "Đúng hạn" / "Quá hạn"
    note: str = ""
    giver: str = ""
    taker: str = ""


@dataclass(frozen=True)
class ControlSlipData:
    agency_name: str
    place_name: str
    number: str
    issued_at: datetime
    dossier_code: str
    applicant_name: str
    procedure_name: str
    received_at: datetime
    due_at: datetime
    processing_body: str
    coordinating_bodies: tuple[str, ...]
    handovers: tuple[HandoverLine, ...]


def render_control_slip(data: ControlSlipData) -> bytes:
    """The control slip as PDF bytes, A5 portrait (one or more pages).

    Raises ValueError for a hand-over result other than "early", "on_time", "late" or
    "", and for a dossier code that cannot be printed as a readable Code 128.
    """
    for line in data.handovers:
        if line.result not in RESULT_LABELS:
            raise ValueError(f"unknown hand-over result {line.result!r}")
    width = _GEOMETRY.frame_width

    def field(label: str, value: Rich) -> Paragraph:
        return labelled(label, value, width, style=BODY)

    coordinating = "; ".join(b.strip() for b in data.coordinating_bodies if b.strip())
    head: list[Block] = [
        common_header(
            SlipHeader(
                agency_name=data.agency_name,
                number=data.number,
                place_name=data.place_name,
                date=data.issued_at,
            ),
            width,
        ),
        _title(width),
        *dossier_code_blocks(data.dossier_code, width),
        field("Hồ sơ của", bold(data.applicant_name)),
        field("Nội dung yêu cầu giải quyết", bold(data.procedure_name)),
        field("Thời gian nhận hồ sơ", vn_moment(data.received_at)),
        field("Thời gian hẹn trả kết quả", bold(vn_moment(data.due_at))),
        field("Cơ quan chủ trì giải quyết", data.processing_body),
        field("Cơ quan phối hợp giải quyết", coordinating or "Không"),
    ]
    info = PdfInfo(
        title=f"Phiếu kiểm soát quá trình giải quyết hồ sơ {data.dossier_code}",
        subject="Mẫu 06 - Thông tư 03/2025/TT-VPCP",
        author=f"Bộ phận Tiếp nhận và Trả kết quả {data.agency_name}",
        keywords=data.dossier_code,
    )
    table = _handover_table(data.handovers, width, _blank_rows(head, data.handovers, width))
    footer = f"Mẫu 06 · Mã hồ sơ: {data.dossier_code}"
    return render_flow([*head, table], _GEOMETRY, info, footer=footer)


def _blank_rows(head: list[Block], handovers: tuple[HandoverLine, ...], width: float) -> int:
    """How many blank rows fill the rest of the last page (at most MAX_BLANK_ROWS; at
    least one on a slip with no hand-over yet). A slip whose recorded rows fill the page
    gets none rather than a sheet holding a single empty row."""
    recorded = _handover_table(handovers, width, 0)
    pages = paginate([*head, recorded], _GEOMETRY.frame_height)
    room = _GEOMETRY.frame_height - sum(b.height for b in pages[-1])
    row_height = _handover_table((), width, 1).rows[0][0]
    fitting = max(0, int((room + 1e-6) // row_height))
    return min(MAX_BLANK_ROWS, max(fitting, 0 if handovers else 1))


def _title(width: float) -> Block:
    """On one line when a slightly smaller size (down to 12 pt) allows it: the slip
    needs its height for the hand-over rows."""
    for size in (TITLE_SIZE, 12.5, 12.0):
        if text_width(TITLE, FONT_BOLD, size) <= width:
            return title_block(TITLE, width, size=size)
    return title_block(TITLE.replace("GIẢI QUYẾT HỒ SƠ", nobreak("GIẢI QUYẾT HỒ SƠ")), width)


# --------------------------------------------------------------------------- table


def _handover_table(handovers: tuple[HandoverLine, ...], width: float, blanks: int) -> Table:
    pad = 2 * _PAD_X
    when_w = text_width(_WHEN_SAMPLE, FONT_REGULAR, _SIZE) + pad + 6
    result_w = note_w = (width - when_w) * 0.28
    party_w = width - result_w - when_w - note_w
    columns = [
        Column("Tên cơ quan", party_w),
        Column("Thời gian giao, nhận hồ sơ", when_w, "center"),
        Column("Kết quả giải quyết hồ sơ (Trước hạn/ Đúng hạn/ Quá hạn)", result_w, "center"),
        Column("Ghi chú", note_w),
    ]
    rows: list[list[Rich | Block]] = []
    for n, line in enumerate(handovers, start=1):
        rows.append(
            [
                _parties(n, line.from_party, line.to_party, party_w - pad),
                _when_and_signatures(vn_moment(line.at), line.giver, line.taker, when_w - pad),
                RESULT_LABELS[line.result],
                clamp_lines(line.note, note_w - pad, max_lines=MAX_CELL_LINES, size=_SIZE),
            ]
        )
    blank_when = "....giờ....phút, ngày..../..../......"
    for n in range(len(handovers) + 1, len(handovers) + blanks + 1):
        rows.append(
            [
                _parties(n, "", "", party_w - pad),
                _when_and_signatures(blank_when, "", "", when_w - pad),
                "",
                "",
            ]
        )
    return Table(
        columns, rows, size=_SIZE, header_size=8.0, padding=_PAD, padding_x=_PAD_X, space_before=4
    )


def _parties(n: int, giver: str, taker: str, width: float) -> Paragraph:
    """ "n. Giao: <from>" / "Nhận: <to>", the second line under the first's label."""
    number = f"{n}. "
    indent = text_width(number, FONT_BOLD, _SIZE)
    style = TextStyle(size=_SIZE, leading=_SIZE * 1.25, indent=indent)

    def party(label: str, name: str) -> list[str | Span]:
        if name.strip():
            return [Span(label), bold(name)]
        room = width - indent - text_width(label, FONT_REGULAR, _SIZE)
        return [Span(label + "." * int(room // text_width(".", FONT_REGULAR, _SIZE)))]

    return Paragraph(
        [bold(number), *party("Giao: ", giver), "\n", *party("Nhận: ", taker)], width, style
    )


def _when_and_signatures(when: str, giver: str, taker: str, width: float) -> Block:
    """The moment of the hand-over, then the giver's and the taker's signature boxes."""
    center = TextStyle(size=_SIZE, leading=_SIZE * 1.25, align="center")
    half = width / 2
    signs: list[tuple[float, Block]] = []
    for k, (role, name) in enumerate((("Người giao", giver), ("Người nhận", taker))):
        parts: list[Block] = [
            Paragraph(role, half, replace(center, font=FONT_BOLD, size=8.5)),
            Spacer(_SIGN_SPACE),
        ]
        if name.strip():
            parts.append(Paragraph(name, half, replace(center, size=8.5)))
        signs.append((k * half, Stack(parts)))
    return Stack(
        [
            Paragraph(when, width, center),
            Columns(signs, space_before=2),
        ]
    )


__all__ = [
    "MAX_BLANK_ROWS",
    "RESULT_LABELS",
    "TITLE",
    "ControlSlipData",
    "HandoverLine",
    "render_control_slip",
]
