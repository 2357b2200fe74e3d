"""A USB barcode scanner is a keyboard that types a dossier code and Enter very fast.

``ScanDetector`` watches the key presses of the windows it is given (at the window, before
Qt hands them to the focused widget: an application-wide filter would run Python for every
paint and mouse event of every widget, ~30 ms at start-up alone). Characters that arrive
faster than a person types are collected; an Enter that ends such a burst, when the burst
is a dossier code, is taken away from the focused widget and reported as a scan, and the
code the scanner typed into a text field is removed again. A clerk typing the same code by
hand (slowly) types into the field as usual; the search box opens codes typed there.
"""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

# <agency code>-<YYMMDD>-<NNNN> (DOMAIN.md §3); the agency part is dotted groups.
CODE_PATTERN = re.compile(r"[0-9A-Z]+(\.[0-9A-Z]+)*-\d{6}-\d{4}")
# Scanners send a character every 1–20 ms; people rarely type two within 35 ms, and never
# a whole code that way.
MAX_GAP_S = 0.035
MIN_LENGTH = 12


def looks_like_code(text: str) -> bool:
    return CODE_PATTERN.fullmatch(text.strip().upper()) is not None


class ScanDetector(QObject):
    scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, *, max_gap_s: float = MAX_GAP_S) -> None:
        super().__init__(parent)
        self.max_gap_s = max_gap_s
        self._buffer: list[str] = []
        self._last = 0.0

    def watch(self, window: QWidget) -> None:
        """Listen to the key presses of ``window`` (a top-level widget)."""
        window.winId()  # makes sure the native window (and its QWindow) exists
        handle = window.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        focus = QApplication.focusWidget()
        now = time.monotonic()
        gap = now - self._last
        self._last = now
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            burst = "".join(self._buffer)
            self._buffer.clear()
            if gap <= self.max_gap_s and len(burst) >= MIN_LENGTH and looks_like_code(burst):
                _take_back(focus, burst)
                self.scanned.emit(burst.strip().upper())
                return True
            return False
        text = event.text()
        if not text or not text.isprintable():
            self._buffer.clear()
            return False
        if gap > self.max_gap_s:
            self._buffer.clear()
        self._buffer.append(text)
        return False


def _take_back(widget: QWidget | None, typed: str) -> None:
    """Remove what the scanner typed into a text field (it is not the clerk's input)."""
    if isinstance(widget, QLineEdit):
        current = widget.text()
        if current.endswith(typed):
            widget.setText(current[: -len(typed)])
    elif isinstance(widget, QPlainTextEdit | QTextEdit):
        current = widget.toPlainText()
        if current.endswith(typed):
            widget.setPlainText(current[: -len(typed)])
