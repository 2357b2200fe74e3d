"""App start to intake screen shown vs a bare PySide6 window process.

Both are whole processes timed from spawn to exit: the app quits as soon as its intake screen
is on screen (COUNTER_APP_EXIT_WHEN_SHOWN=1), the baseline as soon as its empty window is.
Runs alternate so that disk cache and CPU noise fall on both alike.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.stats import Sample, report

BARE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1200, 700)
window.show()
QTimer.singleShot(0, app.quit)
app.exec()
"""


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - start


def run(runs: int = 10) -> dict[str, object]:
    # An installed app starts from bytecode (pip and PyInstaller compile it). A source tree
    # under PYTHONDONTWRITEBYTECODE=1 would compile every module on every start instead
    # (measured: 2.56x instead of 2.22x for the same code), so compile it first.
    root = Path(__file__).resolve().parent.parent
    for package in ("counter_app", "ui"):
        compileall.compile_dir(root / package, quiet=1)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        home = Path(tmp) / "home"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "counter_app",
                "--home",
                str(home),
                "init",
                "--agency-code",
                "000.00.17.H26",
                "--agency-name",
                "UBND xã An Hòa",
                "--place",
                "An Hòa",
                "--station",
                "1",
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        app_env = dict(env, COUNTER_APP_EXIT_WHEN_SHOWN="1")
        app_cmd = [sys.executable, "-m", "counter_app", "--home", str(home)]
        bare_cmd = [sys.executable, "-c", BARE]
        _time(app_cmd, app_env)  # warm the disk cache for both
        _time(bare_cmd, env)
        app_times, bare_times = [], []
        for _ in range(runs):
            app_times.append(_time(app_cmd, app_env))
            bare_times.append(_time(bare_cmd, env))
    return report(
        "Start-up (process spawn to window shown, then exit)",
        Sample("app: start to intake screen shown", app_times),
        Sample("bare PySide6 QMainWindow process", bare_times),
        "<= 2.5x baseline",
    )


if __name__ == "__main__":
    run()
