"""The one SQLite database of a counter: connection settings, opening, write transactions.

Pragmas follow ARCHITECTURE.md: WAL, ``synchronous=FULL`` (NORMAL loses acknowledged commits
on power loss), foreign keys on, a busy timeout, and write transactions that take the write
lock up front (``BEGIN IMMEDIATE``) so two writers never deadlock half-way.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import peewee
from peewee import DatabaseProxy, SqliteDatabase

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

# Models bind to this proxy; ``open_database`` points it at a real database: plain SQLite,
# SQLCipher for an encrypted installation, or (in the power-cut tests) SQLite on a test VFS.
database = DatabaseProxy()

# Builds the database object for a path: ``make(path, **options)``.
DatabaseFactory = Callable[..., SqliteDatabase]

_DB_ERRORS = (sqlite3.Error, peewee.DatabaseError, peewee.InterfaceError)


def storage_error(err: BaseException) -> StorageError:
    """The Vietnamese message for a failure of the disk or the database file."""
    text = str(err).lower()
    if (isinstance(err, OSError) and err.errno == errno.ENOSPC) or "full" in text:
        message = (
            "Ổ đĩa đã đầy: chưa lưu được. Hãy giải phóng dung lượng rồi bấm Lưu lại; "
            "thông tin đang nhập vẫn được giữ."
        )
    elif "locked" in text or "busy" in text:
        message = (
            "Cơ sở dữ liệu đang bận (một chương trình khác đang ghi). Chưa lưu được; "
            "hãy thử lại sau ít giây."
        )
    elif isinstance(err, peewee.IntegrityError | sqlite3.IntegrityError):
        message = f"Không lưu được vì dữ liệu trùng hoặc không nhất quán ({err})."
    elif "readonly" in text or "read-only" in text or isinstance(err, PermissionError):
        message = "Không có quyền ghi vào thư mục dữ liệu: chưa lưu được."
    else:
        message = f"Lỗi đọc/ghi cơ sở dữ liệu: chưa lưu được ({err})."
    return StorageError(message)


@contextmanager
def write_transaction() -> Iterator[None]:
    """One user action's writes: all committed together, or none, with a clear message.

    Disk-full, locked-database and I/O failures become StorageError (Vietnamese); anything
    else (ValidationError, bugs) passes through unchanged, after the rollback.
    """
    try:
        with database.atomic():
            yield
    except (*_DB_ERRORS, OSError) as err:
        cause = _first_failure(err)
        log.warning("write transaction failed: %s", cause)
        raise storage_error(cause) from err


def _first_failure(err: BaseException) -> BaseException:
    """The error that made the transaction fail. On a full disk (or an I/O error) SQLite
    has already rolled the transaction back, so peewee's ROLLBACK fails in turn ("no
    transaction is active") and would hide the real cause behind it."""
    while "no transaction is active" in str(err) and err.__context__ is not None:
        err = err.__context__
    return err


def open_database(
    path: Path, *, make: DatabaseFactory = SqliteDatabase, **options: Any
) -> SqliteDatabase:
    """Point the shared database at ``path``, migrate it, and return it.

    ``make`` and ``options`` choose the engine (``SqlCipherDatabase`` with a passphrase for
    an encrypted installation). Raises StorageError (Vietnamese) when the file is newer than
    the app or unusable.
    """
    from counter_app.store.backup import corrupt_database_error, corruption_problem, quick_check
    from counter_app.store.migrations import migrate

    close_database()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StorageError(f"Không tạo được thư mục dữ liệu {path.parent}: {err}") from err
    db = make(
        str(path),
        pragmas=PRAGMAS,
        timeout=BUSY_TIMEOUT_MS // 1000,
        lock_type="IMMEDIATE",
        **options,
    )
    database.initialize(db)
    problem: str | None = None
    try:
        db.connect(reuse_if_open=True)
        # A damaged file is found now, at start-up, not half-way through a clerk's save.
        problem = quick_check(db)
        if problem is None:
            migrate(db, path)
    except (*_DB_ERRORS, OSError) as err:
        db.close()
        problem = corruption_problem(err)
        if problem is None:
            raise StorageError(f"Không mở được cơ sở dữ liệu {path}: {err}") from err
    if problem is not None:
        db.close()
        raise corrupt_database_error(path, problem)
    return db


def connect_file(path: Path | str) -> sqlite3.Connection:
    """A plain DB-API connection to another database file, opened the way the counter's own
    database is (keyed alike when the installation is encrypted): for backups and restore
    checks, which must read and write files the same way the app does."""
    opener = getattr(database.obj, "open_file", None)  # store.encryption.EncryptedDatabase
    if opener is not None:
        return cast(sqlite3.Connection, opener(path))
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)


def close_database() -> None:
    if database.obj is not None and not database.is_closed():
        database.close()
