"""Sync: 10,000 dossiers pushed over loopback, bytes on the wire per dossier, hub ingest
with 20 concurrent stations (SQLite and PostgreSQL), and the rounds needed to drain a
10,000-item queue through a proxy that drops 30% of the answers.

Every hub runs as its own process (``counter-app hub serve``), as at a district. The
baseline is ``bench/null_hub.py``: the same server, framework, gzip and JSON parsing with
no database, so the ratio is what exactly-once bookkeeping costs.
"""

from __future__ import annotations

import copy
import gzip
import http.client
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import names
from counter_app.domain.clock import iso, now_vn
from counter_app.domain.identity import ApplicantInput, Sex
from counter_app.hub.db import close_hub_db, hub_db, is_postgres, open_hub_db
from counter_app.hub.models import HUB_MODELS
from counter_app.hub.stations import add_station
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.settings import save_settings
from counter_app.store.db import close_database
from counter_app.store.models import Outbox
from counter_app.sync.client import HubClient
from counter_app.sync.engine import run_sync
from counter_app.sync.protocol import PUSH_BATCH, canonical_json

AGENCY = "000.00.17.H26"
# Birth, death, marriage registration, certified copy, residence: the daily mix.
TEMPLATE_PROCEDURES = ("1.001193", "1.000656", "1.000894", "2.000815", "1.004873")
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process_on_port(args: list[str]) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, *args, str(port)], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"server {args} did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def hub_process(db_url: str) -> Any:
    return process_on_port(["-m", "counter_app", "hub", "serve", "--db", db_url, "--port"])


def null_process() -> Any:
    return process_on_port(["-m", "bench.null_hub"])


def fresh_hub(db_url: str) -> None:
    open_hub_db(db_url)
    with hub_db.connection_context():
        hub_db.drop_tables(HUB_MODELS, safe=True, cascade=is_postgres())
    close_hub_db()
    open_hub_db(db_url)  # creates the tables and the catalogue again


def register(db_url: str, agency: str, station: int = 1) -> str:
    with hub_db.connection_context():
        return add_station(agency, station)[1]


# --------------------------------------------------------------------------- station data


def station_with_queue(folder: Path, count: int, seed: int = 11) -> CounterContext:
    """A station whose outbox holds ``count`` intakes: one real intake as the template,
    the rest cloned with other codes, names, ID numbers and moments (fast to build)."""
    ctx = open_counter(folder)
    save_settings(
        ctx,
        agency_code=AGENCY,
        agency_name="UBND xã An Hòa",
        place_name="An Hòa",
        station=1,
        clerk_name="Trần Thị Mai",
    )
    # Real intakes of several procedures are the templates; the clones vary what varies
    # between citizens (name, ID, phone, address, dates, numbers), so gzip is not flattered.
    applicant = ApplicantInput(
        name="Nguyễn Văn Đức",
        id_number="001090012345",
        sex=Sex.MALE,
        address="Thôn Đông Hòa, xã An Hòa",
        phone="0912345678",
    )
    for procedure in TEMPLATE_PROCEDURES:
        receive(ctx, IntakeRequest(procedure, applicant, allow_duplicate=True))
    templates = list(Outbox.select().order_by(Outbox.id))
    rng = random.Random(seed)
    start = now_vn() - timedelta(days=30)
    rows = []
    for index in range(len(templates) + 1, count + 1):
        template = templates[index % len(templates)]
        payload = copy.deepcopy(template.payload)
        moment = start + timedelta(minutes=index, seconds=rng.randint(0, 59))
        code = f"{AGENCY}-{moment:%y%m%d}-{1000 + index % 999:04d}-{index}"
        name, sex, year = names.person(rng)
        payload.update(
            code=code,
            applicant_name=name,
            received_at=iso(moment),
            recorded_at=iso(moment + timedelta(seconds=rng.randint(5, 90))),
            due_at=iso(moment + timedelta(days=rng.randint(0, 15), hours=rng.randint(0, 8))),
            register_number=index,
        )
        payload["applicant"].update(
            name=name,
            id_number=names.cccd(rng, sex, year),
            dob=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            sex=sex,
            address=names.address(rng),
            phone=names.phone(rng),
        )
        for step in payload.get("history", []):
            step["at"] = iso(moment)
        rows.append(
            {
                "item_id": str(uuid.uuid4()),
                "kind": template.kind,
                "entity_ref": code,
                "payload": payload,
                "created_at": moment,
            }
        )
    with ctx.db.atomic():
        for start_at in range(0, len(rows), 500):
            Outbox.insert_many(rows[start_at : start_at + 500]).execute()
    return ctx


def reset_queue() -> None:
    Outbox.update(acked_at=None, error=None).execute()


# --------------------------------------------------------------------------- 1 and 2


def push_all(ctx: CounterContext, url: str, token: str) -> tuple[float, dict[str, Any]]:
    reset_queue()
    started = time.perf_counter()
    report = run_sync(ctx, HubClient(url, token, timeout_s=120))
    elapsed = time.perf_counter() - started
    assert not report.error and report.pending == 0, report.to_json()
    return elapsed, report.to_json()


def bench_push(ctx: CounterContext, count: int, db_url: str) -> dict[str, Any]:
    from tests.support.fault_proxy import FaultProxy

    fresh_hub(db_url)
    token = register(db_url, AGENCY)
    close_hub_db()
    with hub_process(db_url) as port:
        real_s, real = push_all(ctx, f"http://127.0.0.1:{port}", token)
        fresh_hub(db_url)  # again through a proxy that counts the bytes
        token = register(db_url, AGENCY)
        close_hub_db()
        with FaultProxy("127.0.0.1", port) as proxy:
            push_all(ctx, proxy.url, token)
            stats = proxy.stats()
    with null_process() as port:
        null_s, _ = push_all(ctx, f"http://127.0.0.1:{port}", token)
    wire = stats.bytes_from_client + stats.bytes_to_client
    result = {
        "title": f"push {count} dossiers over loopback (SQLite hub)",
        "seconds": round(real_s, 2),
        "baseline_null_hub_seconds": round(null_s, 2),
        "ratio": round(real_s / null_s, 2),
        "dossiers_per_s": round(count / real_s),
        "requests": real["requests"],
        "wire_bytes_per_dossier": round(wire / count),
        "payload_bytes_per_dossier_gzip": round(real["bytes_sent"] / count),
        "one_dossier_alone_gzip_bytes": len(
            gzip.compress(canonical_json({"items": [Outbox.get().payload]}), 6, mtime=0)
        ),
        "json_bytes_per_dossier_raw": round(
            sum(len(canonical_json(r.payload)) for r in Outbox.select()) / count
        ),
        "target": "≤ 10 s end to end; ≤ 1 KB on the wire per dossier",
    }
    print(f"\n== {result['title']}\n   {result}")
    return result


# --------------------------------------------------------------------------- 3


def _bodies(ctx_payload: dict[str, Any], agency: str, count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    bodies, items = [], []
    for index in range(1, count + 1):
        payload = copy.deepcopy(ctx_payload)
        code = f"{agency}-261125-{index:04d}-{seed}"
        name, _, _ = names.person(rng)
        payload.update(code=code, applicant_name=name)
        items.append(
            {
                "id": str(uuid.uuid4()),
                "seq": index,
                "kind": "dossier.received",
                "ref": code,
                "created_at": payload["received_at"],
                "payload": payload,
            }
        )
        if len(items) == PUSH_BATCH:
            bodies.append(gzip.compress(canonical_json({"items": items}), 6, mtime=0))
            items = []
    if items:
        bodies.append(gzip.compress(canonical_json({"items": items}), 6, mtime=0))
    return bodies


def _station_worker(args: tuple[int, str, list[bytes], Any]) -> int:
    port, token, bodies, barrier = args
    barrier.wait()
    sent = 0
    for body in bodies:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request(
            "POST",
            "/api/v1/push",
            body=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Encoding": "gzip",
                "Content-Type": "application/json",
            },
        )
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            raise RuntimeError(f"push failed: HTTP {response.status}")
        sent += 1
    return sent


def _run_concurrent(port: int, jobs: list[tuple[str, list[bytes]]]) -> float:
    mp = multiprocessing.get_context("spawn")
    manager = mp.Manager()
    barrier = manager.Barrier(len(jobs) + 1)
    with mp.Pool(len(jobs)) as pool:
        pending = pool.map_async(
            _station_worker, [(port, token, bodies, barrier) for token, bodies in jobs]
        )
        barrier.wait()
        started = time.perf_counter()
        pending.get(timeout=1800)
        return time.perf_counter() - started


def bench_concurrent(template: dict[str, Any], db_url: str, label: str, per: int) -> dict[str, Any]:
    stations = 20
    agencies = [f"{i:03d}.00.17.H26" for i in range(1, stations + 1)]
    fresh_hub(db_url)
    tokens = [register(db_url, agency) for agency in agencies]
    close_hub_db()
    jobs = [
        (token, _bodies(template, agency, per, seed))
        for seed, (token, agency) in enumerate(zip(tokens, agencies, strict=True))
    ]
    total = stations * per
    with hub_process(db_url) as port:
        real_s = _run_concurrent(port, jobs)
    with null_process() as port:
        null_s = _run_concurrent(port, jobs)
    result = {
        "title": f"hub ingest, {stations} concurrent stations, {label}",
        "dossiers": total,
        "seconds": round(real_s, 2),
        "dossiers_per_s": round(total / real_s),
        "baseline_null_hub_per_s": round(total / null_s),
        "ratio": round(real_s / null_s, 2),
        "target": "≥ 1,000 dossiers/s on PostgreSQL",
    }
    print(f"\n== {result['title']}\n   {result}")
    return result


# --------------------------------------------------------------------------- 4


def bench_drain(ctx: CounterContext, count: int, db_url: str) -> dict[str, Any]:
    from tests.support.fault_proxy import Fault, FaultProxy

    out: dict[str, Any] = {"title": f"drain {count} items, proxy drops 30% of answers"}
    for retries in (0, 3):
        fresh_hub(db_url)
        token = register(db_url, AGENCY)
        close_hub_db()
        reset_queue()
        with hub_process(db_url) as port, FaultProxy("127.0.0.1", port) as proxy:
            proxy.set_rates({Fault.DROP_RESPONSE: 0.3}, seed=5, path_prefix="/api/v1/push")
            rounds = requests = 0
            started = time.perf_counter()
            while Outbox.select().where(Outbox.acked_at.is_null()).exists():
                report = run_sync(
                    ctx, HubClient(proxy.url, token, timeout_s=60), retries=retries, backoff_s=0
                )
                rounds += 1
                requests += report.requests + report.retries
            out[f"retries_{retries}"] = {
                "rounds": rounds,
                "requests": requests,
                "seconds": round(time.perf_counter() - started, 2),
            }
    print(f"\n== {out['title']}\n   {out}")
    return out


def run(count: int = 10_000, per_station: int = 1_000) -> list[dict[str, Any]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    os.environ.setdefault("COUNTER_APP_HOME", str(folder / "home"))
    ctx = station_with_queue(folder / "station", count)
    template = Outbox.select().order_by(Outbox.id).first().payload
    sqlite_url = str(folder / "hub.sqlite3")
    results = [bench_push(ctx, count, sqlite_url)]
    results.append(bench_drain(ctx, count, sqlite_url))
    results.append(bench_concurrent(template, str(folder / "hub-c.sqlite3"), "SQLite", per_station))
    pg_url = os.environ.get("COUNTER_APP_TEST_PG_URL")
    if pg_url:
        results.append(bench_concurrent(template, pg_url, "PostgreSQL", per_station))
    else:
        print("\n== PostgreSQL ingest skipped: set COUNTER_APP_TEST_PG_URL")
    close_database()
    return results


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    run(count=2_000 if quick else 10_000, per_station=200 if quick else 1_000)
