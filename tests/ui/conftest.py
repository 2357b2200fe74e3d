"""Qt fixtures: the app font, private QSettings, a session on a real counter, the window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from counter_app.services.context import CounterContext
from counter_app.services.settings import load_settings
from ui.fonts import apply_app_font
from ui.main_window import MainWindow
from ui.session import Session

WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def _private_qsettings(tmp_path: Path, qapp: QApplication) -> None:
    """Window state goes to a temporary folder, never the tester's own settings."""
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings")
    )
    apply_app_font(qapp)


@pytest.fixture
def session(counter: CounterContext, qtbot: QtBot) -> Iterator[Session]:
    settings = load_settings(counter)
    assert settings is not None
    session = Session(counter, settings)
    yield session
    # Let every background op land before the database closes under it.
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)
    QThreadPool.globalInstance().waitForDone()


@pytest.fixture
def window(session: Session, qtbot: QtBot) -> MainWindow:
    window = MainWindow(session)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.waitUntil(lambda: not session.runner.busy, timeout=WAIT_MS)
    window.intake.focus_start()
    return window


def type_text(widget: QWidget, text: str) -> None:
    """Type like a Vietnamese input method does: one committed string (any letters)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has keyboard focus"
    return widget
