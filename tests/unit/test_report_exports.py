"""The period report as a workbook and a PDF: what the district opens must carry the
Vietnamese titles and the same numbers as the screen."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from counter_app.documents.report_pdf import TITLE, render_report, write_report_pdf
from counter_app.errors import KnownError
from counter_app.services import report_xlsx
from counter_app.services.context import CounterContext
from counter_app.services.report_xlsx import SHEETS, write_report_xlsx
from counter_app.services.reports import Report, build_report, month_range, quarter_range

from .pdf_helpers import page_sizes, page_texts
from .test_reports import MARRIAGE, NOW, OCTOBER, build_october


@pytest.fixture
def october(counter: CounterContext) -> Report:
    build_october(counter)
    return build_report(counter, *OCTOBER, now=NOW)


def rows_of(ws: Any) -> list[tuple[object, ...]]:
    return [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]


def test_workbook_has_the_six_sheets_with_vietnamese_headers(
    october: Report, tmp_path: Path
) -> None:
    path = write_report_xlsx(october, tmp_path / "bao-cao.xlsx", agency_name="UBND xã An Hòa")
    wb = load_workbook(path)
    assert wb.sheetnames == list(SHEETS)
    summary = wb["Tổng hợp"]
    assert summary["A1"].value == "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    assert summary["A1"].font.bold
    assert "Tháng 10 năm 2026" in summary["A2"].value
    assert "01/10/2026" in summary["A2"].value and "31/10/2026" in summary["A2"].value
    header = [c.value for c in summary[5]]
    assert header == ["Chỉ tiêu", "Số lượng", "Tỷ lệ"]
    assert all(c.font.bold for c in summary[5])
    assert summary.freeze_panes == "A6"
    figures = {str(r[0]): r[1:] for r in rows_of(summary)[4:] if r[1] is not None}
    assert figures["1. Hồ sơ tiếp nhận trong kỳ"] == (11, None)
    assert figures["– Trả trước hạn"] == (1, pytest.approx(1 / 6))
    assert figures["– Trả quá hạn"] == (3, 0.5)
    assert figures["4. Hồ sơ đang giải quyết"] == (4, None)
    assert figures["– Trong đó quá hạn"] == (1, None)
    assert figures["– Rất hài lòng"] == (2, 0.4)
    # The footnote says how each figure is counted.
    texts = [str(r[0]) for r in rows_of(summary)]
    assert "Ghi chú:" in texts
    assert any(t.startswith("– Trước hạn: trả vào một ngày trước ngày hẹn trả") for t in texts)


def test_group_sheets_hold_rows_totals_and_percent_formats(october: Report, tmp_path: Path) -> None:
    wb = load_workbook(write_report_xlsx(october, tmp_path / "r.xlsx"))
    ws = wb["Theo thủ tục"]
    header = [c.value for c in ws[5]]
    assert header[:6] == [
        "STT",
        "Mã thủ tục",
        "Tên thủ tục",
        "Tiếp nhận",
        "Đã giải quyết",
        "Đã trả kết quả",
    ]
    assert "Tỷ lệ đúng hạn theo quy định (trước hạn + đúng hạn)" in header
    assert ws.freeze_panes == "D6"
    marriage = next(r for r in ws.iter_rows(min_row=6) if r[1].value == MARRIAGE)
    values = {h: c.value for h, c in zip(header, marriage, strict=True)}
    assert values["Tiếp nhận"] == 5 and values["Quá hạn chưa trả"] == 1
    assert values["Tỷ lệ trước hạn"] == 0.5
    cells = {h: c for h, c in zip(header, marriage, strict=True)}
    assert cells["Tỷ lệ trước hạn"].number_format == "0.0%"
    total = next(r for r in ws.iter_rows(min_row=6) if r[2].value == "Tổng cộng")
    assert total[3].value == 11 and total[3].font.bold
    assert ws.column_dimensions["C"].width >= 40

    fields = wb["Theo lĩnh vực"]
    assert [c.value for c in fields[5]][:3] == ["STT", "Lĩnh vực", "Tiếp nhận"]
    clerks = wb["Theo cán bộ"]
    names = [r[1] for r in rows_of(clerks)[4:-1]]
    assert names == ["Lê Văn Hùng", "Trần Thị Mai", "(Không gắn hồ sơ)", "Tổng cộng"]

    satisfaction = wb["Hài lòng"]
    first = rows_of(satisfaction)[4]
    assert first[0] == "Tổng cộng" and first[3:8] == (5, 2, 0.4, 2, 0.4)
    complaints = wb["Phản ánh kiến nghị"]
    assert rows_of(complaints)[4][:2] == ("Tiếp nhận trong kỳ", 4)


def test_workbook_is_written_atomically(
    october: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "r.xlsx"
    target.write_bytes(b"previous")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_xlsx.os, "replace", fail)
    with pytest.raises(KnownError, match="Không lưu được tệp Excel"):
        write_report_xlsx(october, target)
    assert target.read_bytes() == b"previous"
    assert os.listdir(folder) == ["r.xlsx"]  # no temporary file left behind


def test_pdf_has_title_period_figures_and_page_numbers(october: Report, tmp_path: Path) -> None:
    pdf = render_report(october, agency_name="UBND xã An Hòa", place_name="An Hòa")
    texts = page_texts(pdf)
    whole = " ".join(texts)
    assert TITLE in texts[0]
    assert "UBND XÃ AN HÒA" in texts[0]
    assert "Kỳ báo cáo: Tháng 10 năm 2026 (từ ngày 01/10/2026 đến ngày 31/10/2026)" in texts[0]
    assert "Số liệu tính đến 09 giờ 00 phút, ngày 25 tháng 11 năm 2026" in texts[0]
    assert "1. Hồ sơ tiếp nhận trong kỳ 11" in whole
    assert "– Trả trước hạn 1 16,7%" in whole
    assert "Tỷ lệ trả kết quả đúng hạn theo quy định (trước hạn + đúng hạn) 3 50,0%" in whole
    assert "– Trong đó quá hạn 1" in whole
    for heading in (
        "II. KẾT QUẢ THEO LĨNH VỰC",
        "III. KẾT QUẢ THEO THỦ TỤC HÀNH CHÍNH",
        "IV. KẾT QUẢ THEO CÁN BỘ TIẾP NHẬN",
        "V. MỨC ĐỘ HÀI LÒNG THEO THỦ TỤC",
        "VI. TIẾP NHẬN VÀ XỬ LÝ PHẢN ÁNH, KIẾN NGHỊ",
    ):
        assert heading in whole
    # A clerk's row: received, resolved, returned, early/on time/late with their rates.
    assert "Trần Thị Mai 7 5 4 1 25,0% 2 50,0% 1 25,0% 75,0% 2 0 0" in whole
    assert "Rất hài lòng" in whole and "2 (40,0%)" in whole
    assert "Quá hạn: trả sau thời điểm hẹn" in whole  # the footnote
    pages = len(texts)
    for n, text in enumerate(texts, start=1):
        assert f"Trang {n}/{pages}" in text
    width, height = page_sizes(pdf)[0]
    assert width > height and round(width) == 842  # A4 landscape

    path = write_report_pdf(
        october, tmp_path / "bao-cao.pdf", agency_name="UBND xã An Hòa", place_name="An Hòa"
    )
    assert path.read_bytes()[:5] == b"%PDF-"


def test_pdf_of_an_empty_quarter(counter: CounterContext) -> None:
    report = build_report(counter, *quarter_range(2026, 1), now=NOW)
    texts = page_texts(render_report(report, agency_name="UBND xã An Hòa", place_name="An Hòa"))
    assert "Quý I năm 2026" in texts[0]
    assert "1. Hồ sơ tiếp nhận trong kỳ 0" in " ".join(texts)


def test_a_long_period_flows_onto_pages_with_repeated_titles(counter: CounterContext) -> None:
    build_october(counter)
    report = build_report(counter, *month_range(2026, 10), now=NOW)
    many = report.by_procedure * 12  # a district's catalogue: dozens of procedures
    long = replace(report, by_procedure=many)
    texts = page_texts(render_report(long, agency_name="UBND xã An Hòa", place_name="An Hòa"))
    continued = [t for t in texts[1:] if "Tên thủ tục hành chính" in t]
    assert len(continued) >= 2  # the column titles come back on the continuation page
