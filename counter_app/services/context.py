"""Opening a counter: its data folder, its database, and the first-time seed."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from peewee import SqliteDatabase

from counter_app.paths import AppPaths, app_paths
from counter_app.store.db import close_database, open_database

if TYPE_CHECKING:
    from counter_app.services.dto import OperatorInfo

log = logging.getLogger(__name__)


@dataclass
class CounterContext:
    """An open counter and who is signed in to it (``services.accounts.sign_in``)."""

    paths: AppPaths
    db: SqliteDatabase
    operator: OperatorInfo | None = field(default=None, compare=False)

    def close(self) -> None:
        close_database()


def open_counter(
    home: str | os.PathLike[str] | None = None, *, seed: bool = True, **engine: Any
) -> CounterContext:
    """Open (creating if needed) the counter whose data lives in ``home``.

    A new database is seeded with the shipped catalogue and yearly calendars, so a fresh
    installation can receive dossiers before it ever reaches the network. ``engine`` goes to
    ``open_database`` (``make=`` a database class and its options).
    """
    paths = app_paths(home).ensure()
    db = open_database(paths.db, **engine)
    ctx = CounterContext(paths=paths, db=db)
    if seed:
        from counter_app.services.seed import seed_if_empty

        seed_if_empty(ctx)
    return ctx
