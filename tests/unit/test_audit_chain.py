"""The audit trail: append-only in the database, hash-chained, and ``verify_chain`` names
the first row that was changed, removed or inserted out of place."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from counter_app.domain.audit_chain import GENESIS, row_hash
from counter_app.domain.identity import ApplicantInput
from counter_app.services import tracking
from counter_app.services.audit import chain_head, verify_chain
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.receipts import issue_receipt
from counter_app.services.returns import ReturnRequest, return_result
from counter_app.store.models import AuditLog

HOA = ApplicantInput(name="Lê Thị Hoà", id_number="001190012345", phone="0912345678")


def workflow(ctx: CounterContext) -> str:
    code = receive(ctx, IntakeRequest("1.001193", HOA)).code
    issue_receipt(ctx, code)
    issue_receipt(ctx, code)  # a reprint
    tracking.change_status(ctx, code, 9)
    return_result(ctx, code, ReturnRequest("Lê Thị Hoà", rating=3))
    return code


def raw(ctx: CounterContext) -> sqlite3.Connection:
    """A second connection, as someone editing the file with a SQLite tool would."""
    conn = sqlite3.connect(ctx.paths.db, isolation_level=None)
    return conn


def drop_guards(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")


def test_every_action_is_chained_and_the_chain_holds(counter: CounterContext) -> None:
    workflow(counter)
    rows = list(AuditLog.select().order_by(AuditLog.id))
    actions = [r.action for r in rows]
    for expected in ("login", "dossier.intake", "receipt.print", "receipt.reprint"):
        assert expected in actions
    assert "dossier.returned" in actions and "dossier.status" in actions
    assert [r.id for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    report = verify_chain(counter)
    assert report.ok and report.rows == len(rows)
    assert report.head == chain_head(counter) and report.head.id == rows[-1].id


def test_no_names_or_identity_numbers_in_the_audit_trail(counter: CounterContext) -> None:
    code = workflow(counter)
    text = " ".join(
        f"{r.actor} {r.action} {r.object_ref} {r.prev_hash} {r.detail}" for r in AuditLog.select()
    )
    assert code in text  # dossiers are referred to by code
    for secret in ("001190012345", "Lê Thị Hoà", "Le Thi Hoa", "0912345678", "Hoà"):
        assert secret not in text


def test_the_database_refuses_update_and_delete(counter: CounterContext) -> None:
    workflow(counter)
    conn = raw(counter)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'ai đó' WHERE id = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_log WHERE id = 2")
    conn.close()
    assert verify_chain(counter).ok


def test_a_changed_row_is_named(counter: CounterContext) -> None:
    workflow(counter)
    conn = raw(counter)
    drop_guards(conn)
    conn.execute("UPDATE audit_log SET actor = 'lan' WHERE id = 3")
    conn.close()
    report = verify_chain(counter)
    assert not report.ok and report.first_bad_id == 3 and "bị sửa" in report.reason


def test_a_removed_row_is_named_even_with_the_hashes_after_it_recomputed(
    counter: CounterContext,
) -> None:
    """Ids have no gaps, so removing a row and re-hashing the rest still shows. (An edit
    re-hashed to the end is what the hub's record of the head catches.)"""
    workflow(counter)
    conn = raw(counter)
    drop_guards(conn)
    conn.execute("DELETE FROM audit_log WHERE id = 4")
    rows = conn.execute(
        "SELECT id, at, actor, action, object_ref, detail FROM audit_log WHERE id > 4 ORDER BY id"
    ).fetchall()
    prev = conn.execute("SELECT hash FROM audit_log WHERE id = 3").fetchone()[0]
    for row_id, at, actor, action, ref, detail in rows:
        digest = row_hash(prev, row_id, at, actor, action, ref, detail)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, row_id)
        )
        prev = digest
    conn.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    )
    conn.execute(
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    )
    conn.close()
    report = verify_chain(counter)
    assert not report.ok and report.first_bad_id == 5 and "thiếu dòng 4" in report.reason


def test_a_removed_row_is_named(counter: CounterContext) -> None:
    workflow(counter)
    conn = raw(counter)
    drop_guards(conn)
    conn.execute("DELETE FROM audit_log WHERE id = 2")
    conn.close()
    report = verify_chain(counter)
    assert not report.ok and report.first_bad_id == 3


def test_a_row_inserted_out_of_place_is_named(counter: CounterContext) -> None:
    workflow(counter)
    last = chain_head(counter)
    conn = raw(counter)
    # A forged row appended with a made-up link, as if written without the app.
    conn.execute(
        "INSERT INTO audit_log (id, at, actor, action, object_ref, detail, prev_hash, hash) "
        "VALUES (?, '2026-11-25T09:30:00+07:00', 'mai', 'dossier.intake', 'X', '{}', ?, ?)",
        (last.id + 1, "f" * 64, "e" * 64),
    )
    conn.close()
    report = verify_chain(counter)
    assert not report.ok and report.first_bad_id == last.id + 1


def test_removed_guards_fail_the_check(counter: CounterContext) -> None:
    workflow(counter)
    conn = raw(counter)
    drop_guards(conn)
    conn.close()
    report = verify_chain(counter)
    assert not report.ok and report.first_bad_id is None and "trigger" in report.reason
