"""A tab whose screen is built the first time it is shown.

The figures screen pulls in QtCharts (tens of milliseconds): the counter must open as fast
without it, so its tab starts as an empty frame and builds the screen on first visit.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QVBoxLayout, QWidget


class LazyTab(QWidget):
    def __init__(self, build: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._build = build
        self.content: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def ensure_built(self) -> QWidget:
        if self.content is None:
            self.content = self._build()
            layout = self.layout()
            assert layout is not None
            layout.addWidget(self.content)
        return self.content
