"""The period report as a PDF: "Báo cáo kết quả giải quyết thủ tục hành chính".

A4 landscape (the group tables have a dozen columns of figures), drawn with the block
layout engine of the slips: the common header, the title and period, the summary of the
period, the tables per field, procedure and clerk (each with its total row; the column
titles repeat on a continuation page), satisfaction per procedure, complaints, the
definitions as a footnote, the signatures, and "Trang x/y" on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from counter_app.documents.fonts import FONT_BOLD, FONT_ITALIC
from counter_app.documents.layout import (
    BODY_SIZE,
    SMALL_SIZE,
    Block,
    Column,
    PageGeometry,
    Paragraph,
    PdfInfo,
    Rich,
    Signature,
    SlipHeader,
    Span,
    Table,
    TextStyle,
    bold,
    common_header,
    render_flow,
    signature_row,
    title_block,
    vn_datetime,
)
from counter_app.documents.output import write_pdf
from counter_app.services.reports import (
    RATING_LABELS,
    FigureRow,
    Report,
    vn_count,
    vn_percent,
)

TITLE = "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
UNIT = "Bộ phận Tiếp nhận và Trả kết quả"

_GEOMETRY = PageGeometry(
    size=landscape(A4), left=15 * mm, right=12 * mm, top=10 * mm, bottom=13 * mm
)
_CELL = 8.5  # figures in the tables
_NUM_W = 48.0  # one column of figures
_STT_W = 24.0
_CODE_W = 52.0
_PAD_X = 3.0  # the table's cell padding from the column rules

_HEADING = TextStyle(font=FONT_BOLD, size=BODY_SIZE + 0.5, space_before=6.0, space_after=2.0)
_NOTE = TextStyle(font=FONT_ITALIC, size=SMALL_SIZE - 0.5, leading=(SMALL_SIZE - 0.5) * 1.3)
_SUBTITLE = TextStyle(font=FONT_ITALIC, size=BODY_SIZE, align="center", space_after=1.0)


def _heading(text: str, width: float) -> Paragraph:
    return Paragraph(text, width, _HEADING, keep_with_next=True)


def _cell(text: str, strong: bool) -> Rich:
    return bold(text) if strong else text


def _with_rate(count: int, rate: float | None, strong: bool) -> Rich:
    """A count and, under it, its share of the returned dossiers."""
    if not count and rate is None:
        return _cell("0", strong)
    head = bold(vn_count(count)) if strong else Span(vn_count(count))
    return [head, Span("\n" + vn_percent(rate), FONT_ITALIC)]


# --------------------------------------------------------------------------- tables

_FIGURE_TITLES = (
    "Tiếp nhận",
    "Đã giải quyết",
    "Đã trả kết quả",
    "Trước hạn",
    "Đúng hạn",
    "Quá hạn",
    "Tỷ lệ đúng hạn",
    "Đang giải quyết",
    "Quá hạn chưa trả",
    "Phản ánh, kiến nghị",
)


def _figures(row: FigureRow, strong: bool) -> list[Rich]:
    return [
        _cell(vn_count(row.received), strong),
        _cell(vn_count(row.resolved), strong),
        _cell(vn_count(row.returned), strong),
        _with_rate(row.early, row.early_rate, strong),
        _with_rate(row.on_time, row.on_time_rate, strong),
        _with_rate(row.late, row.late_rate, strong),
        _cell(vn_percent(row.timely_rate), strong),
        _cell(vn_count(row.pending), strong),
        _cell(vn_count(row.overdue), strong),
        _cell(vn_count(row.complaints), strong),
    ]


def _group_table(
    rows: Sequence[FigureRow],
    total: FigureRow,
    width: float,
    *,
    name_title: str,
    with_code: bool = False,
) -> Table:
    lead = [Column("STT", _STT_W, "center")]
    if with_code:
        lead.append(Column("Mã thủ tục", _CODE_W, "center"))
    used = sum(c.width for c in lead) + _NUM_W * len(_FIGURE_TITLES)
    lead.append(Column(name_title, width - used))
    columns = [*lead, *(Column(t, _NUM_W, "center") for t in _FIGURE_TITLES)]
    body: list[list[Rich]] = []
    for n, row in enumerate(rows, start=1):
        cells: list[Rich] = [str(n)]
        if with_code:
            cells.append(row.key)
        cells.append(row.label)
        body.append([*cells, *_figures(row, False)])
    body.append(_total_lead(total, with_code) + _figures(total, True))
    return Table(columns, body, size=_CELL, header_size=SMALL_SIZE - 0.5, padding=1.6)


def _total_lead(total: FigureRow, with_code: bool) -> list[Rich]:
    return ["", *([""] if with_code else []), bold(total.label)]


def _summary_table(report: Report, width: float) -> Table:
    t = report.total
    label_w = min(width * 0.55, 330.0)
    size = BODY_SIZE - 0.5
    sub_style = TextStyle(size=size, leading=size * 1.25, first_indent=4 * mm, indent=4 * mm)

    def sub(text: str) -> Block:
        # A line under a numbered figure, indented (a cell's leading spaces would collapse).
        return Paragraph(text, label_w - 2 * _PAD_X, sub_style)

    columns = [
        Column("Chỉ tiêu", label_w),
        Column("Số lượng", 70.0, "center"),
        Column("Tỷ lệ", 70.0, "center"),
    ]
    dash = "–"
    rows: list[list[Rich | Block]] = [
        [bold("1. Hồ sơ tiếp nhận trong kỳ"), bold(vn_count(t.received)), ""],
        [bold("2. Hồ sơ đã giải quyết trong kỳ"), bold(vn_count(t.resolved)), ""],
        [bold("3. Hồ sơ đã trả kết quả trong kỳ"), bold(vn_count(t.returned)), ""],
        [sub("– Trả trước hạn"), vn_count(t.early), vn_percent(t.early_rate)],
        [sub("– Trả đúng hạn"), vn_count(t.on_time), vn_percent(t.on_time_rate)],
        [sub("– Trả quá hạn"), vn_count(t.late), vn_percent(t.late_rate)],
        [
            sub("Tỷ lệ trả kết quả đúng hạn theo quy định (trước hạn + đúng hạn)"),
            vn_count(t.timely),
            bold(vn_percent(t.timely_rate)),
        ],
        [bold("4. Hồ sơ đang giải quyết"), bold(vn_count(t.pending)), ""],
        [sub("– Trong đó quá hạn"), vn_count(t.overdue), dash],
        [
            bold("5. Lượt đánh giá mức độ hài lòng"),
            bold(vn_count(t.rated)),
            "",
        ],
        [sub("– Rất hài lòng"), vn_count(t.very_satisfied), vn_percent(t.very_satisfied_pct)],
        [sub("– Hài lòng"), vn_count(t.satisfied), vn_percent(t.satisfied_pct)],
        [sub("– Không hài lòng"), vn_count(t.dissatisfied), vn_percent(t.dissatisfied_pct)],
        [sub("Lượt trả kết quả không đánh giá"), vn_count(t.unrated), dash],
        [
            bold("6. Phản ánh, kiến nghị tiếp nhận trong kỳ"),
            bold(vn_count(report.complaints.received)),
            "",
        ],
    ]
    return Table(columns, rows, size=size, header_size=SMALL_SIZE, padding=1.4, padding_x=_PAD_X)


def _satisfaction_table(report: Report, width: float) -> Table:
    levels = list(RATING_LABELS.values())
    level_w = 78.0
    rest = _NUM_W * 2 + level_w * len(levels)
    columns = [
        Column("STT", _STT_W, "center"),
        Column("Mã thủ tục", _CODE_W, "center"),
        Column("Tên thủ tục", width - _STT_W - _CODE_W - rest),
        Column("Lượt đánh giá", _NUM_W, "center"),
        *(Column(level, level_w, "center") for level in levels),
        Column("Không đánh giá", _NUM_W, "center"),
    ]

    def cells(row: FigureRow, strong: bool) -> list[Rich]:
        values = (
            (row.very_satisfied, row.very_satisfied_pct),
            (row.satisfied, row.satisfied_pct),
            (row.dissatisfied, row.dissatisfied_pct),
        )
        return [
            _cell(vn_count(row.rated), strong),
            *(
                _cell(f"{vn_count(count)} ({vn_percent(pct)})", strong) if row.rated else "–"
                for count, pct in values
            ),
            _cell(vn_count(row.unrated), strong),
        ]

    rows = [r for r in report.by_procedure if r.rated or r.unrated]
    body: list[list[Rich]] = [
        [str(n), row.key, row.label, *cells(row, False)] for n, row in enumerate(rows, start=1)
    ]
    body.append(_total_lead(report.total, True) + cells(report.total, True))
    return Table(columns, body, size=_CELL, header_size=SMALL_SIZE - 0.5, padding=1.6)


def _complaints_table(report: Report, width: float) -> Table:
    c = report.complaints
    titles = ("Tiếp nhận", "Đã trả lời", "Trả lời quá hạn", "Đang xử lý", "Quá hạn xử lý")
    col_w = min(width / len(titles), 90.0)
    columns = [Column(t, col_w, "center") for t in titles]
    values = (c.received, c.answered, c.answered_late, c.open, c.overdue)
    return Table(
        columns, [[vn_count(v) for v in values]], size=BODY_SIZE - 0.5, header_size=SMALL_SIZE
    )


# --------------------------------------------------------------------------- document


def _period_line(report: Report) -> str:
    label = report.period_label
    span = f"từ ngày {report.period_from:%d/%m/%Y} đến ngày {report.period_to:%d/%m/%Y}"
    return f"Kỳ báo cáo: {label}" + ("" if label.startswith("Từ ngày") else f" ({span})")


def report_blocks(report: Report, *, agency_name: str, place_name: str) -> list[Block]:
    width = _GEOMETRY.frame_width
    blocks: list[Block] = [
        common_header(
            SlipHeader(
                agency_name=agency_name.upper(),
                number="........../BC-BPMC",
                place_name=place_name,
                date=report.generated_at,
            ),
            width,
            space_after=4 * mm,
        ),
        title_block(TITLE, width, subtitle=_period_line(report)),
        Paragraph(
            f"Số liệu tính đến {vn_datetime(report.generated_at)}.",
            width,
            _SUBTITLE,
        ),
    ]
    sections: list[tuple[str, Callable[[], Block]]] = [
        ("I. TỔNG HỢP KẾT QUẢ TRONG KỲ", lambda: _summary_table(report, width)),
        (
            "II. KẾT QUẢ THEO LĨNH VỰC",
            lambda: _group_table(report.by_field, report.total, width, name_title="Lĩnh vực"),
        ),
        (
            "III. KẾT QUẢ THEO THỦ TỤC HÀNH CHÍNH",
            lambda: _group_table(
                report.by_procedure,
                report.total,
                width,
                name_title="Tên thủ tục hành chính",
                with_code=True,
            ),
        ),
        (
            "IV. KẾT QUẢ THEO CÁN BỘ TIẾP NHẬN",
            lambda: _group_table(
                report.by_clerk, report.total, width, name_title="Cán bộ tiếp nhận"
            ),
        ),
        ("V. MỨC ĐỘ HÀI LÒNG THEO THỦ TỤC", lambda: _satisfaction_table(report, width)),
        ("VI. TIẾP NHẬN VÀ XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ", lambda: _complaints_table(report, width)),
    ]
    for heading, table in sections:
        blocks.append(_heading(heading, width))
        blocks.append(table())
    blocks.append(Paragraph("Ghi chú:", width, _NOTE, keep_with_next=True))
    blocks.extend(Paragraph(f"– {line}", width, _NOTE) for line in report.definitions)
    blocks.append(
        signature_row(
            [
                Signature("NGƯỜI LẬP BÁO CÁO"),
                Signature("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký, ghi rõ họ tên và đóng dấu)"),
            ],
            width,
        )
    )
    return blocks


def render_report(report: Report, *, agency_name: str, place_name: str) -> bytes:
    """The report as PDF bytes (A4 landscape)."""
    blocks = report_blocks(report, agency_name=agency_name, place_name=place_name)
    info = PdfInfo(
        title=f"Báo cáo kết quả giải quyết TTHC - {report.period_label}",
        subject="Báo cáo kết quả giải quyết thủ tục hành chính",
        author=f"{UNIT} {agency_name}",
        keywords=f"báo cáo, {report.period_from.isoformat()}, {report.period_to.isoformat()}",
    )
    footer = f"Báo cáo kết quả giải quyết TTHC · {agency_name} · {report.period_label}"
    return render_flow(blocks, _GEOMETRY, info, footer=footer)


def write_report_pdf(report: Report, path: Path, *, agency_name: str, place_name: str) -> Path:
    """Render and write atomically (the previous file stays whole if anything fails)."""
    pdf = render_report(report, agency_name=agency_name, place_name=place_name)
    return write_pdf(pdf, Path(path))


__all__ = ["TITLE", "render_report", "report_blocks", "write_report_pdf"]
