"""Sync from the GUI against a real hub over HTTP (hubkit): the status bar, the sync window
driven by the keyboard, cancel, a hub that is down, a skewed hub clock, and sync issues on
the dossier window. The counter is the suite's real station database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from counter_app.domain.clock import iso, now_vn
from counter_app.hub.db import hub_db
from counter_app.hub.feed import set_status
from counter_app.hub.models import HubDossier
from counter_app.hub.server import free_port
from counter_app.hub.stations import add_station
from counter_app.services.tracking import hand_over
from counter_app.store.db import write_transaction
from counter_app.store.models import Procedure
from counter_app.sync import state
from tests.conftest import AGENCY_CODE
from tests.support.hubkit import fresh_hub_db, intake, running_hub
from ui.main_window import MainWindow
from ui.sync_dialog import SyncDialog

from .conftest import WAIT_MS, focused

BODY = "Công chức Tư pháp - Hộ tịch"


@dataclass(frozen=True)
class Hub:
    url: str
    token: str


@contextmanager
def hub_for_station_1(
    tmp_path: Path, *, delay_s: float = 0.0, skew: timedelta | None = None
) -> Iterator[Hub]:
    """A real hub on a free port, with this counter (station 1) registered on it and set
    up to sync with it. ``delay_s`` slows every answer; ``skew`` moves the hub's clock."""

    def clock() -> datetime:
        if delay_s:
            time.sleep(delay_s)
        return now_vn() + (skew or timedelta())

    url = fresh_hub_db("sqlite", tmp_path)
    with running_hub(url, clock=clock) as server:
        with hub_db.connection_context():
            token = add_station(AGENCY_CODE, 1)[1]
        state.save_config(server.url, token, None, actor="Kiểm thử")
        yield Hub(server.url, token)


def hub_codes() -> list[str]:
    with hub_db.connection_context():
        return [row.code for row in HubDossier.select().order_by(HubDossier.code)]


def open_by_keyboard(window: MainWindow, qtbot: QtBot) -> SyncDialog:
    qtbot.keyClick(focused(), Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.sync_dialog is not None, timeout=WAIT_MS)
    dialog = window.sync_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.overview is not None, timeout=WAIT_MS)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def wait_round(window: MainWindow, qtbot: QtBot) -> None:
    controller = window.sync_panel.ensure_controller()
    qtbot.waitUntil(lambda: not controller.running, timeout=30_000)
    qtbot.waitUntil(lambda: not window.session.runner.busy, timeout=WAIT_MS)


def wait_panel(window: MainWindow, qtbot: QtBot, text: str) -> None:
    """The status bar's sync text (its full form: a narrow window shows a shorter one)."""
    qtbot.waitUntil(lambda: text in window.sync_panel.full_text, timeout=WAIT_MS)


def test_keyboard_sync_pushes_the_intakes_and_the_status_bar_shows_none_waiting(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = window.session.ctx
    codes = [intake(ctx, i) for i in range(3)]
    with hub_for_station_1(tmp_path):
        window.refresh_pending()
        wait_panel(window, qtbot, "Đồng bộ: 3 chờ gửi · chưa đồng bộ")

        dialog = open_by_keyboard(window, qtbot)
        assert dialog.values["pending"].text() == "3 mục"
        assert dialog.values["hub"].text().startswith("http://127.0.0.1:")
        assert dialog.sync_button.isDefault() and dialog.sync_button.isEnabled()
        qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter: "Đồng bộ ngay"
        wait_round(window, qtbot)

        report = window.sync_panel.ensure_controller().last_report
        assert report is not None and (report.pushed, report.pending, report.error) == (3, 0, "")
        assert hub_codes() == sorted(codes)
        qtbot.waitUntil(lambda: dialog.values["pending"].text() == "0 mục", timeout=WAIT_MS)
        assert "Đồng bộ xong lúc " in dialog.outcome.text()
        assert ": đã gửi 3 mục, nhận 0 thay đổi" in dialog.outcome.text()
        wait_panel(window, qtbot, "Đồng bộ: 0 chờ gửi · lần cuối ")
        assert not window.sync_panel.failing
        assert not window.sync_panel.clock_label.isVisible()

        qtbot.keyClick(focused(), Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_a_hub_that_is_down_shows_the_error_in_vietnamese_and_the_count_stays(
    window: MainWindow, qtbot: QtBot
) -> None:
    intake(window.session.ctx, 1)
    state.save_config(f"http://127.0.0.1:{free_port()}", "mot-cua-token", None, actor="Kiểm thử")
    dialog = open_by_keyboard(window, qtbot)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    wait_round(window, qtbot)

    assert "Không kết nối được máy chủ huyện" in dialog.outcome.text()
    assert "còn 1 mục chờ gửi" in dialog.outcome.text()
    qtbot.waitUntil(lambda: dialog.values["error"].isVisible(), timeout=WAIT_MS)
    assert "Không kết nối được máy chủ huyện" in dialog.values["error"].text()
    assert dialog.values["pending"].text() == "1 mục"
    wait_panel(window, qtbot, "Đồng bộ: 1 chờ gửi · thất bại lúc ")
    assert window.sync_panel.failing
    assert "Không kết nối được máy chủ huyện" in window.sync_panel.toolTip()
    assert state.sync_status().pending == 1


def test_cancel_stops_a_long_sync_between_requests(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = window.session.ctx
    total = 30
    for i in range(total):
        intake(ctx, i)
    with hub_for_station_1(tmp_path, delay_s=0.05):
        window.sync_panel.ensure_controller().batch = 1  # one request per item
        dialog = open_by_keyboard(window, qtbot)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
        controller = window.sync_panel.ensure_controller()
        qtbot.waitUntil(
            lambda: controller.progress is not None and controller.progress.done >= 2,
            timeout=WAIT_MS,
        )
        assert dialog.cancel_button.isEnabled()
        assert "đang gửi" in window.sync_panel.text
        qtbot.keyClick(dialog, Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)  # "Hủy"
        wait_round(window, qtbot)

        report = controller.last_report
        assert report is not None and report.cancelled and not report.error
        assert 2 <= report.pushed < total
        assert report.pending == total - report.pushed
        assert len(hub_codes()) == report.pushed  # what was sent stays sent, nothing more
        assert "Đã dừng đồng bộ" in dialog.outcome.text()
        wait_panel(window, qtbot, f"Đồng bộ: {total - report.pushed} chờ gửi · đã dừng lúc ")
        qtbot.waitUntil(
            lambda: dialog.values["last"].text().endswith("— dừng giữa chừng"), timeout=WAIT_MS
        )

        # The next round carries on from where the cancelled one stopped.
        controller.batch = None
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
        wait_round(window, qtbot)
        assert controller.last_report is not None and controller.last_report.pending == 0
        assert len(hub_codes()) == total


def test_the_gui_thread_keeps_running_during_a_sync(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = window.session.ctx
    for i in range(12):
        intake(ctx, i)
    gui = threading.get_ident()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    seen: list[tuple[int, int]] = []  # (thread, items done) of each progress report
    controller = window.sync_panel.ensure_controller()
    controller.progressed.connect(lambda p: seen.append((threading.get_ident(), p.done)))
    with hub_for_station_1(tmp_path, delay_s=0.05):
        controller.batch = 1
        timer.start()
        assert controller.start()
        started = len(ticks)
        wait_round(window, qtbot)
        during = len(ticks) - started
        timer.stop()
    assert controller.last_report is not None and controller.last_report.pushed == 12
    assert during >= 10  # the timer kept ticking while the worker pushed
    assert {thread for thread, _done in seen} == {gui}  # progress arrived on the GUI thread
    dones = [done for _thread, done in seen]
    assert dones == sorted(dones) and dones[-1] == 12 and len(set(dones)) > 3


def test_closing_the_window_keeps_the_round_and_its_result(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = window.session.ctx
    for i in range(6):
        intake(ctx, i)
    with hub_for_station_1(tmp_path, delay_s=0.05):
        window.sync_panel.ensure_controller().batch = 1
        dialog = open_by_keyboard(window, qtbot)
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "đang gửi" in window.sync_panel.text, timeout=WAIT_MS)
        qtbot.keyClick(focused(), Qt.Key.Key_Escape)  # closes the window, not the round
        assert not dialog.isVisible()
        wait_round(window, qtbot)
        wait_panel(window, qtbot, "Đồng bộ: 0 chờ gửi · lần cuối ")
        assert len(hub_codes()) == 6

        again = open_by_keyboard(window, qtbot)
        assert again is dialog
        assert "Đồng bộ xong lúc " in dialog.outcome.text()
        assert ": đã gửi 6 mục" in dialog.outcome.text()
        assert dialog.values["pending"].text() == "0 mục"


def test_a_skewed_hub_clock_shows_the_warning(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    intake(window.session.ctx, 1)
    with hub_for_station_1(tmp_path, skew=timedelta(minutes=12)):
        window.sync_panel.ensure_controller().start()
        wait_round(window, qtbot)
    clock = window.sync_panel.clock_label
    qtbot.waitUntil(clock.isVisible, timeout=WAIT_MS)
    assert clock.toolTip().startswith("⚠ Đồng hồ lệch 12 phút so với huyện.")
    assert "chậm hơn máy chủ huyện" in clock.toolTip()
    window.resize(1366, 768)  # a counter's screen: the full warning fits
    qtbot.waitUntil(lambda: clock.text() == "⚠ Đồng hồ lệch 12 phút so với huyện", timeout=WAIT_MS)
    dialog = open_by_keyboard(window, qtbot)
    assert "Đồng hồ lệch 12 phút" in dialog.values["clock"].text()


def test_a_refused_dossier_shows_its_sync_issue_on_its_window(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = window.session.ctx
    # A procedure the district's catalogue does not have (added at this counter only).
    Procedure.update(code="9.999999").where(Procedure.code == "2.000635").execute()
    bad = intake(ctx, 1, procedure="9.999999")
    good = intake(ctx, 2)
    dossier = window.open_dossier(bad)
    qtbot.waitUntil(lambda: dossier.detail is not None, timeout=WAIT_MS)
    assert not dossier.sync_issues.isVisible()
    with hub_for_station_1(tmp_path):
        window.sync_panel.ensure_controller().start()
        wait_round(window, qtbot)
    # The refusal fired "changed": the open dossier window reloaded by itself.
    qtbot.waitUntil(dossier.sync_issues.isVisible, timeout=WAIT_MS)
    text = dossier.sync_issues.text()
    assert text.startswith("Đồng bộ: ") and "9.999999" in text
    wait_panel(window, qtbot, "· 1 lỗi ·")
    assert window.sync_panel.failing

    other = window.open_dossier(good)
    qtbot.waitUntil(lambda: other.detail is not None, timeout=WAIT_MS)
    qtbot.wait(50)
    assert not other.sync_issues.isVisible()

    dialog = window.open_sync()
    qtbot.waitUntil(lambda: dialog.issues.rowCount() == 1, timeout=WAIT_MS)
    assert dialog.issues.item(0, 2).text() == bad
    assert dialog.issues.item(0, 1).text() == "Gửi lên"
    assert dialog.values["rejected"].text() == "1 mục"

    # Settled with the district: Alt+X hides it; the status bar is no longer red, the
    # dossier keeps its note.
    dialog.issues.setFocus()
    QTest.keyClick(dialog, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.issues.rowCount() == 0, timeout=WAIT_MS)
    assert dialog.values["rejected"].text() == "Không có"
    qtbot.waitUntil(lambda: not window.sync_panel.failing, timeout=WAIT_MS)
    assert dossier.sync_issues.isVisible()


def test_a_pulled_status_refreshes_the_open_dossier(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = window.session.ctx
    code = intake(ctx, 1)
    hand_over(ctx, code, BODY)
    with hub_for_station_1(tmp_path):
        window.sync_panel.ensure_controller().start()
        wait_round(window, qtbot)
        dossier = window.open_dossier(code)
        qtbot.waitUntil(lambda: dossier.detail is not None, timeout=WAIT_MS)
        assert dossier.detail is not None and dossier.detail.summary.status == 4
        with hub_db.connection_context():
            set_status(code, 9, unit="Phòng Tư pháp")
        window.sync_panel.ensure_controller().start()
        wait_round(window, qtbot)
    report = window.sync_panel.ensure_controller().last_report
    assert report is not None and report.pulled == 1
    qtbot.waitUntil(
        lambda: dossier.detail is not None and dossier.detail.summary.status == 9,
        timeout=WAIT_MS,
    )


def test_without_a_hub_the_window_says_so_and_the_settings_are_saved(
    window: MainWindow, qtbot: QtBot
) -> None:
    wait_panel(window, qtbot, "chưa cài máy chủ")
    dialog = open_by_keyboard(window, qtbot)
    assert dialog.notice.isVisible() and "chưa được nối với máy chủ huyện" in dialog.notice.text()
    assert not dialog.sync_button.isEnabled()
    assert dialog.settings_button.isDefault()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter: the settings
    qtbot.waitUntil(lambda: dialog.settings_dialog is not None, timeout=WAIT_MS)
    settings = dialog.settings_dialog
    assert settings is not None
    qtbot.waitUntil(settings.isActiveWindow, timeout=WAIT_MS)
    assert focused() is settings.url
    qtbot.keyClicks(settings.url, "huyen-khong-co-giao-thuc")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "mot-cua-token")
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: settings.errors["hub_url"].isVisible(), timeout=WAIT_MS)
    assert "không hợp lệ" in settings.errors["hub_url"].message
    assert state.load_config() is None  # nothing stored

    settings.url.clear()
    qtbot.keyClicks(settings.url, "https://dongbo.huyen.example:8443/")
    qtbot.keyClick(settings.url, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not settings.isVisible(), timeout=WAIT_MS)
    config = state.load_config()
    assert config is not None
    assert (config.hub_url, config.token) == ("https://dongbo.huyen.example:8443", "mot-cua-token")
    qtbot.waitUntil(
        lambda: dialog.values["hub"].text() == "https://dongbo.huyen.example:8443",
        timeout=WAIT_MS,
    )
    assert not dialog.notice.isVisible() and dialog.sync_button.isDefault()
    wait_panel(window, qtbot, "chưa đồng bộ")


def test_a_narrow_status_bar_shows_a_shorter_form_not_a_clipped_one(
    window: MainWindow, qtbot: QtBot
) -> None:
    state.save_config(f"http://127.0.0.1:{free_port()}", "mot-cua-token", None, actor="Kiểm thử")
    intake(window.session.ctx, 1)
    with write_transaction():  # as a round that could not reach the hub leaves it
        state.put(state.LAST_SYNC, iso(now_vn()))
        state.put(state.LAST_ERROR, "Không kết nối được máy chủ huyện (máy chủ chưa chạy?).")
    window.refresh_pending()
    wait_panel(window, qtbot, "Đồng bộ: 1 chờ gửi · thất bại lúc ")
    panel = window.sync_panel
    window.resize(1366, 768)  # a counter's screen: the whole text fits
    qtbot.waitUntil(lambda: panel.text == panel.full_text, timeout=WAIT_MS)
    assert panel.label.width() >= panel.label.sizeHint().width()
    window.statusBar().removeWidget(panel)  # on its own, at the width a crowded bar leaves
    panel.show()
    panel.resize(panel.minimumSizeHint())
    assert panel.text == "Đồng bộ: 1 chờ gửi · thất bại"
    assert panel.label.width() >= panel.label.sizeHint().width()  # shown whole
    assert panel.full_text in panel.toolTip()
    panel.resize(panel.sizeHint())
    assert panel.text == panel.full_text


def test_quitting_during_a_round_stops_it_between_requests(
    window: MainWindow, qtbot: QtBot, tmp_path: Path
) -> None:
    ctx = window.session.ctx
    for i in range(20):
        intake(ctx, i)
    with hub_for_station_1(tmp_path, delay_s=0.05):
        controller = window.sync_panel.ensure_controller()
        controller.batch = 1
        controller.start()
        qtbot.waitUntil(lambda: controller.progress is not None, timeout=WAIT_MS)
        window.close()  # Ctrl+Q
        wait_round(window, qtbot)
        report = controller.last_report
        assert report is not None and report.cancelled
        assert report.pushed < 20 and len(hub_codes()) == report.pushed
    assert state.sync_status().pending == 20 - report.pushed
