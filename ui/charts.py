"""The report's charts (QtCharts): returns per field by timeliness, and satisfaction.

Built the first time a report is shown, so the window's start-up never pays for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from counter_app.services.reports import RATING_LABELS, FigureRow, vn_percent

EARLY_COLOR = QColor("#2e7d32")
ON_TIME_COLOR = QColor("#1565c0")
LATE_COLOR = QColor("#c62828")
RATING_COLORS = {1: QColor("#2e7d32"), 2: QColor("#7cb342"), 3: QColor("#c62828")}
# A field's name on the axis is cut after this many characters (the tooltip has it all).
LABEL_CHARS = 22


def _fonts() -> tuple[QFont, QFont]:
    base = QApplication.font()
    title = QFont(base)
    title.setBold(True)
    small = QFont(base)
    small.setPointSizeF(max(7.0, base.pointSizeF() * 0.9))
    return title, small


def _chart() -> QChart:
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    chart.setMargins(QMargins(4, 4, 4, 4))
    title, small = _fonts()
    chart.setTitleFont(title)
    chart.legend().setFont(small)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


class TimelinessChart(QChartView):
    """Per field: the returned dossiers as stacked bars of early / on time / late."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setChart(_chart())
        self.setMinimumHeight(200)
        self.categories: list[str] = []
        self.values: dict[str, list[int]] = {}

    def show_rows(self, rows: Sequence[FigureRow]) -> None:
        chart = _chart()
        chart.setTitle("Trả kết quả theo lĩnh vực")
        # Horizontal bars are drawn bottom-up: reverse so the list reads top-down.
        shown = [r for r in rows if r.returned][::-1]
        self.categories = [_short(r.label) for r in shown]
        series = QHorizontalStackedBarSeries()
        self.values = {}
        for name, color, attribute in (
            ("Trước hạn", EARLY_COLOR, "early"),
            ("Đúng hạn", ON_TIME_COLOR, "on_time"),
            ("Quá hạn", LATE_COLOR, "late"),
        ):
            bar = QBarSet(name)
            bar.setColor(color)
            bar.setBorderColor(color)
            numbers = [int(getattr(r, attribute)) for r in shown]
            bar.append([float(n) for n in numbers])
            self.values[name] = numbers
            series.append(bar)
        series.setBarWidth(0.6)
        chart.addSeries(series)
        _, small = _fonts()
        axis_y = QBarCategoryAxis()
        axis_y.append(self.categories or [""])
        axis_y.setLabelsFont(small)
        axis_x = QValueAxis()
        axis_x.setLabelFormat("%d")
        axis_x.setLabelsFont(small)
        top = max((r.returned for r in shown), default=0)
        axis_x.setRange(0, max(top, 1))
        axis_x.setTickCount(min(max(top, 1), 5) + 1)
        if top > 5:
            axis_x.applyNiceNumbers()  # 0, 500, 1000 … rather than 0, 409, 818 …
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_y)
        series.attachAxis(axis_x)
        if not shown:
            chart.setTitle("Trả kết quả theo lĩnh vực: chưa có hồ sơ trả trong kỳ")
        old = self.chart()
        self.setChart(chart)
        old.deleteLater()


class SatisfactionChart(QChartView):
    """The rated returns of the period, as a pie of the three levels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setChart(_chart())
        self.setMinimumHeight(200)
        self.slices: dict[str, int] = {}

    def show_total(self, total: FigureRow) -> None:
        chart = _chart()
        series = QPieSeries()
        series.setPieSize(0.85)
        self.slices = {}
        counts = {1: total.very_satisfied, 2: total.satisfied, 3: total.dissatisfied}
        _, small = _fonts()
        for level, count in counts.items():
            self.slices[RATING_LABELS[level]] = count
            if not count:
                continue
            share = vn_percent(count / total.rated)
            piece = series.append(f"{RATING_LABELS[level]} {share}", float(count))
            piece.setColor(RATING_COLORS[level])
            piece.setLabelVisible(False)
        if total.rated:
            chart.setTitle(f"Mức độ hài lòng ({total.rated} lượt đánh giá)")
        else:
            chart.setTitle("Mức độ hài lòng: chưa có lượt đánh giá trong kỳ")
        chart.addSeries(series)
        for marker in chart.legend().markers(series):
            marker.setFont(small)
        old = self.chart()
        self.setChart(chart)
        old.deleteLater()
