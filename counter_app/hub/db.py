"""The hub's database: one SQLite file for a district by default, PostgreSQL for a province.

Both go through the same peewee models (``hub/models.py``) bound to ``hub_db``, a proxy
pointed at the real database by ``open_hub_db``. SQLite gets the counter's durability
pragmas (WAL, ``synchronous=FULL``) and takes the write lock up front; PostgreSQL runs
from a connection pool so request threads do not pay a connection per request.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from peewee import Database, DatabaseProxy, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase

from counter_app.errors import ConfigurationError

log = logging.getLogger(__name__)

hub_db = DatabaseProxy()

SQLITE_PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": 30000,
}
POOL_SIZE = 32  # request threads (Starlette's pool is 40) + the forwarder


def make_database(url: str) -> Database:
    """A peewee database for ``url``: a file path, ``sqlite:///path`` or ``postgresql://``."""
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        pool: Database = PooledPostgresqlDatabase(
            (parsed.path or "/").lstrip("/") or None,
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
            max_connections=POOL_SIZE,
            stale_timeout=300,
            timeout=30,
        )
        return pool
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        if parsed.netloc:  # sqlite://relative/path
            path = parsed.netloc + path
    elif parsed.scheme in ("", "file") or len(parsed.scheme) == 1:  # C:\… on Windows
        path = url if parsed.scheme != "file" else unquote(parsed.path)
    else:
        raise ConfigurationError(
            f"--db: không hiểu địa chỉ CSDL “{url}” (dùng tên tệp SQLite hoặc postgresql://…)."
        )
    if not path:
        raise ConfigurationError("--db: thiếu tên tệp SQLite.")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=30, lock_type="IMMEDIATE")


def is_postgres() -> bool:
    return not isinstance(hub_db.obj, SqliteDatabase)


def open_hub_db(url: str) -> Database:
    """Point ``hub_db`` at ``url`` and create the tables the hub needs (idempotent)."""
    from counter_app.hub.models import create_schema

    database = make_database(url)
    hub_db.initialize(database)
    try:
        database.connect(reuse_if_open=True)
    except Exception as err:  # the driver's own error types differ per backend
        raise ConfigurationError(f"Không kết nối được CSDL của huyện ({url}): {err}") from err
    create_schema()
    database.close()
    return database


def close_hub_db() -> None:
    database = hub_db.obj
    if database is None:
        return
    if isinstance(database, PooledPostgresqlDatabase):
        database.close_all()
    elif not database.is_closed():
        database.close()
