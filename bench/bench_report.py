"""The figures of a quarter of 5,000 dossiers: build, PDF and workbook vs raw SQLite.

The database is made through the real migrations and filled with one ``executemany`` per
table in one transaction: a quarter (Q3 2026) of 5,000 dossiers with a realistic spread
of procedures (certifications and civil status most of all), six clerks, statuses (most
returned, some still processing, paused, refused or withdrawn), returns early, on time
and late, ratings (two in five returns unrated), and 150 complaints; before it, two years
of 15,000 older dossiers, so the period's bounds and the indexes matter.

The subject is what the "Xem" button and the two exports do: ``build_report`` and then
``render_report`` (PDF) and the workbook (``build_workbook`` saved to memory). The
baseline runs the very same ``GROUP BY`` statements through a bare ``sqlite3``
connection on the same file: the floor any implementation has to pay for the numbers.
"""

from __future__ import annotations

import io
import random
import sqlite3
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import names
from bench.stats import Sample, measure, report
from counter_app.domain.clock import VN_TZ, iso
from counter_app.domain.deadlines import compute_due
from counter_app.domain.text import fold
from counter_app.domain.timeunits import TimeUnit
from counter_app.services import reports
from counter_app.services.calendars import work_calendar
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.settings import save_settings
from counter_app.store.models import Procedure

AGENCY = "000.00.17.H26"
QUARTER = reports.quarter_range(2026, 3)
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=VN_TZ)
CLERKS = (
    "Trần Thị Mai",
    "Lê Văn Hùng",
    "Nguyễn Thị Thu Hà",
    "Phạm Minh Tuấn",
    "Hoàng Thị Lan",
    "Đỗ Văn Nam",
)
# Share of dossiers per field (the rest of the catalogue shares what is left).
FIELD_WEIGHT = {"Chứng thực": 8.0, "Hộ tịch": 5.0}
# Status of a dossier received in the period, as it stands "now".
STATUS_MIX = ((10, 80), (9, 5), (4, 6), (2, 3), (5, 2), (3, 2), (7, 1), (8, 1))


def _working_moment(rng: random.Random, day: date) -> datetime:
    minute = rng.choice(
        (rng.randint(7 * 60, 11 * 60 + 29), rng.randint(13 * 60 + 30, 16 * 60 + 59))
    )
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=VN_TZ)


def fill(
    ctx: CounterContext, *, dossiers: int = 5000, history: int = 15_000, seed: int = 11
) -> None:
    """``dossiers`` in QUARTER and ``history`` in the two years before, in one go."""
    rng = random.Random(seed)
    cal = work_calendar(ctx)
    procedures = list(Procedure.select().where(Procedure.is_current == True))  # noqa: E712
    weights = [FIELD_WEIGHT.get(p.field, 1.0) for p in procedures]
    statuses = [s for s, _ in STATUS_MIX]
    status_weights = [w for _, w in STATUS_MIX]
    first, last = QUARTER
    quarter_days = [
        first + timedelta(days=k)
        for k in range((last - first).days + 1)
        if cal.is_working_day(first + timedelta(days=k))
    ]
    old_days = [
        first - timedelta(days=k)
        for k in range(1, 730)
        if cal.is_working_day(first - timedelta(days=k))
    ]
    per_day: dict[tuple[str, int], int] = {}
    register: dict[tuple[int, int], int] = {}
    rows: list[tuple[Any, ...]] = []
    returns: list[tuple[Any, ...]] = []
    for index in range(1, dossiers + history + 1):
        in_quarter = index <= dossiers
        day = rng.choice(quarter_days if in_quarter else old_days)
        received = _working_moment(rng, day)
        station = rng.randint(1, 3)
        key = (received.strftime("%y%m%d"), station)
        per_day[key] = per_day.get(key, 0) + 1
        register[(received.year, station)] = register.get((received.year, station), 0) + 1
        proc = rng.choices(procedures, weights)[0]
        cutoff = datetime.strptime(proc.cutoff, "%H:%M").time() if proc.cutoff else None
        due = compute_due(received, proc.time_value, TimeUnit(proc.time_unit), cutoff, cal)
        status = rng.choices(statuses, status_weights)[0] if in_quarter else 10
        resolved_at = returned_at = None
        if status in (9, 10):
            span = due - received
            # Most results are ready before the due moment; one in eight comes late.
            factor = rng.uniform(0.1, 0.95) if rng.random() > 0.125 else rng.uniform(1.0, 1.6)
            resolved_at = received + span * factor
            if status == 10:
                # Most citizens collect within hours; one in ten comes days later.
                wait = rng.randint(5, 240) if rng.random() < 0.9 else rng.randint(24 * 60, 96 * 60)
                returned_at = resolved_at + timedelta(minutes=wait)
                returned_at = min(returned_at, NOW - timedelta(hours=1))
                resolved_at = min(resolved_at, returned_at)
                rating = rng.choices((1, 2, 3, None), (39, 18, 3, 40))[0]
                returns.append(
                    (index, iso(returned_at), "applicant", "Người nhận", "counter", rating, "x")
                )
        name, sex, year = names.person(rng)
        rows.append(
            (
                index,
                f"{AGENCY}-{key[0]}-{station * 1000 + per_day[key]:04d}",
                AGENCY,
                station,
                proc.id,
                "citizen",
                name,
                fold(name),
                names.cccd(rng, sex, year),
                names.address(rng),
                names.phone(rng),
                iso(received),
                iso(received),
                iso(due),
                status,
                "counter",
                1,
                f"{received.year}-M{station}",
                register[(received.year, station)],
                rng.choice(CLERKS),
                iso(resolved_at) if resolved_at else None,
                iso(returned_at) if returned_at else None,
                iso(due),
            )
        )
    complaints = []
    for n in range(1, 151):
        received = _working_moment(rng, rng.choice(quarter_days))
        answered = received + timedelta(days=rng.randint(1, 20)) if rng.random() < 0.8 else None
        linked = rng.randint(1, dossiers) if rng.random() < 0.5 else None
        complaints.append(
            (
                f"PAKN-{n:05d}",
                iso(received),
                "Người phản ánh",
                "nguoi phan anh",
                linked,
                "" if linked else rng.choice(procedures).code,
                "counter",
                "Nội dung",
                "noi dung",
                "answered" if answered else "received",
                iso(received + timedelta(days=10)),
                iso(answered) if answered else None,
            )
        )
    conn = ctx.db.connection()
    with ctx.db.atomic():
        conn.executemany(
            "INSERT INTO dossier (id, code, agency_code, station, procedure_id, applicant_kind,"
            " applicant_name, applicant_key, id_number, address, phone, received_at,"
            " recorded_at, due_at, status, result_delivery, dossier_sets, register_book,"
            " register_number, clerk_name, resolved_at, returned_at, first_due_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO dossier_return (dossier_id, at, receiver_kind, receiver_name, channel,"
            " rating, actor) VALUES (?,?,?,?,?,?,?)",
            returns,
        )
        conn.executemany(
            "INSERT INTO complaint (code, received_at, sender_name, sender_key, dossier_id,"
            " procedure_code, channel, content, content_key, status, due_at, answered_at,"
            " actor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'x')",
            complaints,
        )
    ctx.db.execute_sql("ANALYZE")


def raw_sql_baseline(db_path: Path, runs: int) -> Sample:
    """The same statements through a bare sqlite3 connection: the cost of the numbers."""
    conn = sqlite3.connect(db_path)
    b = reports.bounds(*QUARTER, NOW)

    def all_queries() -> None:
        for sql, params, _ in reports.grouped_queries(b):
            conn.execute(sql, params).fetchall()
        conn.execute(reports.COMPLAINT_TOTALS_SQL, (b.cutoff, b.start, b.end)).fetchall()
        conn.execute(reports.NAMES_SQL).fetchall()

    try:
        return measure("raw sqlite3: the same GROUP BY queries", all_queries, runs=runs)
    finally:
        conn.close()


def run(runs: int = 20, dossiers: int = 5000, history: int = 15_000) -> dict[str, object]:
    from counter_app.documents.report_pdf import render_report
    from counter_app.services.report_xlsx import build_workbook

    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        folder = Path(tmp)
        ctx = open_counter(folder / "home")
        save_settings(
            ctx,
            agency_code=AGENCY,
            agency_name="UBND xã An Hòa",
            place_name="An Hòa",
            station=1,
            clerk_name=CLERKS[0],
        )
        fill(ctx, dossiers=dossiers, history=history)
        sample = reports.build_report(ctx, *QUARTER, now=NOW)
        assert sample.total.received == dossiers, sample.total.received

        def build() -> reports.Report:
            return reports.build_report(ctx, *QUARTER, now=NOW)

        def pdf() -> bytes:
            return render_report(sample, agency_name="UBND xã An Hòa", place_name="An Hòa")

        def xlsx() -> bytes:
            buf = io.BytesIO()
            build_workbook(sample, agency_name="UBND xã An Hòa").save(buf)
            return buf.getvalue()

        def everything() -> None:
            built = build()
            render_report(built, agency_name="UBND xã An Hòa", place_name="An Hòa")
            buf = io.BytesIO()
            build_workbook(built, agency_name="UBND xã An Hòa").save(buf)

        build_s = measure("build_report (quarter)", build, runs=runs)
        pdf_s = measure("render_report (PDF)", pdf, runs=runs)
        xlsx_s = measure("workbook (.xlsx in memory)", xlsx, runs=runs)
        all_s = measure("build + PDF + xlsx", everything, runs=runs)
        db_path = ctx.paths.db
        ctx.close()
        baseline = raw_sql_baseline(db_path, runs)
    print(
        f"\n   {dossiers:,} dossiers in the quarter, {history:,} before it; "
        f"{len(sample.by_procedure)} procedures, {len(sample.by_clerk)} clerks, "
        f"{sample.total.returned:,} returned"
    )
    report("Figures: build_report vs the same SQL", build_s, baseline, "(ratio only)")
    for part in (pdf_s, xlsx_s):
        print(f"   {part.name:<48} p50 {part.p50_ms:8.2f} ms   p95 {part.p95_ms:8.2f} ms")
    result = report("Figures of a quarter: build + PDF + xlsx", all_s, baseline, "p50 < 2000 ms")
    result.update(
        build_p50_ms=round(build_s.p50_ms, 3),
        pdf_p50_ms=round(pdf_s.p50_ms, 3),
        xlsx_p50_ms=round(xlsx_s.p50_ms, 3),
        met=all_s.p50_ms < 2000,
    )
    return result


if __name__ == "__main__":
    run(runs=5 if "--quick" in sys.argv else 20)
