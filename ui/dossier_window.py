"""One dossier, opened by a scan, a search or a board row: where it is, what happened to
it, and the actions its status allows (hand-over, notices, resume, return of the result).

Every action runs through a dialog that calls one service (one transaction); the window
then reloads the dossier, and a form the action produced (Mẫu 02–05) is rendered on a
worker and shown for printing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import parse_iso
from counter_app.domain.deadlines import TIMELINESS_NAMES
from counter_app.domain.parties import COUNTER_PARTY
from counter_app.domain.status import FINAL, status_name
from counter_app.services.dto import CHANNELS, RATINGS, RECEIVER_KINDS, DossierDetail
from ui.action_dialogs import ActionDialog, HandoverDialog, ReasonDialog, ReturnDialog
from ui.correction_dialogs import CORRECTION_LABELS, start_correction
from ui.session import Session
from ui.widgets import ErrorLabel, hint_label

FORM_TITLES = {
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
    "03": "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)",
    "04": "Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
    "05": "Thông báo dừng giải quyết hồ sơ (Mẫu 05)",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)",
}

# Which actions each status offers (the service enforces the same rules). The underlined
# letters (Alt+…) are unique among the buttons one status shows.
ACTIONS_BY_STATUS: dict[int, tuple[str, ...]] = {
    1: ("refuse", "withdraw"),
    2: ("send", "resolved", "supplement", "refuse", "apology", "stop", "withdraw"),
    4: ("send", "result", "resolved", "supplement", "apology", "stop", "withdraw"),
    5: ("resume", "apology", "stop", "withdraw"),
    6: ("resume", "result", "apology", "stop", "withdraw"),
    8: ("resume", "apology", "withdraw"),
    9: ("return",),
}
SYNC_ISSUES_SHOWN = 3
ACTION_LABELS = {
    "return": "&Trả kết quả",
    "send": "&Chuyển xử lý…",
    "result": "&Nhận kết quả…",
    "resolved": "Đã &giải quyết xong",
    "supplement": "Yêu cầu &bổ sung… (Mẫu 02)",
    "refuse": "&Từ chối… (Mẫu 03)",
    "apology": "&Xin lỗi, hẹn lại… (Mẫu 04)",
    "stop": "&Dừng xử lý… (Mẫu 05)",
    "resume": "&Tiếp tục xử lý…",
    "withdraw": "Công dân &rút hồ sơ…",
}


def _when(moment: Any) -> str:
    return f"{moment:%H:%M %d/%m/%Y}" if moment is not None else ""


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()


class DossierWindow(QDialog):
    """Non-modal: the clerk may keep a dossier open while serving at the counter."""

    form_ready = Signal(str, object, str)  # code, path of the PDF, window title

    def __init__(self, session: Session, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.code = code
        self.detail: DossierDetail | None = None
        self.dialog: ActionDialog | None = None
        self.setWindowTitle(f"Hồ sơ {code}")
        self.resize(980, 640)

        self.headline = QLabel(code)
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QGridLayout()
        self.fact_labels: dict[str, QLabel] = {}
        for n, (key, label) in enumerate(
            (
                ("status", "Trạng thái"),
                ("holder", "Đang ở"),
                ("applicant", "Người nộp"),
                ("procedure", "Thủ tục"),
                ("received", "Nhận lúc"),
                ("due", "Hẹn trả"),
                ("returned", "Trả kết quả"),
            )
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.facts.addWidget(QLabel(f"{label}:"), n, 0, Qt.AlignmentFlag.AlignTop)
            self.facts.addWidget(value, n, 1)
            self.fact_labels[key] = value
        self.facts.setColumnStretch(1, 1)
        # What the district refused or could not apply for this dossier (red; hidden if none).
        self.sync_issues = ErrorLabel()
        self.sync_issues.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.history = _table(["Thời điểm", "Từ", "Sang", "Người thực hiện", "Ghi chú"])
        self.handovers = _table(
            ["#", "Bên giao", "Bên nhận", "Thời điểm", "Kết quả bước", "Người giao", "Người nhận"]
        )
        self.notices = _table(["Mẫu", "Số", "Ngày lập", "Nội dung"])
        self.due_changes = _table(["Thời điểm", "Loại", "Hẹn cũ", "Hẹn mới", "Lý do"])
        self.notices.doubleClicked.connect(lambda _i: self.print_selected_notice())
        self.tabs = QTabWidget()
        self.tabs.addTab(self.history, "Diễn biến")
        self.tabs.addTab(self.handovers, "Chuyển giao (Mẫu 06)")
        self.tabs.addTab(self.notices, "Phiếu đã lập")
        self.tabs.addTab(self.due_changes, "Thay đổi hạn")

        self.action_row = QHBoxLayout()
        self.action_buttons: dict[str, QPushButton] = {}
        for key, label in ACTION_LABELS.items():
            button = QPushButton(label)
            button.clicked.connect(lambda _c=False, k=key: self.start_action(k))
            button.hide()
            self.action_row.addWidget(button)
            self.action_buttons[key] = button
        self.action_row.addStretch(1)
        # A supervisor's corrections (services/corrections.py): offered to everyone, so a
        # clerk who tries is told why not (and the attempt is audited).
        self.correction_row = QHBoxLayout()
        self.correction_row.addStretch(1)
        for key, label in CORRECTION_LABELS.items():
            button = QPushButton(label)
            button.clicked.connect(lambda _c=False, k=key: self.start_action(k))
            button.hide()
            self.correction_row.addWidget(button)
            self.action_buttons[key] = button
        self.print_slip = QPushButton("In phiếu &kiểm soát (Mẫu 06)")
        self.print_slip.clicked.connect(self.print_control_slip)
        self.print_notice = QPushButton("In &phiếu đã chọn")
        self.print_notice.clicked.connect(self.print_selected_notice)
        self.close_button = QPushButton("Đóng (Esc)")
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        self.status_line = hint_label("Đang tải hồ sơ…")
        bottom.addWidget(self.status_line, 1)
        bottom.addWidget(self.print_notice)
        bottom.addWidget(self.print_slip)
        bottom.addWidget(self.close_button)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.reload)

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(self.facts)
        layout.addWidget(self.sync_issues)
        layout.addLayout(self.action_row)
        layout.addLayout(self.correction_row)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.session.changed.connect(self.reload)
        self.reload()

    # --- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        ctx, code = self.session.ctx, self.code
        self.session.op(self, lambda: _load(ctx, code), self._loaded, writes=False)

    def _loaded(self, loaded: tuple[DossierDetail, list[dict[str, Any]]]) -> None:
        detail, issues = loaded
        self.show_detail(detail)
        self.show_sync_issues(issues)

    def show_sync_issues(self, issues: list[dict[str, Any]]) -> None:
        """``issues_for`` rows (oldest first): the latest few, newest first, in red."""
        latest = issues[::-1][:SYNC_ISSUES_SHOWN]
        lines = [f"Đồng bộ: {i['message']} ({_when(parse_iso(i['at']))})" for i in latest]
        if len(issues) > len(latest):
            lines.append(
                f"… và {len(issues) - len(latest)} vấn đề đồng bộ khác (xem cửa sổ Đồng bộ, F9)."
            )
        self.sync_issues.set_error("\n".join(lines))

    def show_detail(self, detail: DossierDetail) -> None:
        self.detail = detail
        s = detail.summary
        self.code = s.code
        self.setWindowTitle(f"Hồ sơ {s.code} — {s.applicant_name}")
        self.headline.setText(f"{s.code}")
        f = self.fact_labels
        paused = f" · tạm dừng tính hạn từ {_when(detail.paused_at)}" if detail.paused_at else ""
        f["status"].setText(f"<b>{s.status} — {s.status_name}</b>{paused}")
        f["holder"].setText(detail.holder or COUNTER_PARTY)
        f["applicant"].setText(
            ", ".join(x for x in (s.applicant_name, detail.address, detail.phone) if x)
        )
        f["procedure"].setText(f"{s.procedure_code} — {s.procedure_name}")
        f["received"].setText(_when(s.received_at))
        due = f"<b>{_when(s.due_at)}</b>"
        if detail.first_due_at is not None and detail.first_due_at != s.due_at:
            due += f" (hẹn ban đầu {_when(detail.first_due_at)})"
        f["due"].setText(due)
        r = detail.returned
        f["returned"].setText(
            f"{_when(r.at)} · {RECEIVER_KINDS[r.receiver_kind]} {r.receiver_name} · "
            f"{CHANNELS[r.channel]} · {TIMELINESS_NAMES[r.timeliness]} · "
            f"{RATINGS.get(r.rating or 0, 'Không đánh giá')}"
            if r is not None
            else "Chưa trả"
        )
        _fill(
            self.history,
            [
                [
                    _when(h.at),
                    status_name(h.from_status) if h.from_status else "",
                    status_name(h.to_status),
                    h.actor,
                    h.note,
                ]
                for h in detail.history
            ],
        )
        _fill(
            self.handovers,
            [
                [
                    str(h.position),
                    h.from_party,
                    h.to_party,
                    _when(h.at),
                    TIMELINESS_NAMES[h.result],
                    h.giver,
                    h.taker,
                ]
                for h in detail.handovers
            ],
        )
        _fill(
            self.notices,
            [[n.form, n.number, _when(n.at), n.reason] for n in detail.notices],
        )
        _fill(
            self.due_changes,
            [
                [
                    _when(c.at),
                    "Sau tạm dừng" if c.kind == "resume" else "Hẹn lại (Mẫu 04)",
                    _when(c.old_due_at),
                    _when(c.new_due_at),
                    c.reason,
                ]
                for c in detail.due_changes
            ],
        )
        allowed = ACTIONS_BY_STATUS.get(s.status, ())
        apology_used = any(c.kind == "apology" for c in detail.due_changes)
        corrections = {"amend", "cancel"} if s.status not in FINAL else set()
        if s.status == 9:
            corrections.discard("cancel")  # it has a result: returned, not cancelled
        for key, button in self.action_buttons.items():
            shown = key in allowed and not (key == "apology" and apology_used)
            button.setVisible(shown or key in corrections)
        self.print_notice.setEnabled(bool(detail.notices))
        self.status_line.setText(
            "Hồ sơ đã kết thúc." if not allowed else "Chọn việc cần làm (Alt + chữ gạch chân)."
        )
        first = next((self.action_buttons[k] for k in allowed if k in self.action_buttons), None)
        if first is not None and first.isVisible():
            first.setDefault(True)
            first.setFocus()

    # --- actions ------------------------------------------------------------------------

    def make_dialog(self, key: str) -> ActionDialog:
        assert self.detail is not None
        d, code = self.detail, self.code
        if key == "return":
            return ReturnDialog(self.session, code, d.summary.applicant_name, self)
        if key in ("send", "result"):
            return HandoverDialog(
                self.session,
                code,
                holder=d.holder or COUNTER_PARTY,
                result_ready=key == "result",
                parent=self,
            )
        form = {
            "supplement": "02",
            "refuse": "03",
            "apology": "04",
            "stop": "05",
            "withdraw": "07",
            "resume": "resume",
        }[key]
        return ReasonDialog(
            self.session,
            code,
            form,
            documents=d.documents,
            due_at=d.summary.due_at,
            parent=self,
        )

    def start_action(self, key: str) -> None:
        if self.detail is None:
            return
        if key == "resolved":
            self._resolve_here()
            return
        if key in CORRECTION_LABELS:
            start_correction(self.session, self.code, key, self, self._open_dialog)
            return
        self._open_dialog(self.make_dialog(key))

    def _open_dialog(self, dialog: ActionDialog) -> None:
        dialog.done_with.connect(self._after_action)
        self.dialog = dialog
        dialog.open()

    def _resolve_here(self) -> None:
        from counter_app.services.tracking import change_status

        ctx, code = self.session.ctx, self.code
        self.session.op(
            self,
            lambda: change_status(ctx, code, 9, note="Giải quyết xong tại quầy"),
            lambda _d: self.status_line.setText("Hồ sơ đã xử lý xong, chờ trả kết quả."),
        )

    def _after_action(self, result: Any) -> None:
        from counter_app.services.tracking import NoticeResult

        self.dialog = None
        self.activateWindow()  # back to the dossier: some window managers activate nothing
        if isinstance(result, NoticeResult):
            notice = next(n for n in result.dossier.notices if n.id == result.notice_id)
            self._render(lambda ctx: _notice_pdf(ctx, notice.id), FORM_TITLES[notice.form])
        elif isinstance(result, DossierDetail) and result.summary.status == 10:
            self.status_line.setText("Đã trả kết quả và ghi mức hài lòng.")

    def _render(self, make: Callable[[Any], Path], title: str) -> None:
        ctx, code = self.session.ctx, self.code
        self.status_line.setText(f"Đang tạo {title}…")
        self.session.op(
            self,
            lambda: make(ctx),
            lambda path: self.form_ready.emit(code, path, title),
        )

    def print_control_slip(self) -> None:
        from counter_app.services.forms import control_slip_pdf

        code = self.code
        self._render(lambda ctx: control_slip_pdf(ctx, code), FORM_TITLES["06"])

    def print_selected_notice(self) -> None:
        if self.detail is None or not self.detail.notices:
            return
        row = max(self.notices.currentRow(), 0)
        notice = self.detail.notices[min(row, len(self.detail.notices) - 1)]
        self._render(lambda ctx: _notice_pdf(ctx, notice.id), FORM_TITLES[notice.form])


def _load(ctx: Any, code: str) -> tuple[DossierDetail, list[dict[str, Any]]]:
    from counter_app.services.dossiers import get_dossier
    from counter_app.sync.state import issues_for

    detail = get_dossier(ctx, code)
    return detail, issues_for(detail.code)


def _notice_pdf(ctx: Any, notice_id: int) -> Path:
    from counter_app.services.forms import notice_pdf

    return notice_pdf(ctx, notice_id)
