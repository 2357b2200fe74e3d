"""The core never imports Qt: it must run in the CLI, the hub and tests without a display."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "counter_app"
FORBIDDEN = ("PySide6", "shiboken6", "ui")


def test_counter_app_imports_no_qt_and_no_ui() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in FORBIDDEN and not _allowed(path, name):
                    offenders.append(f"{path.relative_to(CORE)}: {name}")
    assert offenders == []


def _allowed(path: Path, name: str) -> bool:
    # The CLI hands over to the GUI when asked to open it; that import happens only then.
    return path.name == "cli.py" and name == "ui.app"
