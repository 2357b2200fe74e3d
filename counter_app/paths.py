"""Every path the app writes to comes from here.

The data folder is the user's data directory (platformdirs) unless ``COUNTER_APP_HOME`` or
``--home DIR`` points elsewhere (a second counter on one PC, tests, a USB stick).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

HOME_ENV = "COUNTER_APP_HOME"
APP_DIR_NAME = "MotCuaCounter"
DB_FILE = "counter.sqlite3"


@dataclass(frozen=True)
class AppPaths:
    home: Path

    @property
    def db(self) -> Path:
        return self.home / DB_FILE

    @property
    def receipts(self) -> Path:
        return self.home / "receipts"

    @property
    def backups(self) -> Path:
        return self.home / "backups"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    def ensure(self) -> AppPaths:
        for folder in (self.home, self.receipts, self.backups, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_home(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return Path(user_data_dir(APP_DIR_NAME, appauthor=False))


def app_paths(override: str | os.PathLike[str] | None = None) -> AppPaths:
    return AppPaths(resolve_home(override))
