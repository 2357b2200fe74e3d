"""The one SQLite database of a counter: connection settings and opening.

Pragmas follow ARCHITECTURE.md: WAL, ``synchronous=FULL`` (NORMAL loses acknowledged commits
on power loss), foreign keys on, a busy timeout, and write transactions that take the write
lock up front (``BEGIN IMMEDIATE``) so two writers never deadlock half-way.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import peewee
from peewee import SqliteDatabase

from counter_app.errors import StorageError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000

PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "cache_size": -16000,  # 16 MB page cache: old PCs have little RAM, but enough for this
    "temp_store": "memory",
}

# Deferred: models bind to this object; ``open_database`` points it at a file.
database = SqliteDatabase(None, lock_type="IMMEDIATE")


def open_database(path: Path) -> SqliteDatabase:
    """Point the shared database at ``path``, migrate it, and return it.

    Raises StorageError (Vietnamese) when the file is newer than the app or unusable.
    """
    from counter_app.store.migrations import migrate

    if not database.is_closed():
        database.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    database.init(str(path), pragmas=PRAGMAS, timeout=BUSY_TIMEOUT_MS // 1000)
    try:
        database.connect(reuse_if_open=True)
        migrate(database, path)
    except (sqlite3.DatabaseError, peewee.DatabaseError) as err:
        database.close()
        raise StorageError(f"Không mở được cơ sở dữ liệu {path}: {err}") from err
    return database


def close_database() -> None:
    if not database.is_closed():
        database.close()
