"""The period report as an Excel workbook (.xlsx), for the district's spreadsheets.

Six sheets: "Tổng hợp" (the figures of the period and, under them, how each is counted),
"Theo thủ tục", "Theo lĩnh vực", "Theo cán bộ" (one row per group and a total row),
"Hài lòng" (every group's satisfaction levels in one filterable table) and "Phản ánh kiến
nghị". Each sheet starts with the title and the period; the column titles are bold, in
Vietnamese, and stay in view when scrolling (frozen panes). Counts are numbers and rates
are fractions shown as percentages, so the district can add and chart them; a rate with
nothing to divide by is left empty. The file is written to a temporary file beside the
target and renamed over it: a crash or a full disk never leaves half a workbook.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from counter_app.domain.clock import to_vn
from counter_app.errors import KnownError
from counter_app.services.reports import RATING_LABELS, FigureRow, Report

TITLE = "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
SHEETS = (
    "Tổng hợp",
    "Theo thủ tục",
    "Theo lĩnh vực",
    "Theo cán bộ",
    "Hài lòng",
    "Phản ánh kiến nghị",
)
PERCENT = "0.0%"
COUNT = "#,##0"

_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)
_ITALIC = Font(italic=True)
_NOTE_FONT = Font(italic=True, size=9, color="555555")
_HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_FIRST_ROW = 5  # the header row: under the title, the period and the "as of" line


@dataclass(frozen=True)
class Col:
    """One column: its Vietnamese header, width (characters), how to read and format it."""

    title: str
    width: float
    value: Callable[[FigureRow], Any]
    number_format: str | None = None
    wrap: bool = False


def _n(name: str) -> Col:
    titles = {
        "received": "Tiếp nhận",
        "resolved": "Đã giải quyết",
        "returned": "Đã trả kết quả",
        "early": "Trước hạn",
        "on_time": "Đúng hạn",
        "late": "Quá hạn",
        "pending": "Đang giải quyết",
        "overdue": "Quá hạn chưa trả",
        "complaints": "Phản ánh, kiến nghị",
        "rated": "Lượt đánh giá",
        "very_satisfied": "Rất hài lòng",
        "satisfied": "Hài lòng",
        "dissatisfied": "Không hài lòng",
        "unrated": "Không đánh giá",
    }
    return Col(titles[name], 11, lambda r: getattr(r, name), COUNT)


def _pct(title: str, name: str) -> Col:
    return Col(title, 11, lambda r: getattr(r, name), PERCENT)


_FIGURES: tuple[Col, ...] = (
    _n("received"),
    _n("resolved"),
    _n("returned"),
    _n("early"),
    _pct("Tỷ lệ trước hạn", "early_rate"),
    _n("on_time"),
    _pct("Tỷ lệ đúng hạn", "on_time_rate"),
    _n("late"),
    _pct("Tỷ lệ quá hạn", "late_rate"),
    Col(
        "Tỷ lệ đúng hạn theo quy định (trước hạn + đúng hạn)",
        16,
        lambda r: r.timely_rate,
        PERCENT,
    ),
    _n("pending"),
    _n("overdue"),
    _n("complaints"),
)

_SATISFACTION: tuple[Col, ...] = (
    _n("rated"),
    _n("very_satisfied"),
    _pct(f"Tỷ lệ {RATING_LABELS[1].lower()}", "very_satisfied_pct"),
    _n("satisfied"),
    _pct(f"Tỷ lệ {RATING_LABELS[2].lower()}", "satisfied_pct"),
    _n("dissatisfied"),
    _pct(f"Tỷ lệ {RATING_LABELS[3].lower()}", "dissatisfied_pct"),
    _n("unrated"),
)


# --------------------------------------------------------------------------- helpers


def _heading(ws: Worksheet, report: Report, subtitle: str, agency_name: str) -> None:
    ws["A1"] = TITLE
    ws["A1"].font = _TITLE_FONT
    period = report.period_label
    span = f"từ ngày {report.period_from:%d/%m/%Y} đến ngày {report.period_to:%d/%m/%Y}"
    line = f"Kỳ báo cáo: {period}" + ("" if period.startswith("Từ ngày") else f" ({span})")
    ws["A2"] = f"{subtitle} — {line}" + (f" — {agency_name}" if agency_name else "")
    ws["A2"].font = _BOLD
    ws["A3"] = f"Số liệu tính đến {to_vn(report.generated_at):%H:%M ngày %d/%m/%Y}."
    ws["A3"].font = _ITALIC


def _header_row(ws: Worksheet, row: int, titles: Sequence[str]) -> None:
    for k, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=k, value=title)
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = _HEAD_ALIGN
        cell.border = _BORDER
    ws.row_dimensions[row].height = 64


def _put(
    ws: Worksheet,
    row: int,
    column: int,
    value: Any,
    *,
    number_format: str | None = None,
    wrap: bool = False,
    strong: bool = False,
) -> None:
    indent = 0
    if isinstance(value, str) and value.startswith("    "):  # a line under a heading
        value, indent = value.strip(), 2
    cell = ws.cell(row=row, column=column, value=value)
    cell.border = _BORDER
    cell.alignment = Alignment(vertical="top", wrap_text=wrap, indent=indent)
    if number_format:
        cell.number_format = number_format
    if strong:
        cell.font = _BOLD
        cell.fill = _TOTAL_FILL


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for k, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = width


def _print_setup(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def _note(ws: Worksheet, row: int, lines: Sequence[str]) -> None:
    ws.cell(row=row, column=1, value="Ghi chú:").font = _NOTE_FONT
    for k, line in enumerate(lines, start=1):
        ws.cell(row=row + k, column=1, value=f"– {line}").font = _NOTE_FONT


# --------------------------------------------------------------------------- sheets


def _summary(ws: Worksheet, report: Report, agency_name: str) -> None:
    _heading(ws, report, "Tổng hợp", agency_name)
    _header_row(ws, _FIRST_ROW, ("Chỉ tiêu", "Số lượng", "Tỷ lệ"))
    t, c = report.total, report.complaints
    lines: list[tuple[str, int, float | None, bool]] = [
        ("1. Hồ sơ tiếp nhận trong kỳ", t.received, None, True),
        ("2. Hồ sơ đã giải quyết trong kỳ", t.resolved, None, True),
        ("3. Hồ sơ đã trả kết quả trong kỳ", t.returned, None, True),
        ("    – Trả trước hạn", t.early, t.early_rate, False),
        ("    – Trả đúng hạn", t.on_time, t.on_time_rate, False),
        ("    – Trả quá hạn", t.late, t.late_rate, False),
        ("    Trả đúng hạn theo quy định (trước hạn + đúng hạn)", t.timely, t.timely_rate, True),
        ("4. Hồ sơ đang giải quyết", t.pending, None, True),
        ("    – Trong đó quá hạn", t.overdue, None, False),
        ("5. Lượt đánh giá mức độ hài lòng", t.rated, None, True),
        (f"    – {RATING_LABELS[1]}", t.very_satisfied, t.very_satisfied_pct, False),
        (f"    – {RATING_LABELS[2]}", t.satisfied, t.satisfied_pct, False),
        (f"    – {RATING_LABELS[3]}", t.dissatisfied, t.dissatisfied_pct, False),
        ("    Lượt trả kết quả không đánh giá", t.unrated, None, False),
        ("6. Phản ánh, kiến nghị tiếp nhận trong kỳ", c.received, None, True),
        ("    – Đã trả lời", c.answered, c.answered_rate, False),
        ("    – Đang xử lý", c.open, None, False),
        ("    – Quá hạn xử lý", c.overdue, None, False),
    ]
    row = _FIRST_ROW
    for label, count, rate, strong in lines:
        row += 1
        _put(ws, row, 1, label)
        _put(ws, row, 2, count, number_format=COUNT)
        _put(ws, row, 3, rate, number_format=PERCENT)
        if strong:
            for column in (1, 2, 3):
                ws.cell(row=row, column=column).font = _BOLD
    _note(ws, row + 2, report.definitions)
    _widths(ws, (62, 12, 12))
    ws.freeze_panes = ws.cell(row=_FIRST_ROW + 1, column=1)
    _print_setup(ws, _FIRST_ROW)


def _groups(
    ws: Worksheet,
    report: Report,
    agency_name: str,
    *,
    subtitle: str,
    lead: Sequence[Col],
    rows: Sequence[FigureRow],
    figures: Sequence[Col] = _FIGURES,
) -> None:
    _heading(ws, report, subtitle, agency_name)
    columns = [Col("STT", 6, lambda r: None), *lead, *figures]
    _header_row(ws, _FIRST_ROW, [c.title for c in columns])
    row = _FIRST_ROW
    for n, item in enumerate([*rows, report.total], start=1):
        row += 1
        total = n == len(rows) + 1
        for k, col in enumerate(columns, start=1):
            if k == 1:
                value: Any = None if total else n
            elif total and k <= len(lead) + 1:  # "Tổng cộng" in the last name column
                value = item.label if k == len(lead) + 1 else None
            else:
                value = col.value(item)
            _put(ws, row, k, value, number_format=col.number_format, wrap=col.wrap, strong=total)
    ws.cell(
        row=row + 2, column=1, value="Cách tính từng chỉ tiêu: xem ghi chú ở trang “Tổng hợp”."
    ).font = _NOTE_FONT
    _widths(ws, [c.width for c in columns])
    # Keep the titles and the names in view when scrolling down or right.
    ws.freeze_panes = ws.cell(row=_FIRST_ROW + 1, column=len(lead) + 2)
    ws.auto_filter.ref = f"A{_FIRST_ROW}:{get_column_letter(len(columns))}{row - 1}"
    _print_setup(ws, _FIRST_ROW)


def _satisfaction(ws: Worksheet, report: Report, agency_name: str) -> None:
    _heading(ws, report, "Mức độ hài lòng", agency_name)
    lead = ("Nhóm", "Mã", "Tên")
    columns = [*lead, *(c.title for c in _SATISFACTION)]
    _header_row(ws, _FIRST_ROW, columns)
    groups: list[tuple[str, Sequence[FigureRow], bool]] = [
        ("Tổng cộng", (report.total,), False),
        ("Theo lĩnh vực", report.by_field, False),
        ("Theo thủ tục", report.by_procedure, True),
        ("Theo cán bộ", report.by_clerk, False),
    ]
    row = _FIRST_ROW
    for group, items, with_code in groups:
        for item in items:
            if item is not report.total and not (item.rated or item.unrated):
                continue
            row += 1
            strong = item is report.total
            _put(ws, row, 1, group, strong=strong)
            _put(ws, row, 2, item.key if with_code else None, strong=strong)
            label = "Tất cả hồ sơ" if strong else item.label
            _put(ws, row, 3, label, wrap=True, strong=strong)
            for k, col in enumerate(_SATISFACTION, start=4):
                _put(ws, row, k, col.value(item), number_format=col.number_format, strong=strong)
    ws.cell(
        row=row + 2,
        column=1,
        value="Tỷ lệ mỗi mức = số lượt / số lượt có đánh giá; lượt trả kết quả trong kỳ.",
    ).font = _NOTE_FONT
    _widths(ws, [15, 11, 50, *(c.width for c in _SATISFACTION)])
    ws.freeze_panes = ws.cell(row=_FIRST_ROW + 1, column=4)
    ws.auto_filter.ref = f"A{_FIRST_ROW}:{get_column_letter(len(columns))}{row}"
    _print_setup(ws, _FIRST_ROW)


def _complaints(ws: Worksheet, report: Report, agency_name: str) -> None:
    _heading(ws, report, "Phản ánh, kiến nghị", agency_name)
    _header_row(ws, _FIRST_ROW, ("Chỉ tiêu", "Số lượng", "Tỷ lệ"))
    c = report.complaints
    lines: list[tuple[str, int, float | None]] = [
        ("Tiếp nhận trong kỳ", c.received, None),
        ("Đã trả lời", c.answered, c.answered_rate),
        ("    – Trả lời đúng hạn", c.answered_on_time, None),
        ("    – Trả lời quá hạn", c.answered_late, None),
        ("Đang xử lý (chưa trả lời, chưa đóng)", c.open, None),
        ("    – Trong đó quá hạn xử lý", c.overdue, None),
    ]
    row = _FIRST_ROW
    for label, count, rate in lines:
        row += 1
        _put(ws, row, 1, label)
        _put(ws, row, 2, count, number_format=COUNT)
        _put(ws, row, 3, rate, number_format=PERCENT)
    # Where they came from: per procedure, as counted in the other sheets.
    row += 2
    ws.cell(row=row, column=1, value="Theo thủ tục").font = _BOLD
    row += 1
    _header_row(ws, row, ("Tên thủ tục", "Mã thủ tục", "Số phản ánh, kiến nghị"))
    for item in report.by_procedure:
        if item.complaints:
            row += 1
            _put(ws, row, 1, item.label, wrap=True)
            _put(ws, row, 2, item.key or None)
            _put(ws, row, 3, item.complaints, number_format=COUNT)
    _widths(ws, (62, 14, 14))
    ws.freeze_panes = ws.cell(row=_FIRST_ROW + 1, column=1)
    _print_setup(ws, _FIRST_ROW)


def build_workbook(report: Report, *, agency_name: str = "") -> Any:
    """The workbook in memory (an openpyxl ``Workbook``)."""
    wb = Workbook()
    sheets = [wb.active, *(wb.create_sheet() for _ in SHEETS[1:])]
    for ws, name in zip(sheets, SHEETS, strict=True):
        ws.title = name
    summary, by_procedure, by_field, by_clerk, satisfaction, complaints = sheets
    _summary(summary, report, agency_name)
    _groups(
        by_procedure,
        report,
        agency_name,
        subtitle="Theo thủ tục hành chính",
        lead=(
            Col("Mã thủ tục", 11, lambda r: r.key or None),
            Col("Tên thủ tục", 50, lambda r: r.label, wrap=True),
        ),
        rows=report.by_procedure,
    )
    _groups(
        by_field,
        report,
        agency_name,
        subtitle="Theo lĩnh vực",
        lead=(Col("Lĩnh vực", 28, lambda r: r.label, wrap=True),),
        rows=report.by_field,
    )
    _groups(
        by_clerk,
        report,
        agency_name,
        subtitle="Theo cán bộ tiếp nhận",
        lead=(Col("Cán bộ tiếp nhận", 26, lambda r: r.label, wrap=True),),
        rows=report.by_clerk,
    )
    _satisfaction(satisfaction, report, agency_name)
    _complaints(complaints, report, agency_name)
    wb.properties.title = f"Báo cáo kết quả giải quyết TTHC - {report.period_label}"
    wb.properties.creator = "Một Cửa Counter"
    return wb


def write_report_xlsx(report: Report, path: Path | str, *, agency_name: str = "") -> Path:
    """Write the workbook to ``path`` atomically and return the path.

    Raises KnownError (Vietnamese) when the folder cannot be written or the disk is full;
    the previous file at ``path``, if any, stays as it was.
    """
    target = Path(path)
    wb = build_workbook(report, agency_name=agency_name)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as err:
        raise KnownError(f"Không ghi được vào thư mục {target.parent}: {err}") from err
    try:
        with os.fdopen(fd, "wb") as fh:
            wb.save(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except OSError as err:
        Path(tmp_name).unlink(missing_ok=True)
        raise KnownError(f"Không lưu được tệp Excel {target}: {err}") from err
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


__all__ = ["SHEETS", "TITLE", "build_workbook", "write_report_xlsx"]
