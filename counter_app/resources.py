"""Where the shipped resources (fonts, catalogue seed, calendars) live.

From a source checkout they sit in ``resources/`` at the top of the tree; in a PyInstaller
bundle they are unpacked beside the program (``sys._MEIPASS``).
"""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)
