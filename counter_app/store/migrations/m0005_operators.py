"""Schema 5: operators, a hash-chained audit trail, and idempotent intake.

- ``operator``: who may use the counter (clerk, supervisor, admin), an argon2id password
  hash, failed-login count and lock time.
- ``audit_log`` gains ``prev_hash``/``hash`` (``counter_app.domain.audit_chain``); rows
  written before this schema are chained here, in id order, and from now on triggers
  refuse any UPDATE or DELETE on the table.
- ``dossier.submission_id``: the id the intake form drew when it opened; a double press or
  a repeated scan sends the same id and gets the dossier already saved.
"""

from __future__ import annotations

from typing import Any

from counter_app.domain.audit_chain import GENESIS, row_hash


def _chain_existing_rows(db: Any) -> None:
    rows = db.execute_sql(
        "SELECT id, at, actor, action, object_ref, detail FROM audit_log ORDER BY id"
    ).fetchall()
    prev = GENESIS
    # Renumbered without gaps: the chain treats a gap as a removed row.
    for new_id, (old_id, at, actor, action, ref, detail) in enumerate(rows, start=1):
        digest = row_hash(prev, new_id, at, actor, action, ref, detail)
        db.execute_sql(
            "UPDATE audit_log SET id = ?, prev_hash = ?, hash = ? WHERE id = ?",
            (new_id, prev, digest, old_id),
        )
        prev = digest


STATEMENTS: list[Any] = [
    """CREATE TABLE operator (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        full_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'admin')),
        password_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
    )""",
    "ALTER TABLE audit_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE audit_log ADD COLUMN hash TEXT NOT NULL DEFAULT ''",
    _chain_existing_rows,
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    "ALTER TABLE dossier ADD COLUMN submission_id TEXT",
    "CREATE UNIQUE INDEX dossier_submission ON dossier (submission_id) "
    "WHERE submission_id IS NOT NULL",
]
