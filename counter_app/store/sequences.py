"""Named running numbers, allocated inside the caller's write transaction."""

from __future__ import annotations

from counter_app.store.db import database


def next_value(name: str) -> int:
    """Increment and return the counter ``name`` (1 on first use).

    Call inside a write transaction (BEGIN IMMEDIATE holds the lock), so two stations
    sharing a file, or two threads, can never draw the same number.
    """
    cursor = database.execute_sql(
        "INSERT INTO sequence (name, last) VALUES (?, 1) "
        "ON CONFLICT (name) DO UPDATE SET last = last + 1 RETURNING last",
        (name,),
    )
    return int(cursor.fetchone()[0])
