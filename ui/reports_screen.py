"""Báo cáo: the figures of a month, quarter or year, as tables, charts, Excel and PDF.

Keyboard first: the period picker (kind, year, month or quarter) takes the focus, Enter
or F5 builds the report, Alt+E / Alt+P export it. Building and exporting run on a worker
(``Session.op``); the GUI thread only shows what comes back. When anything changes the
data (``session.changed``), the figures on screen are marked as out of date rather than
rebuilt behind the clerk's back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QStandardPaths, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import now_vn, to_vn
from counter_app.errors import KnownError
from counter_app.services.context import CounterContext
from counter_app.services.reports import (
    Report,
    build_report,
    month_range,
    quarter_range,
    vn_count,
    vn_percent,
    year_range,
)
from ui.errors import show_error
from ui.report_models import FigureTableModel, clerk_model, field_model, procedure_model
from ui.session import Session
from ui.widgets import HINT_STYLE, hint_label

if TYPE_CHECKING:
    from ui.charts import SatisfactionChart, TimelinessChart

log = logging.getLogger(__name__)

KINDS = ("Tháng", "Quý", "Năm")
MONTH, QUARTER, YEAR = range(3)
STALE_STYLE = "color: #8a5a00;"


# --------------------------------------------------------------------------- worker side


def load_report(ctx: CounterContext, date_from: date, date_to: date) -> Report:
    return build_report(ctx, date_from, date_to)


def export_xlsx(report: Report, path: Path, agency_name: str) -> Path:
    from counter_app.services.report_xlsx import write_report_xlsx  # openpyxl: on first use

    return write_report_xlsx(report, path, agency_name=agency_name)


def export_pdf(report: Report, path: Path, agency_name: str, place_name: str) -> Path:
    from counter_app.documents.report_pdf import write_report_pdf  # reportlab: on first use

    try:
        return write_report_pdf(report, path, agency_name=agency_name, place_name=place_name)
    except OSError as err:
        raise KnownError(f"Không lưu được tệp PDF {path}: {err}") from err


def file_stem(report: Report) -> str:
    """A file name for the period: bao-cao-2026-10, bao-cao-2026-Q4, bao-cao-2026."""
    f, t = report.period_from, report.period_to
    if (f, t) == year_range(f.year):
        return f"bao-cao-{f.year}"
    if f.day == 1 and (f.month - 1) % 3 == 0 and (f, t) == quarter_range(f.year, f.month // 3 + 1):
        return f"bao-cao-{f.year}-Q{f.month // 3 + 1}"
    if f.day == 1 and (f, t) == month_range(f.year, f.month):
        return f"bao-cao-{f.year}-{f.month:02d}"
    return f"bao-cao-{f:%Y%m%d}-{t:%Y%m%d}"


# --------------------------------------------------------------------------- widgets


class _Figure(QFrame):
    """One headline number with its caption above it."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.caption = QLabel(caption)
        self.caption.setStyleSheet(HINT_STYLE)
        self.value = QLabel("–")
        font = self.value.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel("")
        self.detail.setStyleSheet(HINT_STYLE)
        for label in (self.caption, self.value, self.detail):
            label.setWordWrap(True)  # cards shrink with a narrow window instead of clipping
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)  # top-aligned when a neighbour's text makes the row taller

    def set(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)


def _table(model: FigureTableModel, name_width: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setTabKeyNavigation(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    name_column = model.lead_count - 1
    header.setSectionResizeMode(name_column, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(name_column, name_width)
    return view


class ReportsScreen(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report: Report | None = None
        self.stale = False
        self.loading = False
        self._generation = 0  # only the newest request's result is shown
        self.timeliness_chart: TimelinessChart | None = None
        self.satisfaction_chart: SatisfactionChart | None = None

        today = now_vn().date()
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.kind.setToolTip("Loại kỳ báo cáo")
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.month = QSpinBox()
        self.month.setRange(1, 12)
        self.month.setValue(today.month)
        self.quarter = QSpinBox()
        self.quarter.setRange(1, 4)
        self.quarter.setValue((today.month - 1) // 3 + 1)
        self.month_label = QLabel("&Tháng:")
        self.month_label.setBuddy(self.month)
        self.quarter_label = QLabel("&Quý:")
        self.quarter_label.setBuddy(self.quarter)
        kind_label = QLabel("&Kỳ báo cáo:")
        kind_label.setBuddy(self.kind)
        year_label = QLabel("&Năm:")
        year_label.setBuddy(self.year)

        self.view_button = QPushButton("Xem (F5)")
        self.view_button.setToolTip("Lập báo cáo cho kỳ đã chọn (Enter hoặc F5)")
        self.xlsx_button = QPushButton("Xuất &Excel…")
        self.pdf_button = QPushButton("Xuất &PDF…")
        for button in (self.xlsx_button, self.pdf_button):
            button.setEnabled(False)
        self.view_button.clicked.connect(self.build)
        self.xlsx_button.clicked.connect(self.save_xlsx)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for spin in (self.year, self.month, self.quarter):
            spin.valueChanged.connect(self._period_edited)
        self.kind.currentIndexChanged.connect(self._period_edited)

        picker = QHBoxLayout()
        for widget in (
            kind_label,
            self.kind,
            year_label,
            self.year,
            self.month_label,
            self.month,
            self.quarter_label,
            self.quarter,
            self.view_button,
        ):
            picker.addWidget(widget)
        picker.addStretch(1)
        picker.addWidget(self.xlsx_button)
        picker.addWidget(self.pdf_button)

        self.heading = QLabel("Báo cáo kết quả giải quyết thủ tục hành chính")
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.status = QLabel("Chọn kỳ báo cáo rồi bấm Enter (hoặc F5) để xem số liệu.")
        self.status.setStyleSheet(HINT_STYLE)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        captions = {
            "received": "Tiếp nhận",
            "resolved": "Đã giải quyết",
            "returned": "Đã trả kết quả",
            "early": "Trước hạn",
            "on_time": "Đúng hạn",
            "late": "Quá hạn",
            "timely_rate": "Tỷ lệ đúng hạn",
            "pending": "Đang giải quyết",
            "overdue": "Quá hạn chưa trả",
            "satisfaction": "Rất hài lòng · Hài lòng · Không hài lòng",
            "complaints": "Phản ánh, kiến nghị",
        }
        self.figures = {key: _Figure(caption) for key, caption in captions.items()}
        grid = QGridLayout()
        grid.setSpacing(6)
        # Two rows of six columns; the three satisfaction levels take two of them.
        column = 0
        for n, (key, card) in enumerate(self.figures.items()):
            span = 2 if key == "satisfaction" else 1
            grid.addWidget(card, n // 6, column, 1, span)
            column = 0 if n == 5 else column + span
        for column in range(6):
            grid.setColumnStretch(column, 1)

        self.field_model = field_model(self)
        self.procedure_model = procedure_model(self)
        self.clerk_model = clerk_model(self)
        self.tabs = QTabWidget()
        self.field_view = _table(self.field_model, 170)
        self.procedure_view = _table(self.procedure_model, 260)
        self.clerk_view = _table(self.clerk_model, 170)
        self.tabs.addTab(self.field_view, "Theo lĩnh vực")
        self.tabs.addTab(self.procedure_view, "Theo thủ tục")
        self.tabs.addTab(self.clerk_view, "Theo cán bộ")

        # The charts are made with the first report (QtCharts is not needed before). They
        # have a tab of their own: beside the tables, seven fields' bars and a pie legend
        # would not fit a 1366-pixel screen without eliding their labels.
        self.charts = QStackedWidget()
        self.charts.addWidget(hint_label("Biểu đồ hiện ra khi có số liệu (bấm Enter hoặc F5)."))
        self.tabs.addTab(self.charts, "Biểu đồ")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.heading)
        layout.addLayout(picker)
        layout.addWidget(self.status)
        layout.addLayout(grid)
        layout.addWidget(self.tabs, 1)

        refresh = QShortcut(QKeySequence("F5"), self)
        # Only while the focus is on this screen: other tabs may give F5 a meaning of their own.
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.build)
        for widget in (self.kind, self.year, self.month, self.quarter):
            widget.installEventFilter(self)
        QWidget.setTabOrder(self.kind, self.year)
        QWidget.setTabOrder(self.year, self.month)
        QWidget.setTabOrder(self.month, self.quarter)
        QWidget.setTabOrder(self.quarter, self.view_button)
        QWidget.setTabOrder(self.view_button, self.xlsx_button)
        QWidget.setTabOrder(self.xlsx_button, self.pdf_button)
        QWidget.setTabOrder(self.pdf_button, self.tabs)
        self.setFocusProxy(self.kind)
        self._kind_changed()
        session.changed.connect(self.mark_stale)

    # --- the period -------------------------------------------------------------------------

    def set_period(self, kind: int, year: int, number: int = 1) -> None:
        """Choose the period as the clerk would: ``kind`` MONTH, QUARTER or YEAR."""
        self.kind.setCurrentIndex(kind)
        self.year.setValue(year)
        if kind == MONTH:
            self.month.setValue(number)
        elif kind == QUARTER:
            self.quarter.setValue(number)

    def period(self) -> tuple[date, date]:
        kind, year = self.kind.currentIndex(), self.year.value()
        if kind == MONTH:
            return month_range(year, self.month.value())
        if kind == QUARTER:
            return quarter_range(year, self.quarter.value())
        return year_range(year)

    def _kind_changed(self) -> None:
        kind = self.kind.currentIndex()
        for widget, visible in (
            (self.month_label, kind == MONTH),
            (self.month, kind == MONTH),
            (self.quarter_label, kind == QUARTER),
            (self.quarter, kind == QUARTER),
        ):
            widget.setVisible(visible)

    def _period_edited(self) -> None:
        if self.report is not None and self.period() != (
            self.report.period_from,
            self.report.period_to,
        ):
            self._show_status("Kỳ báo cáo đã đổi: bấm Enter (hoặc F5) để xem kỳ mới.", stale=True)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.build()
            return True
        return super().eventFilter(watched, event)

    # --- building ---------------------------------------------------------------------------

    def build(self) -> None:
        """Build the report of the chosen period on a worker."""
        try:
            date_from, date_to = self.period()
        except KnownError as err:
            show_error(self, err)
            return
        self._generation += 1
        generation = self._generation
        self.loading = True
        self.view_button.setEnabled(False)
        self._show_status("Đang lập báo cáo…")
        ctx = self.session.ctx
        self.session.op(
            self,
            lambda: load_report(ctx, date_from, date_to),
            lambda report: self._landed(generation, report),
            on_error=lambda exc: self._failed(generation, exc),
            writes=False,
        )

    def _landed(self, generation: int, report: Report) -> None:
        if generation != self._generation:
            return  # an older request; the newer one is on its way
        self.loading = False
        self.view_button.setEnabled(True)
        self.show_report(report)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.view_button.setEnabled(True)
        self._show_status("Chưa lập được báo cáo.")
        show_error(self, exc)

    def show_report(self, report: Report) -> None:
        self.report = report
        self.stale = False
        t = report.total
        self.heading.setText(f"Báo cáo kết quả giải quyết TTHC — {report.period_label}")
        self._show_status(
            f"Từ ngày {report.period_from:%d/%m/%Y} đến ngày {report.period_to:%d/%m/%Y}; "
            f"số liệu lúc {to_vn(report.generated_at):%H:%M ngày %d/%m/%Y}. "
            "Đang giải quyết và quá hạn tính theo trạng thái hiện tại."
        )
        f = self.figures
        f["received"].set(vn_count(t.received))
        f["resolved"].set(vn_count(t.resolved))
        f["returned"].set(vn_count(t.returned))
        f["early"].set(vn_count(t.early), vn_percent(t.early_rate))
        f["on_time"].set(vn_count(t.on_time), vn_percent(t.on_time_rate))
        f["late"].set(vn_count(t.late), vn_percent(t.late_rate))
        f["timely_rate"].set(vn_percent(t.timely_rate), "trước hạn + đúng hạn")
        f["pending"].set(vn_count(t.pending))
        f["overdue"].set(vn_count(t.overdue))
        f["satisfaction"].set(
            " · ".join(
                vn_percent(p) for p in (t.very_satisfied_pct, t.satisfied_pct, t.dissatisfied_pct)
            ),
            f"{vn_count(t.rated)} lượt đánh giá; {vn_count(t.unrated)} không đánh giá",
        )
        c = report.complaints
        f["complaints"].set(vn_count(c.received), f"{c.answered} đã trả lời; {c.overdue} quá hạn")
        self.field_model.set_rows(report.by_field, t)
        self.procedure_model.set_rows(report.by_procedure, t)
        self.clerk_model.set_rows(report.by_clerk, t)
        self._show_charts(report)
        self.xlsx_button.setEnabled(True)
        self.pdf_button.setEnabled(True)

    def _show_charts(self, report: Report) -> None:
        if self.timeliness_chart is None or self.satisfaction_chart is None:
            from ui.charts import SatisfactionChart, TimelinessChart

            self.timeliness_chart = TimelinessChart()
            self.satisfaction_chart = SatisfactionChart()
            row = QSplitter(Qt.Orientation.Horizontal)
            row.addWidget(self.timeliness_chart)
            row.addWidget(self.satisfaction_chart)
            row.setChildrenCollapsible(False)
            row.setStretchFactor(0, 3)
            row.setStretchFactor(1, 2)
            self.charts.addWidget(row)
            self.charts.setCurrentWidget(row)
        self.timeliness_chart.show_rows(report.by_field)
        self.satisfaction_chart.show_total(report.total)

    def mark_stale(self) -> None:
        """Something was saved: what is on screen may be out of date."""
        if self.report is None:
            return
        self.stale = True
        self._show_status(
            "Số liệu đã có thay đổi sau khi lập báo cáo này: bấm Enter (hoặc F5) để cập nhật.",
            stale=True,
        )

    def _show_status(self, text: str, *, stale: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(STALE_STYLE if stale else HINT_STYLE)

    # --- exporting --------------------------------------------------------------------------

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> Path | None:
        assert self.report is not None
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        target, _filter = QFileDialog.getSaveFileName(
            self, title, str(Path(folder) / f"{file_stem(self.report)}{suffix}"), file_filter
        )
        if not target:
            return None
        path = Path(target)
        return path if path.suffix.lower() == suffix else path.with_suffix(suffix)

    def save_xlsx(self) -> None:
        if self.report is None:
            return
        path = self._ask_path("Xuất báo cáo ra tệp Excel", ".xlsx", "Tệp Excel (*.xlsx)")
        if path is not None:
            self.export_xlsx_to(path)

    def save_pdf(self) -> None:
        if self.report is None:
            return
        path = self._ask_path("Xuất báo cáo ra tệp PDF", ".pdf", "Tệp PDF (*.pdf)")
        if path is not None:
            self.export_pdf_to(path)

    def export_xlsx_to(self, path: Path) -> None:
        report = self.report
        if report is None:
            return
        agency = self.session.settings.agency_name
        self._export(lambda: export_xlsx(report, path, agency), "Excel")

    def export_pdf_to(self, path: Path) -> None:
        report = self.report
        if report is None:
            return
        settings = self.session.settings
        self._export(
            lambda: export_pdf(report, path, settings.agency_name, settings.place_name), "PDF"
        )

    def _export(self, work: Callable[[], Path], what: str) -> None:
        self._show_status(f"Đang xuất tệp {what}…")
        self.session.op(
            self,
            work,
            lambda saved: self._show_status(f"Đã lưu tệp {what}: {saved}"),
            on_error=self._export_failed,
            writes=False,
        )

    def _export_failed(self, exc: BaseException) -> None:
        self._show_status("Chưa xuất được tệp.", stale=True)
        show_error(self, exc)
