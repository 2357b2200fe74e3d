"""Schema 4: sync with the district hub (counter_app/sync/).

- ``status_history.origin``: 'local' for a step taken at this counter (pushed upstream),
  'hub' for one the district recorded and the station pulled (never pushed back).
- ``outbox``: an item the hub refused is settled (``acked_at``) with its ``error``; the
  partial index finds what still waits without scanning the settled history.
- ``sync_issue``: what went wrong on the way up or down, shown on the dossier it concerns
  (a refused item, a hub status the station could not apply), until a clerk has seen it.
- ``hub_change``: the hub changes already applied, by hub change id, so a change pulled
  twice (a lost response) is applied once.
"""

STATEMENTS = [
    "ALTER TABLE status_history ADD COLUMN origin TEXT NOT NULL DEFAULT 'local'",
    "CREATE INDEX outbox_waiting ON outbox (id) WHERE acked_at IS NULL",
    """CREATE TABLE sync_issue (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('push', 'pull')),
        dossier_code TEXT NOT NULL DEFAULT '',
        item_id TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL,
        dismissed_at TEXT,
        dismissed_by TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX sync_issue_dossier ON sync_issue (dossier_code, id)",
    """CREATE TABLE hub_change (
        change_id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        ref TEXT NOT NULL DEFAULT '',
        applied_at TEXT NOT NULL,
        outcome TEXT NOT NULL
    )""",
]
