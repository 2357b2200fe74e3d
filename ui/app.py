"""Starting the GUI: ``run_gui(home)`` is what ``counter-app`` (no arguments) calls."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from counter_app.errors import KnownError
from counter_app.services.accounts import has_operators, sign_out
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.settings import load_settings
from counter_app.services.vault import is_encrypted
from counter_app.store.backup import CorruptDatabaseError
from counter_app.store.db import close_database
from ui.background import BackgroundRunner
from ui.errors import install_excepthook
from ui.fonts import apply_app_font
from ui.heap import settle_after_startup
from ui.login_dialog import LoginDialog
from ui.main_window import MainWindow
from ui.session import Session, make_runner
from ui.state import APPLICATION, ORGANISATION

log = logging.getLogger("ui")

LOG_FILE = "counter-ui.log"
# bench/bench_startup.py: quit as soon as the intake screen is on screen.
EXIT_WHEN_SHOWN_ENV = "COUNTER_APP_EXIT_WHEN_SHOWN"


def _application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    apply_app_font(app)
    return app


def _log_to(folder: Path) -> None:
    """Log to the counter's logs folder: a bug report needs a file the clerk can send."""
    from logging.handlers import RotatingFileHandler  # socket, pickle…: ~5 ms at start-up

    handler = RotatingFileHandler(
        folder / LOG_FILE, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def run_gui(home: str | None = None) -> int:
    app = _application()
    install_excepthook()
    signed_in = False
    try:
        if is_encrypted(home):
            # The password opens the key: signing in comes before anything can be read.
            login = LoginDialog(
                None, BackgroundRunner(None, thread_cleanup=close_database), home=home
            )
            if login.exec() != QDialog.DialogCode.Accepted or login.ctx is None:
                return 0
            ctx: CounterContext = login.ctx
            signed_in = True
        else:
            ctx = open_counter(home)
    except CorruptDatabaseError as err:
        from ui.backup_ui import recover_at_startup

        recovered = recover_at_startup(err, home)
        if recovered is None:
            return 1
        ctx = recovered  # reopened from the backup; nobody signed in yet
    except KnownError as err:
        QMessageBox.critical(None, "Không mở được dữ liệu của quầy", err.message)
        return 1
    _log_to(ctx.paths.logs)
    log.info("GUI started, data in %s", ctx.paths.home)
    runner = make_runner(ctx)
    try:
        settings = load_settings(ctx)
        if settings is None or not has_operators(ctx):
            from ui.setup_dialog import SetupDialog  # first run only

            dialog = SetupDialog(ctx, runner)
            if dialog.exec() != QDialog.DialogCode.Accepted or dialog.settings is None:
                return 0
            settings = dialog.settings  # the admin it created is signed in
        elif not signed_in:
            login = LoginDialog(ctx, runner, place=settings.agency_name)
            if login.exec() != QDialog.DialogCode.Accepted:
                return 0
        window = MainWindow(Session(ctx, settings, runner), backups=True)
        window.show()
        settle_after_startup()
        if os.environ.get(EXIT_WHEN_SHOWN_ENV):
            QTimer.singleShot(0, app.quit)
        return app.exec()
    finally:
        QThreadPool.globalInstance().waitForDone()
        try:
            sign_out(ctx)
        except KnownError as err:  # a full disk must not stop the app from closing
            log.warning("sign-out not recorded: %s", err.message)
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    gc.disable()  # as counter-app does (see ui/heap.py); Qt is imported already here
    parser = argparse.ArgumentParser(prog="python -m ui.app", description="Một Cửa: quầy")
    parser.add_argument("--home", help="thư mục dữ liệu của quầy (mặc định: theo máy)")
    args = parser.parse_args(argv)
    return run_gui(home=args.home)


if __name__ == "__main__":
    sys.exit(main())
