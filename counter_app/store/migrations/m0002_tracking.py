"""Schema 2: following a dossier to its end (hand-overs, due-date changes, notices, returns
and ratings) and complaints and suggestions (phản ánh, kiến nghị)."""

STATEMENTS = [
    # Who holds the dossier now; when its clock was paused (statuses 5, 6, 8); when it was
    # resolved and returned. Kept on the row so the overdue board and the figures need no
    # join over the history.
    "ALTER TABLE dossier ADD COLUMN holder TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE dossier ADD COLUMN paused_at TEXT",
    "ALTER TABLE dossier ADD COLUMN resolved_at TEXT",
    "ALTER TABLE dossier ADD COLUMN returned_at TEXT",
    "ALTER TABLE dossier ADD COLUMN first_due_at TEXT",
    "UPDATE dossier SET first_due_at = due_at",
    "CREATE INDEX dossier_returned ON dossier (returned_at) WHERE returned_at IS NOT NULL",
    "CREATE INDEX dossier_resolved ON dossier (resolved_at) WHERE resolved_at IS NOT NULL",
    """CREATE TABLE handover (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossier (id),
        position INTEGER NOT NULL,
        from_party TEXT NOT NULL,
        to_party TEXT NOT NULL,
        at TEXT NOT NULL,
        giver TEXT NOT NULL DEFAULT '',
        taker TEXT NOT NULL DEFAULT '',
        step_due_at TEXT NOT NULL,
        result TEXT NOT NULL CHECK (result IN ('early', 'on_time', 'late')),
        note TEXT NOT NULL DEFAULT '',
        actor TEXT NOT NULL,
        UNIQUE (dossier_id, position)
    )""",
    """CREATE TABLE due_change (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossier (id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('resume', 'apology')),
        old_due_at TEXT NOT NULL,
        new_due_at TEXT NOT NULL,
        paused_from TEXT,
        reason TEXT NOT NULL DEFAULT '',
        actor TEXT NOT NULL
    )""",
    "CREATE INDEX due_change_dossier ON due_change (dossier_id, id)",
    # The law allows one apology with a new date per dossier.
    "CREATE UNIQUE INDEX due_change_one_apology ON due_change (dossier_id) WHERE kind = 'apology'",
    """CREATE TABLE notice (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossier (id),
        form TEXT NOT NULL CHECK (form IN ('02', '03', '04', '05')),
        number TEXT NOT NULL,
        at TEXT NOT NULL,
        reason TEXT NOT NULL,
        documents TEXT NOT NULL DEFAULT '[]',
        due_at TEXT NOT NULL,
        new_due_at TEXT,
        officer_name TEXT NOT NULL DEFAULT '',
        officer_phone TEXT NOT NULL DEFAULT '',
        actor TEXT NOT NULL
    )""",
    "CREATE INDEX notice_dossier ON notice (dossier_id, id)",
    # One row per dossier: the database itself refuses a second return.
    """CREATE TABLE dossier_return (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL UNIQUE REFERENCES dossier (id),
        at TEXT NOT NULL,
        receiver_kind TEXT NOT NULL CHECK (receiver_kind IN ('applicant', 'authorised')),
        receiver_name TEXT NOT NULL,
        receiver_id_number TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL CHECK (channel IN ('counter', 'post')),
        rating INTEGER CHECK (rating IN (1, 2, 3)),
        comment TEXT NOT NULL DEFAULT '',
        actor TEXT NOT NULL
    )""",
    "CREATE INDEX dossier_return_at ON dossier_return (at)",
    """CREATE TABLE complaint (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        received_at TEXT NOT NULL,
        sender_name TEXT NOT NULL,
        sender_key TEXT NOT NULL,
        sender_contact TEXT NOT NULL DEFAULT '',
        dossier_id INTEGER REFERENCES dossier (id),
        procedure_code TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL CHECK (channel IN ('counter', 'phone', 'mail', 'email', 'portal')),
        content TEXT NOT NULL,
        content_key TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('received', 'assigned', 'answered', 'closed')),
        assignee TEXT NOT NULL DEFAULT '',
        due_at TEXT NOT NULL,
        answer TEXT NOT NULL DEFAULT '',
        answered_at TEXT,
        closed_at TEXT,
        actor TEXT NOT NULL
    )""",
    "CREATE INDEX complaint_received ON complaint (received_at)",
    "CREATE INDEX complaint_status_due ON complaint (status, due_at)",
]
