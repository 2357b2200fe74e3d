"""``run_gui``: the entry point the CLI calls opens the window and returns its exit code."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from counter_app.services.context import CounterContext
from tests.support.counters import PASSWORD, SUPERVISOR
from ui.app import run_gui
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow


def test_run_gui_opens_the_main_window_and_returns_on_quit(
    counter: CounterContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    handlers = list(logging.getLogger().handlers)
    seen: list[str] = []

    def close_main_window() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        visible = [w for w in windows if w.isVisible()]
        seen.extend(w.windowTitle() for w in visible)
        for window in visible:
            window.close()

    def sign_in() -> None:
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog)]
        login = next(w for w in dialogs if w.isVisible())
        seen.append(login.windowTitle())
        login.username.setText(SUPERVISOR)
        login.password.setText(PASSWORD)
        login.accept()
        QTimer.singleShot(500, close_main_window)

    counter.close()  # run_gui opens it itself
    QTimer.singleShot(300, sign_in)
    try:
        code = run_gui(home=str(Path(counter.paths.home)))
    finally:
        for handler in logging.getLogger().handlers:
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert code == 0
    # A returning user meets the sign-in first, then the counter.
    assert seen == ["Đăng nhập — Một Cửa", "Một Cửa — UBND xã An Hòa — Máy số 1"]
