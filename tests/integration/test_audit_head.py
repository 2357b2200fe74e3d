"""The chain head travels to the hub with each sync: the district sees a station whose
audit history was rewritten, even when the hashes after the edit were recomputed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from counter_app.domain.audit_chain import row_hash
from counter_app.hub.db import hub_db
from counter_app.hub.stations import list_stations
from counter_app.services.audit import chain_head, verify_chain
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from tests.support.hubkit import intake, make_station, running_hub


def rewrite_history(db_path: Path, row_id: int) -> None:
    """What a careful forger does: edit a row, re-hash every row after it, put the guards
    back. The local check cannot tell; the hub can."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'ai-do' WHERE id = ?", (row_id,))
    prev = conn.execute("SELECT prev_hash FROM audit_log WHERE id = ?", (row_id,)).fetchone()[0]
    rows = conn.execute(
        "SELECT id, at, actor, action, object_ref, detail FROM audit_log WHERE id >= ? ORDER BY id",
        (row_id,),
    ).fetchall()
    for rid, at, actor, action, ref, detail in rows:
        digest = row_hash(prev, rid, at, actor, action, ref, detail)
        conn.execute(
            "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, rid)
        )
        prev = digest
    conn.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    )
    conn.close()


def stations() -> list[dict[str, object]]:
    with hub_db.connection_context():
        return list_stations()


def test_the_hub_sees_a_rewritten_history(tmp_path: Path) -> None:
    with running_hub(str(tmp_path / "hub.sqlite3")) as hub:
        one = make_station(tmp_path, 1)
        ctx = one.activate()
        intake(ctx, 1)
        first = run_sync(ctx, HubClient(hub.url, one.token))
        assert first.audit_verdict == "first"
        intake(ctx, 2)
        second = run_sync(ctx, HubClient(hub.url, one.token))
        assert second.audit_verdict == "ok"
        [row] = stations()
        assert row["audit_verdict"] == "ok" and row["audit_rewritten_at"] is None
        head = row["audit_head"]
        # Reported before the round wrote its own "sync.run" row.
        assert isinstance(head, dict) and head["id"] == chain_head(ctx).id - 1

        ctx.close()
        rewrite_history(one.home / "counter.sqlite3", 3)
        ctx = one.activate()
        assert verify_chain(ctx).ok  # locally consistent: the forger re-hashed everything
        third = run_sync(ctx, HubClient(hub.url, one.token))
        assert third.audit_verdict == "rewritten"
        [row] = stations()
        assert row["audit_rewritten_at"] is not None
        assert "khác so với lần báo trước" in str(row["audit_rewritten_detail"])


def test_a_shorter_history_is_flagged(tmp_path: Path) -> None:
    with running_hub(str(tmp_path / "hub.sqlite3")) as hub:
        one = make_station(tmp_path, 1)
        ctx = one.activate()
        backup = tmp_path / "before.sqlite3"
        dest = sqlite3.connect(backup)
        ctx.db.connection().backup(dest)
        dest.close()
        intake(ctx, 1)
        assert run_sync(ctx, HubClient(hub.url, one.token)).audit_verdict == "first"
        ctx.close()
        # The station goes back to an older copy of its database (rows lost since).
        (one.home / "counter.sqlite3").write_bytes(backup.read_bytes())
        for extra in ("-wal", "-shm"):
            (one.home / f"counter.sqlite3{extra}").unlink(missing_ok=True)
        ctx = one.activate()
        assert run_sync(ctx, HubClient(hub.url, one.token)).audit_verdict == "rewritten"
