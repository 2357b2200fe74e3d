"""The background helper: results and errors come back on the GUI thread, in order."""

from __future__ import annotations

import threading

import pytest
from pytestqt.qtbot import QtBot

from ui.background import BackgroundRunner


def test_result_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    runner = BackgroundRunner()
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def done(result: object) -> None:
        seen["result"] = result
        seen["callback"] = threading.get_ident()

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.run(work, done, pytest.fail)
        assert runner.busy
    assert seen["result"] == 42
    assert seen["worker"] != gui  # the work ran off the GUI thread
    assert seen["callback"] == gui  # and its result came back to it
    assert not runner.busy


def test_exception_is_delivered_not_swallowed_and_cleanup_runs(qtbot: QtBot) -> None:
    cleaned: list[int] = []
    runner = BackgroundRunner(thread_cleanup=lambda: cleaned.append(threading.get_ident()))
    errors: list[BaseException] = []

    def boom() -> None:
        raise ValueError("hỏng")

    with qtbot.waitSignal(runner.idle, timeout=5000):
        runner.run(boom, pytest.fail, errors.append)
    assert [str(e) for e in errors] == ["hỏng"]
    assert len(cleaned) == 1 and cleaned[0] != threading.get_ident()


def test_many_tasks_each_deliver_once(qtbot: QtBot) -> None:
    runner = BackgroundRunner()
    results: list[int] = []
    for n in range(20):
        runner.run(lambda n=n: n * n, results.append, pytest.fail)
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert sorted(results) == [n * n for n in range(20)]
