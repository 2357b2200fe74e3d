"""Schema 1: settings, catalogue, calendars, dossiers, history, outbox, audit, printouts."""

STATEMENTS = [
    """CREATE TABLE setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE sequence (
        name TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    )""",
    """CREATE TABLE procedure (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL,
        version INTEGER NOT NULL,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        field TEXT NOT NULL,
        level TEXT NOT NULL DEFAULT '',
        time_value INTEGER NOT NULL,
        time_unit TEXT NOT NULL,
        cutoff TEXT,
        result TEXT NOT NULL DEFAULT '',
        legal_basis TEXT NOT NULL DEFAULT '',
        documents TEXT NOT NULL,
        fees TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        is_current INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        UNIQUE (code, version)
    )""",
    "CREATE INDEX procedure_current ON procedure (is_current, code)",
    """CREATE TABLE calendar_year (
        year INTEGER PRIMARY KEY,
        days_off TEXT NOT NULL,
        working_days TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        imported_at TEXT NOT NULL
    )""",
    """CREATE TABLE dossier (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        agency_code TEXT NOT NULL,
        station INTEGER NOT NULL,
        procedure_id INTEGER NOT NULL REFERENCES procedure (id),
        applicant_kind TEXT NOT NULL,
        applicant_name TEXT NOT NULL,
        applicant_key TEXT NOT NULL,
        id_number TEXT NOT NULL DEFAULT '',
        tax_code TEXT NOT NULL DEFAULT '',
        dob TEXT,
        sex TEXT,
        address TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        received_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        due_at TEXT NOT NULL,
        status INTEGER NOT NULL,
        result_delivery TEXT NOT NULL,
        dossier_sets INTEGER NOT NULL DEFAULT 1,
        register_book TEXT NOT NULL,
        register_number INTEGER NOT NULL,
        clerk_name TEXT NOT NULL,
        entered_late INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX dossier_received ON dossier (received_at)",
    "CREATE INDEX dossier_status_due ON dossier (status, due_at)",
    "CREATE INDEX dossier_id_number ON dossier (id_number) WHERE id_number <> ''",
    "CREATE INDEX dossier_phone ON dossier (phone) WHERE phone <> ''",
    "CREATE INDEX dossier_applicant_key ON dossier (applicant_key)",
    """CREATE TABLE dossier_document (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossier (id),
        position INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('original', 'copy')),
        count INTEGER NOT NULL CHECK (count >= 1),
        UNIQUE (dossier_id, position)
    )""",
    """CREATE TABLE status_history (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossier (id),
        from_status INTEGER,
        to_status INTEGER NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX status_history_dossier ON status_history (dossier_id, id)",
    """CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        item_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        entity_ref TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        acked_at TEXT,
        error TEXT
    )""",
    "CREATE INDEX outbox_pending ON outbox (acked_at, id)",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object_ref TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE printout (
        id INTEGER PRIMARY KEY,
        dossier_id INTEGER NOT NULL REFERENCES dossier (id),
        form TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        reprint INTEGER NOT NULL,
        path TEXT NOT NULL DEFAULT ''
    )""",
    "CREATE INDEX printout_dossier ON printout (dossier_id, form)",
]
