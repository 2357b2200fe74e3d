"""The database file: its settings, its migrations, and refusing what it cannot read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from counter_app.errors import StorageError
from counter_app.services.context import open_counter
from counter_app.store.db import close_database
from counter_app.store.migrations import MIGRATIONS, SCHEMA_VERSION, schema_version


def test_pragmas_are_durable(blank_counter) -> None:  # type: ignore[no-untyped-def]
    db = blank_counter.db
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_new_database_is_at_current_schema_and_seeded(blank_counter) -> None:  # type: ignore[no-untyped-def]
    assert schema_version(blank_counter.db) == SCHEMA_VERSION
    tables = set(blank_counter.db.get_tables())
    assert {
        "setting",
        "procedure",
        "dossier",
        "dossier_document",
        "status_history",
        "outbox",
        "audit_log",
        "calendar_year",
    } <= tables
    count = blank_counter.db.execute_sql("SELECT count(*) FROM procedure").fetchone()[0]
    assert count >= 20


def test_every_migration_module_is_listed_in_order() -> None:
    folder = Path(__file__).resolve().parents[2] / "counter_app" / "store" / "migrations"
    files = sorted(p.stem for p in folder.glob("m[0-9][0-9][0-9][0-9]_*.py"))
    assert [m.__name__.rsplit(".", 1)[1] for _, m in MIGRATIONS] == files
    assert [n for n, _ in MIGRATIONS] == list(range(1, len(files) + 1))


def test_database_newer_than_the_app_is_refused_untouched(home: Path) -> None:
    ctx = open_counter(home)
    path = ctx.paths.db
    ctx.db.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    close_database()
    before = path.read_bytes()
    with pytest.raises(StorageError) as caught:
        open_counter(home)
    assert "phiên bản mới hơn" in caught.value.message
    assert path.read_bytes() == before


def test_not_a_database_is_a_clear_error(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "counter.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError) as caught:
        open_counter(home)
    assert "Không mở được cơ sở dữ liệu" in caught.value.message


def test_older_database_is_copied_aside_before_migrating(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counter_app.store import migrations

    home.mkdir(parents=True)
    path = home / "counter.sqlite3"
    raw = sqlite3.connect(path)
    for statement in migrations.m0001_initial.STATEMENTS:
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()

    extra = type("M2", (), {"STATEMENTS": ["CREATE TABLE extra (id INTEGER PRIMARY KEY)"]})
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, (2, extra)])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 2)
    ctx = open_counter(home, seed=False)
    assert schema_version(ctx.db) == 2
    assert "extra" in ctx.db.get_tables()
    ctx.close()
    copies = list(home.glob("counter.sqlite3.v1-*.bak"))
    assert len(copies) == 1
    kept = sqlite3.connect(copies[0])
    assert kept.execute("PRAGMA user_version").fetchone()[0] == 1
    kept.close()
