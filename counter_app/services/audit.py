"""Append-only, hash-chained record of who did what.

Rows refer to dossiers by code, never by a citizen's name or identity number. Each row's
hash covers the row and the previous row's hash (``domain.audit_chain``); triggers in the
database refuse UPDATE and DELETE, and ``verify_chain`` finds the first row that was
changed, removed or inserted out of place. The chain head travels to the district hub with
every sync, so rewriting a station's history and recomputing the hashes is seen there too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from counter_app.domain.audit_chain import GENESIS, ChainRow, first_break, row_hash
from counter_app.domain.clock import iso, now_vn
from counter_app.services.context import CounterContext
from counter_app.store.db import database, write_transaction
from counter_app.store.fields import JsonField

_TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
_DETAIL = JsonField()


def record(actor: str, action: str, object_ref: str = "", **detail: Any) -> None:
    """Append one row. Call inside the write transaction of the action being recorded:
    BEGIN IMMEDIATE holds the write lock, so no other writer can take the same place."""
    last = database.execute_sql(
        "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    prev_id, prev_hash = (last[0], last[1]) if last else (0, GENESIS)
    row_id = prev_id + 1
    at = iso(now_vn())
    detail_text = str(_DETAIL.db_value(detail))
    digest = row_hash(prev_hash, row_id, at, actor, action, object_ref, detail_text)
    database.execute_sql(
        "INSERT INTO audit_log (id, at, actor, action, object_ref, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (row_id, at, actor, action, object_ref, detail_text, prev_hash, digest),
    )


def record_alone(actor: str, action: str, object_ref: str = "", **detail: Any) -> None:
    """Append one row in its own transaction: for what must be kept even though the action
    it belongs to fails (a refused login, an action the operator may not take)."""
    with write_transaction():
        record(actor, action, object_ref, **detail)


@dataclass(frozen=True)
class ChainHead:
    id: int
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.hash}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    head: ChainHead
    first_bad_id: int | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "head": self.head.to_json(),
            "first_bad": (
                None
                if self.first_bad_id is None
                else {"id": self.first_bad_id, "reason": self.reason}
            ),
        }


def chain_head(ctx: CounterContext) -> ChainHead:
    last = ctx.db.execute_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return ChainHead(int(last[0]), str(last[1])) if last else ChainHead(0, GENESIS)


def hash_at(ctx: CounterContext, row_id: int) -> str | None:
    """The stored hash of row ``row_id`` (None when there is no such row)."""
    if row_id == 0:
        return GENESIS
    row = ctx.db.execute_sql("SELECT hash FROM audit_log WHERE id = ?", (row_id,)).fetchone()
    return None if row is None else str(row[0])


def _rows(ctx: CounterContext, counted: list[int]) -> Iterator[ChainRow]:
    cursor = ctx.db.execute_sql(
        "SELECT id, at, actor, action, object_ref, detail, prev_hash, hash "
        "FROM audit_log ORDER BY id"
    )
    for values in cursor:
        counted[0] += 1
        yield ChainRow(*values)


def verify_chain(ctx: CounterContext) -> ChainReport:
    """Walk the whole chain; ok only if every row follows from the one before and the
    append-only triggers are still in place."""
    present = {
        name
        for (name,) in ctx.db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    }
    counted = [0]
    broken = first_break(_rows(ctx, counted))
    head = chain_head(ctx)
    if broken is not None:
        return ChainReport(False, counted[0], head, broken.row_id, broken.reason)
    missing = [name for name in _TRIGGERS if name not in present]
    if missing:
        return ChainReport(
            False,
            counted[0],
            head,
            None,
            "Bảng nhật ký đã bị gỡ lớp chống sửa/xóa (thiếu trigger " + ", ".join(missing) + ").",
        )
    return ChainReport(True, counted[0], head)
