"""Drive the real GUI on a real X display and take a screenshot of every main screen.

    bash scripts/screenshots.sh [OUT_DIR]     # starts Xvfb + openbox; default docs/screenshots

Run it after a change to a screen and look at every picture.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt, QThreadPool  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from counter_app.services.context import open_counter  # noqa: E402
from ui.app import _application  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.session import Session, make_runner  # noqa: E402
from ui.setup_dialog import SetupDialog  # noqa: E402


class Shooter:
    def __init__(self, app: QApplication, out: Path) -> None:
        self.app = app
        self.out = out

    def pump(self, seconds: float = 0.4) -> None:
        end = time.time() + seconds
        while time.time() < end:
            self.app.processEvents()
            time.sleep(0.02)

    def shot(self, name: str) -> None:
        self.pump(0.5)
        subprocess.run(["import", "-window", "root", str(self.out / f"{name}.png")], check=True)
        print("shot", name)


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_text(widget: QWidget, text: str) -> None:
    """Vietnamese text arrives as an input method's commit string, as from Unikey."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def key(k: Qt.Key) -> None:
    QTest.keyClick(focus(), k)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="shots-")) / "home"
    os.environ["COUNTER_APP_HOME"] = str(home)
    s = Shooter(_application(), out)

    ctx = open_counter(home)
    runner = make_runner(ctx)
    dialog = SetupDialog(ctx, runner)
    dialog.show()
    dialog.activateWindow()
    s.pump()
    s.shot("01-setup-empty")
    QTest.keyClicks(focus(), "17.H26")
    key(Qt.Key.Key_Tab)
    type_text(focus(), "UBND xã An Hòa")
    key(Qt.Key.Key_Return)
    s.shot("02-setup-errors")
    dialog.agency_code.setText("000.00.17.H26")
    dialog.place_name.setText("An Hòa")
    dialog.username.setText("mai")
    dialog.full_name.setText("Trần Thị Mai")
    dialog.password.setText("mat-khau-2026")
    dialog.confirm.setText("mat-khau-2026")
    dialog.accept()
    s.pump(1.0)
    assert dialog.settings is not None
    dialog.hide()

    window = MainWindow(Session(ctx, dialog.settings, runner))
    window.show()
    window.activateWindow()
    s.pump(1.0)
    s.shot("03-intake-empty")

    window.intake.focus_start()
    QTest.keyClicks(focus(), "dang ky khai sinh")
    s.pump()
    key(Qt.Key.Key_Down)
    s.shot("04-intake-searching")
    key(Qt.Key.Key_Return)
    s.pump()
    type_text(focus(), "Nguyễn Văn Đức")
    for text in ("00109001234", "15031990", "N"):
        key(Qt.Key.Key_Tab)
        QTest.keyClicks(focus(), text)
    key(Qt.Key.Key_Tab)
    type_text(focus(), "Thôn Đông, xã An Hòa, huyện Phú Vang")
    key(Qt.Key.Key_Tab)
    QTest.keyClicks(focus(), "091234567")
    key(Qt.Key.Key_Tab)
    QTest.keyClicks(focus(), "duc@example")
    key(Qt.Key.Key_Tab)
    s.shot("05-intake-errors-inline")
    key(Qt.Key.Key_Return)
    s.pump(1.0)
    s.shot("06-intake-errors-after-save")

    applicant = window.intake.applicant
    applicant.id_number.setText("001090012345")
    applicant.phone.setText("0912345678")
    applicant.email.setText("duc@example.vn")
    applicant.id_number.setFocus()
    s.pump()
    key(Qt.Key.Key_Return)
    s.pump(2.0)
    s.shot("07-receipt-preview")
    if window.preview is not None:
        window.preview.close()
    s.pump()
    window.show_tab(1)
    s.pump(1.0)
    s.shot("08-today")
    follow_up(s, window)
    sync_shot(s, window, home.parent)
    operator_shots(s, window)
    QThreadPool.globalInstance().waitForDone()
    ctx.close()
    shutil.rmtree(home.parent, ignore_errors=True)


def _seed(window: MainWindow) -> str:
    """A few dossiers of the last weeks, at every stage, for the later screens."""
    from counter_app.domain.clock import now_vn
    from counter_app.domain.identity import ApplicantInput, Sex
    from counter_app.services.intake import IntakeRequest, receive
    from counter_app.services.returns import ReturnRequest, return_result
    from counter_app.services.tracking import hand_over

    ctx = window.session.ctx
    now = now_vn().replace(hour=8, minute=0, second=0, microsecond=0)
    people = [
        ("Trần Thị Hoà", "001190012346", Sex.FEMALE, 1990),
        ("Lê Văn Đức", "001088012347", Sex.MALE, 1988),
        ("Phạm Thị Thuý", "001195012348", Sex.FEMALE, 1995),
        ("Nguyễn Văn Đức", "001090012345", Sex.MALE, 1990),
    ]
    codes = []
    for k, (name, cccd, sex, year) in enumerate(people * 3):
        when = now - timedelta(days=3 + 2 * k)
        while when.weekday() >= 5:
            when -= timedelta(days=1)
        applicant = ApplicantInput(name=name, id_number=cccd, dob=date(year, 3, 15), sex=sex)
        codes.append(
            receive(
                ctx, IntakeRequest("1.004873", applicant, received_at=when, allow_duplicate=True)
            ).code
        )
    body = "Công chức Tư pháp - Hộ tịch"
    for n, code in enumerate(codes):
        if n % 3 == 0:
            continue
        hand_over(ctx, code, body)
        if n % 3 == 2:
            hand_over(ctx, code, "quầy", result_ready=True)
            if n % 2 == 0:
                return_result(ctx, code, ReturnRequest(people[n % 4][0], rating=1 + n % 3))
    return codes[1]


def follow_up(s: Shooter, window: MainWindow) -> None:
    code = _seed(window)
    window.session.changed.emit()
    s.pump(1.0)
    dossier = window.open_dossier(code)
    s.pump(1.5)
    s.shot("09-dossier")
    dossier.start_action("result")
    s.pump(1.0)
    if dossier.dialog is not None:
        dossier.dialog.submit()
    s.pump(1.5)
    dossier.start_action("return")
    s.pump(1.0)
    s.shot("10-return-dialog")
    if dossier.dialog is not None:
        dossier.dialog.reject()
    dossier.close()
    s.pump()
    window.activateWindow()
    window.find_box.setFocus()
    type_text(window.find_box, "hoa")
    key(Qt.Key.Key_Return)
    s.pump(1.5)
    s.shot("11-search")
    for index, name in ((3, "12-board"), (4, "13-complaints"), (5, "14-figures")):
        window.show_tab(index)
        s.pump(1.5)
        if name == "14-figures":
            key(Qt.Key.Key_Return)
            s.pump(2.0)
        s.shot(name)


def operator_shots(s: Shooter, window: MainWindow) -> None:
    """The sign-in a returning clerk meets, the locked screen, and the accounts list."""
    from ui.accounts_dialog import AccountsDialog
    from ui.login_dialog import LoginDialog

    ctx = window.session.ctx
    from counter_app.services.accounts import create_operator

    create_operator(ctx, "lan", "Nguyễn Thị Lan", "clerk", "mat-khau-lan-1")
    create_operator(ctx, "binh.tv", "Trần Văn Bình", "supervisor", "mat-khau-binh-1")
    accounts = AccountsDialog(window.session, window)
    accounts.show()
    s.pump(1.0)
    s.shot("16-accounts")
    accounts.close()
    window.operators.lock()
    s.pump(1.0)
    s.shot("17-screen-locked")
    if window.operators.dialog is not None:
        window.operators.dialog.password.setText("mat-khau-2026")
        window.operators.dialog.accept()
    s.pump(1.0)
    login = LoginDialog(ctx, window.session.runner, place="UBND xã An Hòa")
    window.hide()
    login.show()
    login.activateWindow()
    s.pump(0.6)
    s.shot("00-sign-in")
    login.close()
    window.show()


def sync_shot(s: Shooter, window: MainWindow, tmp: Path) -> None:
    """The sync window against a real hub (in this process): one dossier the district
    refuses, a few waiting, and a hub clock 7 minutes ahead for the status bar's warning."""
    from counter_app.domain.clock import now_vn
    from counter_app.domain.identity import ApplicantInput, Sex
    from counter_app.hub.db import close_hub_db, hub_db, open_hub_db
    from counter_app.hub.server import HubThread
    from counter_app.hub.stations import add_station
    from counter_app.services.intake import IntakeRequest, receive
    from counter_app.store.models import Procedure
    from counter_app.sync.state import save_config

    ctx = window.session.ctx
    settings = window.session.settings
    open_hub_db(str(tmp / "hub.sqlite3"))
    hub = HubThread(clock=lambda: now_vn() + timedelta(minutes=7)).start()
    try:
        with hub_db.connection_context():
            token = add_station(settings.agency_code, settings.station)[1]
        save_config(hub.url, token, None, actor="mai")
        # A procedure this counter has and the district's catalogue does not: refused.
        Procedure.update(code="1.999999").where(Procedure.code == "2.000635").execute()
        people = [
            ("Đỗ Thị Lan", "001191012349", Sex.FEMALE, 1991),
            ("Hoàng Văn Nam", "001087012350", Sex.MALE, 1987),
            ("Vũ Thị Hằng", "001193012351", Sex.FEMALE, 1993),
        ]

        def person(k: int) -> ApplicantInput:
            name, cccd, sex, year = people[k]
            return ApplicantInput(name=name, id_number=cccd, dob=date(year, 6, 1), sex=sex)

        receive(ctx, IntakeRequest("1.999999", person(0)))
        dialog = window.open_sync()
        s.pump(1.0)
        key(Qt.Key.Key_Return)
        end = time.time() + 30
        while window.sync_panel.controller.running and time.time() < end:
            s.pump(0.2)
        for k in (1, 2):
            receive(ctx, IntakeRequest("1.004873", person(k), allow_duplicate=True))
        window.session.changed.emit()
        s.pump(1.5)
        dialog.issues.setFocus()
        s.shot("15-sync")
        dialog.reject()
        s.pump()
    finally:
        hub.stop()
        close_hub_db()


if __name__ == "__main__":
    main()
