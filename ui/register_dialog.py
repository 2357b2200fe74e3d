"""Mẫu 07 from the GUI: pick a date range, the register is rendered on a worker and shown
for printing (A4 landscape)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QWidget

from counter_app.domain.clock import now_vn
from ui.action_dialogs import ActionDialog
from ui.session import Session


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


def _day(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


class RegisterDialog(ActionDialog):
    """Done with the path of the PDF written to the counter's documents folder."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, "In Sổ theo dõi hồ sơ (Mẫu 07)", parent)
        today = now_vn().date()
        self.ok_button.setText("Tạo sổ (Enter)")
        self.date_from = _date_edit(today.replace(day=1))
        self.date_to = _date_edit(today)
        self.form.addRow("Từ ngày:", self.date_from)
        self.form.addRow("Đến ngày:", self.date_to)

    def work(self) -> Callable[[], Path]:
        from counter_app.services.forms import register_pdf

        ctx = self.session.ctx
        first, last = _day(self.date_from), _day(self.date_to)
        out: Path = ctx.paths.receipts / f"so-theo-doi-{first:%Y%m%d}-{last:%Y%m%d}.pdf"
        return lambda: register_pdf(ctx, first, last, out)
