"""Backups seen from the counter: the daily one in the background, the one at close (and
what the clerk is told when the USB stick is gone), and the offer to restore when the
database is found damaged at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from counter_app.services import backups
from counter_app.services.context import CounterContext
from counter_app.store import backup
from counter_app.store.backup import CorruptDatabaseError
from counter_app.store.db import connect_file
from counter_app.store.models import Dossier
from tests.unit.test_backup import NOW, corrupt, receive_one
from ui.backup_ui import (
    BackupScheduler,
    BackupStatusLabel,
    RestoreOffer,
    backup_on_close,
    recover_at_startup,
)
from ui.session import Session

from .conftest import WAIT_MS

ACTOR = "mai"


@pytest.fixture
def usb(tmp_path: Path) -> Path:
    path = tmp_path / "usb" / "SaoLuu"
    path.mkdir(parents=True)
    return path


def damaged(counter: CounterContext, usb: Path) -> tuple[CorruptDatabaseError, Path, str]:
    """A counter backed up yesterday and today (today's copy since damaged too), then its
    database damaged on disk: the error start-up would raise, the good backup, the code."""
    code = receive_one(counter)
    backups.set_backup_folder(counter, usb, ACTOR)
    good = backups.backup_now(counter, actor=ACTOR, reason="close", now=NOW - timedelta(days=1))
    bad = backups.backup_now(counter, actor=ACTOR, reason="daily", now=NOW)
    corrupt(bad.made.file.path)
    db_path = counter.paths.db
    counter.close()
    corrupt(db_path)
    conn = connect_file(db_path)
    try:
        problem = backup.quick_check(conn)
    finally:
        conn.close()
    assert problem is not None
    return backup.corrupt_database_error(db_path, problem), good.made.file.path, code


def test_the_offer_names_the_latest_good_backup_and_enter_takes_it(
    counter: CounterContext, usb: Path, qtbot: QtBot
) -> None:
    error, good, _code = damaged(counter, usb)
    dialog = RestoreOffer(error)
    qtbot.addWidget(dialog)
    dialog.show()
    text = dialog.offer_label.text()
    assert "09:00 ngày 24/11/2026" in text  # yesterday's, not today's damaged one
    assert str(good) in text
    assert "1 hồ sơ" in text
    assert dialog.restore_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.chosen == good


def test_escape_quits_without_choosing(counter: CounterContext, usb: Path, qtbot: QtBot) -> None:
    error, _good, _code = damaged(counter, usb)
    dialog = RestoreOffer(error)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.chosen is None


def test_with_no_good_backup_the_offer_says_where_it_looked(
    counter: CounterContext, qtbot: QtBot
) -> None:
    db_path = counter.paths.db
    counter.close()
    corrupt(db_path)
    error = backup.corrupt_database_error(db_path, "database disk image is malformed")
    assert error.backup is None
    dialog = RestoreOffer(error)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "Không tìm thấy bản sao lưu tốt" in dialog.offer_label.text()
    assert str(counter.paths.backups) in dialog.offer_label.text()
    assert not dialog.restore_button.isVisible()
    assert dialog.other_button.isDefault()


@pytest.fixture
def answer_dialogs(qtbot: QtBot) -> Iterator[list[str]]:
    """Press Enter in each modal dialog as it opens (the restore offer, the messages);
    collects what they said."""
    said: list[str] = []
    answered: set[int] = set()

    def tick() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None or id(widget) in answered or not widget.isVisible():
            return
        if isinstance(widget, RestoreOffer):
            said.append(widget.offer_label.text())
        elif isinstance(widget, QMessageBox):
            said.append(widget.text())
        else:
            return  # a "please wait": it closes by itself
        answered.add(id(widget))
        qtbot.keyClick(widget, Qt.Key.Key_Return)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(30)
    yield said
    timer.stop()


def test_start_up_restores_the_offered_backup_and_keeps_the_damaged_file(
    counter: CounterContext, usb: Path, answer_dialogs: list[str]
) -> None:
    error, good, code = damaged(counter, usb)
    ctx = recover_at_startup(error, counter.paths.home)
    assert ctx is not None
    assert [d.code for d in Dossier.select()] == [code]
    assert backup.quick_check(ctx.db) is None
    offer, done = answer_dialogs
    assert str(good) in offer
    assert "Đã khôi phục" in done and "counter.sqlite3.replaced-" in done
    kept = list(counter.paths.home.glob("counter.sqlite3.replaced-*"))
    assert kept and backup.quick_check(connect_file(kept[0])) is not None  # the damaged one


def test_the_scheduler_backs_up_in_the_background_once_a_day(
    session: Session, usb: Path, qtbot: QtBot
) -> None:
    backups.set_backup_folder(session.ctx, usb, ACTOR)
    scheduler = BackupScheduler(session, first_delay_ms=0)
    label = BackupStatusLabel(scheduler)
    qtbot.addWidget(label)
    with qtbot.waitSignal(scheduler.succeeded, timeout=WAIT_MS) as blocker:
        scheduler.start()
    made = blocker.args[0].made.file
    assert made.path.parent == usb.resolve() and made.path.is_file()
    assert label.text().startswith("Sao lưu: ")
    # Checked again within the day: nothing to do.
    with qtbot.waitSignal(scheduler.checked, timeout=WAIT_MS):
        scheduler.check()
    assert [p.name for p in usb.iterdir()] == [made.name]
    scheduler.stop()


def test_a_pulled_usb_stick_shows_in_the_status_and_does_not_interrupt(
    session: Session, usb: Path, qtbot: QtBot
) -> None:
    backups.set_backup_folder(session.ctx, usb, ACTOR)
    usb.rmdir()  # the stick is pulled out
    scheduler = BackupScheduler(session)
    label = BackupStatusLabel(scheduler)
    qtbot.addWidget(label)
    with qtbot.waitSignal(scheduler.failed, timeout=WAIT_MS) as blocker:
        scheduler.check()
    assert str(usb) in blocker.args[0]
    assert label.text() == "Chưa sao lưu được" and str(usb) in label.toolTip()
    assert QApplication.activeModalWidget() is None
    assert not usb.exists()


def test_backup_at_close(session: Session, usb: Path) -> None:
    backups.set_backup_folder(session.ctx, usb, ACTOR)
    backup_on_close(session, None)
    [made] = backup.list_backups(usb)
    assert backup.verify_backup(made.path).ok


def test_a_failed_backup_at_close_is_said_and_the_app_still_closes(
    session: Session, usb: Path, answer_dialogs: list[str]
) -> None:
    backups.set_backup_folder(session.ctx, usb, ACTOR)
    usb.rmdir()
    backup_on_close(session, None)  # returns: the window goes on closing
    [message] = answer_dialogs
    assert "Chưa sao lưu được khi thoát" in message
    assert str(usb) in message
    assert "vẫn thoát" in message
