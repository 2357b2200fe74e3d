"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Each ``mNNNN_*.py`` module holds ``STATEMENTS``: plain SQL, so a migration never changes
when the models do. A step SQL cannot express (hashing rows) is a function of the
connection, still independent of the models. Before an existing database is migrated it
is copied aside (SQLite backup API); a database newer than this app is refused rather than
guessed at.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from types import ModuleType

from peewee import SqliteDatabase

from counter_app.errors import StorageError
from counter_app.store.db import connect_file
from counter_app.store.migrations import (
    m0001_initial,
    m0002_tracking,
    m0003_search,
    m0004_sync,
    m0005_operators,
)

log = logging.getLogger(__name__)


# Listed by hand (not discovered) so a frozen build cannot silently miss one; a test checks
# that every mNNNN module in this folder is listed, in order.
MIGRATIONS: list[tuple[int, ModuleType]] = [
    (1, m0001_initial),
    (2, m0002_tracking),
    (3, m0003_search),
    (4, m0004_sync),
    (5, m0005_operators),
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(db: SqliteDatabase) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def _copy_aside(db: SqliteDatabase, path: Path, version: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    dest = connect_file(target)  # keyed like the database when it is encrypted
    try:
        db.connection().backup(dest)
    finally:
        dest.close()
    return target


def migrate(db: SqliteDatabase, path: Path) -> int:
    """Bring ``db`` to SCHEMA_VERSION; returns the version it was at."""
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise StorageError(
            f"Cơ sở dữ liệu {path.name} thuộc phiên bản mới hơn của phần mềm (lược đồ "
            f"{current}, phần mềm này hiểu đến {SCHEMA_VERSION}). Hãy cập nhật phần mềm; "
            "dữ liệu không bị thay đổi."
        )
    if current == SCHEMA_VERSION:
        return current
    if current > 0:
        saved = _copy_aside(db, path, current)
        log.info("database copied aside before migration: %s", saved)
    # Read the version again under the write lock: two processes opening a new database at
    # once (the GUI and a CLI command) must not both create the tables.
    with db.atomic():
        locked_version = schema_version(db)
        for number, module in MIGRATIONS:
            if number <= locked_version:
                continue
            for statement in module.STATEMENTS:
                if callable(statement):
                    statement(db)
                else:
                    db.execute_sql(statement)
            db.execute_sql(f"PRAGMA user_version = {number}")
            log.info("database migrated to schema %d", number)
    return current
