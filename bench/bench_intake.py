"""Intake on a database of 100,000 dossiers vs a raw sqlite3 single-row commit.

Both commit with WAL + synchronous=FULL on the same disk, so the ratio shows what the service
adds on top of the fsync every durable commit pays.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from bench import names
from bench.stats import Sample, measure, report
from counter_app.domain.clock import VN_TZ, iso
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.domain.text import fold
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.settings import save_settings
from counter_app.store.models import Procedure

AGENCY = "000.00.17.H26"


def fill(ctx: CounterContext, count: int, seed: int = 7) -> None:
    """``count`` dossiers over ten past years, with documents and history, in one go."""
    rng = random.Random(seed)
    procedures = [(p.id, p.code) for p in Procedure.select(Procedure.id, Procedure.code)]
    start = datetime(2016, 1, 4, 7, 30, tzinfo=VN_TZ)
    per_day: dict[tuple[str, int], int] = {}
    dossiers, documents, history = [], [], []
    for index in range(1, count + 1):
        moment = start + timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 9))
        station = rng.randint(1, 9)
        key = (moment.strftime("%y%m%d"), station)
        per_day[key] = per_day.get(key, 0) + 1
        code = f"{AGENCY}-{key[0]}-{station * 1000 + per_day[key]:04d}"
        name, sex, year = names.person(rng)
        proc_id, _ = rng.choice(procedures)
        due = moment + timedelta(days=rng.randint(0, 10))
        dossiers.append(
            (
                index,
                code,
                AGENCY,
                station,
                proc_id,
                "citizen",
                name,
                fold(name),
                names.cccd(rng, sex, year),
                names.address(rng),
                names.phone(rng),
                iso(moment),
                iso(moment),
                iso(due),
                10,
                "counter",
                1,
                f"{moment.year}-M{station}",
                index,
                "Cán bộ một cửa",
            )
        )
        documents.append((index, 1, "Tờ khai", "original", 1))
        documents.append((index, 2, "Bản sao giấy tờ tùy thân", "copy", 1))
        history.append((index, None, 2, iso(moment), "Cán bộ một cửa"))
        history.append((index, 2, 10, iso(due), "Cán bộ một cửa"))
    conn = ctx.db.connection()
    with ctx.db.atomic():
        conn.executemany(
            "INSERT INTO dossier (id, code, agency_code, station, procedure_id, applicant_kind,"
            " applicant_name, applicant_key, id_number, address, phone, received_at,"
            " recorded_at, due_at, status, result_delivery, dossier_sets, register_book,"
            " register_number, clerk_name) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            dossiers,
        )
        conn.executemany(
            "INSERT INTO dossier_document (dossier_id, position, name, kind, count)"
            " VALUES (?,?,?,?,?)",
            documents,
        )
        conn.executemany(
            "INSERT INTO status_history (dossier_id, from_status, to_status, at, actor)"
            " VALUES (?,?,?,?,?)",
            history,
        )
    ctx.db.execute_sql("ANALYZE")


def raw_commit_baseline(folder: Path, runs: int) -> Sample:
    conn = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA synchronous=full")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, name TEXT, at TEXT)")
    counter = iter(range(10**9))

    def commit_one() -> None:
        n = next(counter)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO t (code, name, at) VALUES (?,?,?)",
            (f"code-{n}", "Nguyễn Văn Đức", "2026-11-25T08:00:00+07:00"),
        )
        conn.execute("COMMIT")

    try:
        return measure("raw sqlite3 INSERT + COMMIT (WAL, FULL)", commit_one, runs=runs)
    finally:
        conn.close()


def run(dossiers: int = 100_000, runs: int = 300) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        folder = Path(tmp)
        ctx = open_counter(folder / "home")
        save_settings(
            ctx,
            agency_code=AGENCY,
            agency_name="UBND xã An Hòa",
            place_name="An Hòa",
            station=1,
            clerk_name="Cán bộ một cửa",
        )
        fill(ctx, dossiers)
        applicant = ApplicantInput(
            name="Nguyễn Văn Đức",
            id_number="001090012345",
            dob=datetime(1990, 5, 1).date(),
            sex=Sex.MALE,
            address="Thôn Đông, xã An Hòa",
            phone="0912345678",
        )
        request = IntakeRequest("2.000815", applicant, allow_duplicate=True)
        subject = measure(
            f"intake service on {dossiers:,} dossiers", lambda: receive(ctx, request), runs=runs
        )
        ctx.close()
        baseline = raw_commit_baseline(folder, runs)
    return report("Intake (one durable transaction)", subject, baseline, "intake p50 <= 3 ms")


if __name__ == "__main__":
    run()
