"""The Qt binding must not leak references to None/True (PySide6 6.12.0 on Python 3.11 did:
the app aborted with "none_dealloc" after a few thousand calls). pyproject pins it out."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    flag = Signal(bool)


def test_void_calls_and_emits_keep_singleton_refcounts(qtbot: QtBot) -> None:
    button = QPushButton()
    qtbot.addWidget(button)
    emitter = _Emitter()
    received: list[bool] = []
    emitter.flag.connect(received.append)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        button.setEnabled(True)
        emitter.flag.emit(True)
    assert len(received) == 500
    # Other threads may hold a few transient references; a leak would be -500.
    assert sys.getrefcount(None) - none_before > -50
    assert sys.getrefcount(True) - true_before > -50
