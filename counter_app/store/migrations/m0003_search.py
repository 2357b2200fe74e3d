"""Schema 3: finding any dossier from one search box (services/search.py explains the ranking).

- ``dossier_name_fts``: an FTS5 index over the folded applicant name (``applicant_key``:
  no marks, đ→d, lower case, as ``domain.text.fold`` makes it), rowid = ``dossier.id``.
  Prefix indexes for 1 to 6 letters keep "as you type" a plain doclist read: without them a
  prefix such as "nguy" merges the doclists of every word it starts in memory. It keeps its
  own copy of the key (not contentless): a stale or repeated rowid can then always be
  replaced or deleted correctly, whatever wrote the dossier row.
- Triggers keep it right on every write path (services, sync, raw SQL), in the same
  transaction as the write.
- ``dossier_code_tail`` (``YYMMDD-NNNN``) and ``dossier_code_number`` (``NNNN``): a code
  typed in part, without the agency prefix, is one index probe.
- ``dossier_tax_code``: organisations are looked up by tax code as citizens are by ID.
"""

STATEMENTS = [
    """CREATE VIRTUAL TABLE dossier_name_fts USING fts5(
        name,
        tokenize = 'unicode61 remove_diacritics 0',
        prefix = '1 2 3 4 5 6',
        columnsize = 0
    )""",
    """CREATE TRIGGER dossier_name_fts_insert AFTER INSERT ON dossier BEGIN
        INSERT OR REPLACE INTO dossier_name_fts (rowid, name)
        VALUES (new.id, new.applicant_key);
    END""",
    """CREATE TRIGGER dossier_name_fts_delete AFTER DELETE ON dossier BEGIN
        DELETE FROM dossier_name_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER dossier_name_fts_update AFTER UPDATE OF id, applicant_key ON dossier BEGIN
        DELETE FROM dossier_name_fts WHERE rowid = old.id;
        INSERT OR REPLACE INTO dossier_name_fts (rowid, name)
        VALUES (new.id, new.applicant_key);
    END""",
    "INSERT INTO dossier_name_fts (rowid, name) SELECT id, applicant_key FROM dossier",
    "CREATE INDEX dossier_code_tail ON dossier (substr(code, -11))",
    "CREATE INDEX dossier_code_number ON dossier (substr(code, -4))",
    "CREATE INDEX dossier_tax_code ON dossier (tax_code) WHERE tax_code <> ''",
]
