"""A full disk and a locked database, for real (no mocks): SQLite's own SQLITE_FULL and
SQLITE_BUSY reach the clerk as a clear Vietnamese message, nothing of the intake is
stored, no number is burnt, and the same request saves once space returns or the other
program lets go.

The disk fills through ``PRAGMA max_page_count`` (the database may not grow past it,
exactly as when the disk has no free block left); the lock is held by another process.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from random import Random
from typing import Any

import pytest

from counter_app.errors import StorageError
from counter_app.services.catalogue import list_procedures
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import get_dossier
from counter_app.services.dto import ProcedureInfo
from counter_app.services.intake import IntakeRequest, receive
from tests.support.intake_worker import fingerprint, make_request, record_of_detail

DISK_FULL = "Ổ đĩa đã đầy"
BUSY = "đang bận"
NO_LIMIT = 2**31  # larger than SQLite's own maximum: no limit but the disk's
TABLES = (
    "dossier",
    "dossier_document",
    "status_history",
    "outbox",
    "audit_log",
    "dossier_name_fts",
)


def snapshot(ctx: CounterContext) -> dict[str, Any]:
    """Everything one intake writes: row counts, running numbers, and the integrity check."""
    db = ctx.db
    state: dict[str, Any] = {
        table: db.execute_sql(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES
    }
    state["sequence"] = sorted(db.execute_sql("SELECT name, last FROM sequence").fetchall())
    state["integrity"] = db.execute_sql("PRAGMA integrity_check").fetchone()[0]
    return state


class Applicants:
    """Different people one after another (the service refuses a second open dossier of
    the same person and procedure)."""

    def __init__(self, ctx: CounterContext) -> None:
        self.procedures: list[ProcedureInfo] = [p for p in list_procedures(ctx) if p.documents]
        self.rng = Random(5)
        self.index = 0

    def next(self) -> IntakeRequest:
        self.index += 1
        return make_request(self.rng, self.index, self.procedures)


def saved_as_asked(ctx: CounterContext, code: str, acknowledged: str) -> bool:
    return fingerprint(record_of_detail(get_dossier(ctx, code))) == acknowledged


def test_full_disk_saves_nothing_and_the_same_request_saves_once_space_returns(
    counter: CounterContext,
) -> None:
    people = Applicants(counter)
    first = receive(counter, people.next())
    db = counter.db
    # A few pages left on the disk: the day goes on until they are used up.
    db.pragma("max_page_count", db.pragma("page_count") + 3, permanent=True)
    saved = [first.code]
    request = people.next()
    caught: StorageError | None = None
    for _ in range(200):
        before = snapshot(counter)
        try:
            saved.append(receive(counter, request).code)
        except StorageError as err:
            caught = err
            break
        request = people.next()
    assert caught is not None, "the database never filled up"
    assert DISK_FULL in caught.message, caught.message
    assert snapshot(counter) == before  # nothing of it, not even its number

    # The clerk presses Lưu again before anything was freed: the same answer, no trace.
    with pytest.raises(StorageError) as again:
        receive(counter, request)
    assert DISK_FULL in again.value.message
    assert snapshot(counter) == before

    db.pragma("max_page_count", NO_LIMIT, permanent=True)  # space freed
    detail = receive(counter, request)
    number = int(detail.code.rsplit("-", 1)[1])
    assert number == int(saved[-1].rsplit("-", 1)[1]) + 1  # no number burnt by the failures
    assert saved_as_asked(counter, detail.code, fingerprint(record_of_detail(detail)))
    after = snapshot(counter)
    assert after["dossier"] == before["dossier"] + 1
    assert after["outbox"] == before["outbox"] + 1
    assert after["integrity"] == "ok"


LOCK_HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute(sys.argv[2])
conn.execute("INSERT INTO setting (key, value) VALUES ('held_by_other_program', '1')")
print("LOCKED", flush=True)
sys.stdin.read()  # until the test lets go
conn.execute("ROLLBACK")
"""


@contextmanager
def another_program_writing(ctx: CounterContext, begin: str) -> Iterator[None]:
    """Another process in the middle of its own write transaction on the counter's file."""
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(ctx.paths.db), begin],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)


@pytest.mark.parametrize("begin", ["BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"])
def test_locked_database_says_busy_saves_nothing_and_saves_once_released(
    counter: CounterContext, begin: str
) -> None:
    people = Applicants(counter)
    receive(counter, people.next())
    request = people.next()
    before = snapshot(counter)
    # The app waits 5 s for a lock; the test need not.
    counter.db.execute_sql("PRAGMA busy_timeout = 200")
    with another_program_writing(counter, begin):
        with pytest.raises(StorageError) as caught:
            receive(counter, request)
        assert BUSY in caught.value.message, caught.value.message
        assert snapshot(counter) == before
        with pytest.raises(StorageError):  # pressing Lưu again while it still writes
            receive(counter, request)
    detail = receive(counter, request)
    assert detail.code.endswith("-1002")  # the refused attempts burnt no number
    assert saved_as_asked(counter, detail.code, fingerprint(record_of_detail(detail)))
    after = snapshot(counter)
    assert after["dossier"] == before["dossier"] + 1
    assert "held_by_other_program" not in {
        key for (key,) in counter.db.execute_sql("SELECT key FROM setting").fetchall()
    }
