"""The receipt (Mẫu 01) shown in the app: read it, print it, or save a copy.

The PDF's bytes are read on a worker and handed to ``QPdfDocument`` from memory, and a
copy is written on a worker too, so a slow or failing disk never freezes the counter.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QStandardPaths, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import ops
from ui.errors import show_error
from ui.printing import print_document, printer_for
from ui.session import Session
from ui.widgets import hint_label

log = logging.getLogger(__name__)


class ReceiptPreview(QDialog):
    def __init__(
        self,
        session: Session,
        code: str,
        path: Path,
        *,
        headline: str = "",
        title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.code = code
        self.path = path
        self._buffer: QBuffer | None = None
        # Also shows the other forms of a dossier (Mẫu 02–06), titled by the caller.
        self.setWindowTitle(title or f"Giấy tiếp nhận hồ sơ {code}")
        self.setModal(True)

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.headline = QLabel(headline or f"Mã hồ sơ: {code}")
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.status = hint_label("Đang mở giấy tiếp nhận…")

        self.print_button = QPushButton("In… (Ctrl+P)")
        self.save_button = QPushButton("Lưu PDF… (Ctrl+S)")
        self.close_button = QPushButton("Đóng (Esc)")
        self.print_button.setDefault(True)  # Enter prints: the usual next step after saving
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.print_button.clicked.connect(self.print_receipt)
        self.save_button.clicked.connect(self.save_copy)
        self.close_button.clicked.connect(self.reject)
        for keys, slot in (("Ctrl+P", self.print_receipt), ("Ctrl+S", self.save_copy)):
            QShortcut(QKeySequence(keys), self).activated.connect(slot)

        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._fit_to_screen()

        self.document.statusChanged.connect(self._on_status)
        session.runner.run(lambda: ops.read_bytes(path), self._on_bytes, self._on_read_failed)

    def _fit_to_screen(self) -> None:
        # An A5 page fitted to the width, tall enough to read most of it at 1366×768.
        # The room left for the window frame and title bar is the OS's, not ours.
        screen = self.screen().availableGeometry()
        self.resize(min(760, screen.width() - 40), max(480, screen.height() - 90))

    # --- loading ----------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self.document.status() == QPdfDocument.Status.Ready

    def _on_bytes(self, data: bytes) -> None:
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer  # QPdfDocument reads from it; it must outlive the load
        self.document.load(buffer)

    def _on_read_failed(self, exc: BaseException) -> None:
        self.status.setText("Không mở được giấy tiếp nhận.")
        show_error(self, exc)

    def _on_status(self, status: QPdfDocument.Status) -> None:
        if status == QPdfDocument.Status.Ready:
            pages = self.document.pageCount()
            self.status.setText(f"{pages} trang khổ A5 (Liên 1: Lưu, Liên 2: Giao người nộp).")
            self.print_button.setEnabled(True)
            self.save_button.setEnabled(True)
            self.print_button.setFocus()
        elif status == QPdfDocument.Status.Error:
            self.status.setText("Tệp giấy tiếp nhận bị hỏng, không hiển thị được.")
            log.error("receipt %s failed to load: %s", self.path, self.document.error())

    # --- printing and saving ----------------------------------------------------------------

    def print_receipt(self) -> None:
        if not self.ready:
            return
        printer = printer_for(self.document)
        printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(f"In: {self.windowTitle()}")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            pages = print_document(self.document, printer)
        except Exception as exc:
            show_error(self, exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.status.setText(f"Đã gửi {pages} trang tới máy in.")

    def save_copy(self) -> None:
        if not self.ready:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        target, _filter = QFileDialog.getSaveFileName(
            self,
            "Lưu giấy tiếp nhận thành tệp PDF",
            str(Path(folder) / self.path.name),
            "Tệp PDF (*.pdf)",
        )
        if target:
            self.save_copy_to(Path(target))

    def save_copy_to(self, target: Path) -> None:
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        self.status.setText("Đang lưu…")
        self.session.runner.run(
            lambda: ops.copy_file(self.path, target),
            lambda saved: self.status.setText(f"Đã lưu: {saved}"),
            self._on_save_failed,
        )

    def _on_save_failed(self, exc: BaseException) -> None:
        self.status.setText("Chưa lưu được bản sao.")
        show_error(self, exc)
