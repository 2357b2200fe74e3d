"""The intake screen: pick the procedure, type the applicant, tick the documents, save.

Keyboard: the search box has focus on open; Enter there picks a procedure and moves to the
applicant's name; Tab walks the form top to bottom, left column then right; Enter anywhere
else saves ("Lưu và in giấy hẹn"); Esc clears the form (asking first if it has data).
After a successful save the form is cleared *including the procedure*, so the next
applicant's procedure is always chosen on purpose, never inherited by mistake.
"""

from __future__ import annotations

import itertools
import logging
import uuid
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import to_vn
from counter_app.domain.deadlines import describe_due
from counter_app.errors import KnownError, ValidationError
from counter_app.services.catalogue import search_procedures
from counter_app.services.dto import ProcedureInfo
from counter_app.services.intake import (
    MAX_SETS,
    DuplicateDossierError,
    IntakeRequest,
    preview_due,
)
from ui import ops
from ui.applicant_form import FIELD_ORDER, ApplicantForm
from ui.documents_table import DocumentsTable
from ui.errors import show_error
from ui.procedure_picker import ProcedurePicker
from ui.session import Session
from ui.widgets import ErrorLabel, single_tab_stop

log = logging.getLogger(__name__)

DUE_REFRESH_MS = 30_000
SAVE_TEXT = "Lưu và in giấy hẹn (Enter)"
SAVING_TEXT = "Đang lưu…"
NO_PROCEDURE = "Chưa chọn thủ tục: gõ tên thủ tục vào ô này rồi nhấn Enter."
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _short(moment: datetime) -> str:
    m = to_vn(moment)
    return f"{m.hour:02d}:{m.minute:02d} ngày {m.day:02d}/{m.month:02d}/{m.year}"


class DueBox(QFrame):
    """The appointment, live and large: what the clerk reads out to the applicant."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dueBox")
        self.setStyleSheet(
            "#dueBox { background: #e8f0fe; border: 1px solid #1a73e8; border-radius: 6px; }"
        )
        self.title = QLabel("Hẹn trả kết quả")
        self.value = QLabel()
        self.value.setWordWrap(True)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setStyleSheet("color: #0b3d91;")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        self.show_nothing()

    def show_nothing(self) -> None:
        self.value.setText("—")
        self.detail.setText("Chọn thủ tục để tính ngày hẹn trả.")

    def show_due(self, due: str, detail: str) -> None:
        self.value.setText(due)
        self.detail.setText(detail)


class IntakeScreen(QWidget):
    saved = Signal(object)  # ops.SaveOutcome, after the dossier committed

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._saving = False
        # Drawn per form: a save sent twice (a retry after an error) is one dossier.
        self.submission_id = uuid.uuid4().hex
        self._pending: IntakeRequest | None = None
        self._duplicate_box: QMessageBox | None = None
        self._confirm: QMessageBox | None = None

        self.picker = ProcedurePicker(lambda text: search_procedures(session.ctx, text))
        self.applicant = ApplicantForm()
        self.documents = DocumentsTable()
        self.sets = QSpinBox()
        self.sets.setRange(1, MAX_SETS)
        self.sets.setSuffix(" bộ")
        self.sets.setAccessibleName("Số bộ hồ sơ")
        self.at_counter = QRadioButton("Tại quầy")
        self.by_post = QRadioButton("Qua bưu chính")
        self._delivery = QButtonGroup(self)
        self._delivery.addButton(self.at_counter)
        self._delivery.addButton(self.by_post)
        self.at_counter.setChecked(True)
        single_tab_stop(self._delivery)
        self.sets_error = ErrorLabel()
        self.due = DueBox()
        self.general_error = ErrorLabel()
        self.save_button = QPushButton(SAVE_TEXT)
        self.save_button.setObjectName("saveButton")
        self.save_button.setMinimumHeight(44)
        self.save_button.setStyleSheet(
            "#saveButton { font-weight: bold; background: #1a73e8; color: white;"
            " border-radius: 6px; padding: 6px 18px; }"
            "#saveButton:disabled { background: #9db8e8; }"
            "#saveButton:focus { border: 2px solid #0b3d91; }"
        )
        self.clear_button = QPushButton("Làm lại (Esc)")
        self.clear_button.setMinimumHeight(44)

        self._build_layout()
        self._set_tab_order()

        self.picker.picked.connect(self._on_picked)
        self.save_button.clicked.connect(self.save)
        self.clear_button.clicked.connect(self.request_clear)
        find = QShortcut(QKeySequence("Ctrl+F"), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_start)
        self._due_timer = QTimer(self)
        self._due_timer.setInterval(DUE_REFRESH_MS)
        self._due_timer.timeout.connect(self.refresh_due)
        self._due_timer.start()
        self.setFocusProxy(self.picker.search_box)

    # --- layout -----------------------------------------------------------------------------

    def _build_layout(self) -> None:
        procedure_box = QGroupBox("1. Thủ tục hành chính  (Ctrl+F: tìm)")
        QVBoxLayout(procedure_box).addWidget(self.picker)
        applicant_box = QGroupBox("2. Người nộp hồ sơ")
        QVBoxLayout(applicant_box).addWidget(self.applicant)
        left = QVBoxLayout()
        left.addWidget(procedure_box)
        left.addWidget(applicant_box)
        left.addStretch(1)

        documents_box = QGroupBox("3. Thành phần hồ sơ đã nhận")
        docs_layout = QVBoxLayout(documents_box)
        docs_layout.addWidget(self.documents, 1)
        options = QHBoxLayout()
        options.addWidget(QLabel("Số bộ hồ sơ"))
        options.addWidget(self.sets)
        options.addSpacing(24)
        options.addWidget(QLabel("Nhận kết quả"))
        options.addWidget(self.at_counter)
        options.addWidget(self.by_post)
        options.addStretch(1)
        docs_layout.addLayout(options)
        docs_layout.addWidget(self.sets_error)

        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button, 1)
        right = QVBoxLayout()
        right.addWidget(documents_box, 1)
        right.addWidget(self.due)
        right.addWidget(self.general_error)
        right.addLayout(buttons)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(12)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

    def _set_tab_order(self) -> None:
        a = self.applicant
        chain: list[QWidget] = [
            self.picker.search_box,
            a.citizen,
            a.organisation,
            a.name,
            a.id_number,
            a.dob,
            a.sex,
            a.address,
            a.phone,
            a.email,
            self.documents.table,
            self.sets,
            self.at_counter,
            self.by_post,
            self.save_button,
            self.clear_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- procedure and due date --------------------------------------------------------------

    def focus_start(self) -> None:
        self.picker.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.picker.search_box.selectAll()

    def _on_picked(self, info: ProcedureInfo | None) -> None:
        if info is None:
            self.documents.clear()
        else:
            self.documents.set_documents(info.documents)
            self.applicant.name.setFocus(Qt.FocusReason.OtherFocusReason)
        self.refresh_due()

    def refresh_due(self) -> None:
        """Recomputed on every pick and every 30 s: the clock moves past cut-offs."""
        info = self.picker.chosen
        if info is None:
            self.due.show_nothing()
            return
        try:
            preview = preview_due(self.session.ctx, info.code)
        except KnownError as err:
            self.due.show_due("—", err.message)
            return
        detail = f"Thời hạn giải quyết: {info.time_text}"
        if preview.counted_from > preview.received_at:
            detail += f" · nhận ngoài giờ làm việc, tính từ {_short(preview.counted_from)}"
        self.due.show_due(describe_due(preview.due_at), detail)

    # --- saving -----------------------------------------------------------------------------

    @property
    def saving(self) -> bool:
        return self._saving

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.save_button.setEnabled(not saving)
        self.save_button.setText(SAVING_TEXT if saving else SAVE_TEXT)

    def save(self) -> None:
        if self._saving:  # a second Enter while the first save runs must not save twice
            return
        self.clear_errors()
        info = self.picker.chosen
        if info is None:
            self.picker.set_error(NO_PROCEDURE)
            self.picker.search_box.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        try:
            applicant = self.applicant.to_input()
        except ValidationError as err:
            self.show_errors(err.fields)
            return
        request = IntakeRequest(
            procedure_code=info.code,
            applicant=applicant,
            documents=self.documents.checked_lines(),
            dossier_sets=self.sets.value(),
            result_delivery="post" if self.by_post.isChecked() else "counter",
            submission_id=self.submission_id,
        )
        self._submit(request)

    def _submit(self, request: IntakeRequest) -> None:
        self._set_saving(True)
        self._pending = request
        ctx = self.session.ctx
        self.session.op(
            self,
            lambda: ops.receive_and_issue(ctx, request),
            self._on_saved,
            on_error=self._on_save_failed,
        )

    def _on_saved(self, outcome: ops.SaveOutcome) -> None:
        self._set_saving(False)
        log.info("dossier %s received", outcome.detail.code)
        self.clear_form()
        self.saved.emit(outcome)

    def _on_save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, DuplicateDossierError):
            self._ask_duplicate(exc)
        elif isinstance(exc, ValidationError):
            self.show_errors(exc.fields)
        else:
            show_error(self, exc)

    def _ask_duplicate(self, exc: DuplicateDossierError) -> None:
        """The same person has an open dossier of this procedure: say which, and save only
        if the clerk says so (a second set of papers, a different matter)."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Có thể trùng hồ sơ",
            exc.message + "\n\nVẫn tiếp nhận thêm hồ sơ mới?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        go_on = box.addButton("&Vẫn tiếp nhận", QMessageBox.ButtonRole.YesRole)
        stop = box.addButton("&Không, kiểm tra lại", QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(stop)  # Enter must not create the duplicate
        box.setEscapeButton(stop)
        self._duplicate_box = box

        def answered(button: object) -> None:
            if button is go_on and self._pending is not None:
                self._submit(replace(self._pending, allow_duplicate=True))

        box.buttonClicked.connect(answered)
        box.open()

    # --- errors -----------------------------------------------------------------------------

    def clear_errors(self) -> None:
        self.picker.set_error(None)
        self.applicant.clear_errors()
        self.documents.set_error(None)
        self.sets_error.set_error(None)
        self.general_error.set_error(None)

    def show_errors(self, fields: dict[str, str]) -> None:
        """Each refusal under its own field; focus to the first refused one from the top."""
        others: list[str] = []
        for field, message in fields.items():
            if self.applicant.widget_for(field) is not None:
                self.applicant.set_error(field, message)
            elif field == "documents":
                self.documents.set_error(message)
            elif field in ("dossier_sets", "result_delivery"):
                self.sets_error.set_error(message)
            else:
                others.append(message)
        self.general_error.set_error("\n".join(others) or None)
        order = [*FIELD_ORDER, "documents", "dossier_sets", "result_delivery"]
        first = next((name for name in order if name in fields), None)
        target: QWidget | None = None
        if first is not None:
            target = self.applicant.widget_for(first) or {
                "documents": self.documents.table,
                "dossier_sets": self.sets,
                "result_delivery": self.at_counter,
            }.get(first)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- clearing ---------------------------------------------------------------------------

    def has_data(self) -> bool:
        return (
            self.picker.chosen is not None
            or bool(self.picker.search_box.text().strip())
            or self.applicant.has_data()
        )

    def clear_form(self) -> None:
        # A new form is a new submission; the old id stays with the dossier it saved.
        self.submission_id = uuid.uuid4().hex
        self._pending = None
        self.picker.reset()
        self.applicant.clear()
        self.sets.setValue(1)
        self.at_counter.setChecked(True)
        self.clear_errors()
        self.focus_start()

    def request_clear(self) -> None:
        if self._saving:
            return
        if not self.has_data():
            self.clear_form()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Làm lại",
            "Xóa toàn bộ thông tin đang nhập cho hồ sơ này?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        yes = box.addButton("Xóa", QMessageBox.ButtonRole.YesRole)
        no = box.addButton("Không", QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.buttonClicked.connect(lambda button: self.clear_form() if button is yes else None)
        self._confirm = box
        box.open()

    # --- keys -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Children ignore Enter and Esc (line edits, spin boxes, the documents table), so
        # they bubble up here: Enter anywhere in the form saves, Esc clears.
        if event.key() in _ENTER and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.save()
            event.accept()
        elif event.key() == Qt.Key.Key_Escape:
            self.request_clear()
            event.accept()
        else:
            super().keyPressEvent(event)
