"""A counter doing intakes in a loop, to be killed: the subject of the crash campaigns.

Run as a process::

    python -m tests.support.intake_worker HOME [--seed S] [--run R] [--count N]
        [--resend RUN:SEED:N] [--autocheckpoint PAGES]
        [--vfs powercut [--synchronous off|normal] [--leak P] [--cut-at N]]

It opens the counter in HOME through ``ready_counter`` (setting it up on first use),
prints ``READY``, then receives dossiers through the real service, one after another.
Before each ``receive`` it prints ``BEGIN <n>``; after ``receive`` returns (its
transaction committed) it prints ``SAVED <code> <fingerprint>`` and flushes: that line is
the promise the campaigns hold it to. ``TX`` and ``COMMIT`` lines, printed as SQLite
starts those statements, tell where a kill fell (inside a write transaction or not).
Applicants (Vietnamese names, typed composed or decomposed, valid CCCD numbers,
organisations with tax codes), procedures of the seeded catalogue, documents, sets and
delivery vary with ``--seed``.

A request the service refuses as a duplicate of an open dossier (``REFUSED``: nothing
saved) is skipped. Each request carries a submission id, as the intake form does;
``--resend`` first sends again the request a killed worker had in flight (``BEGIN
resend``): as a clerk pressing Lưu again after the crash, it must get the dossier saved
before the crash, if it was, and never a second one.

The module is also the campaigns' toolkit: ``fingerprint`` (the same digest from what
``receive`` returned and from the rows on disk), ``run_round`` (start a worker, kill it at
a planned moment, collect what it reported), ``inspect_store`` (read a killed counter's
database: every dossier whole, numbering consistent, integrity) and ``Totals``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from counter_app.services.dto import DossierDetail, ProcedureInfo
    from counter_app.services.intake import IntakeRequest

REPO = Path(__file__).resolve().parents[2]
DB_NAME = "counter.sqlite3"
INTAKES_PER_RUN = 999  # a run's applicants are numbered run * 1000 + n
INTAKE_ACTIONS = ("dossier.intake", "dossier.intake.backdated")

# --- the applicants ------------------------------------------------------------------------

FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Lương", "Tạ",
)  # fmt: skip
MIDDLE = {
    "M": ("Văn", "Hữu", "Đức", "Công", "Quang", "Minh", "Thành", "Xuân"),
    "F": ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Diệu", "Phương"),
}
GIVEN = {
    "M": ("Đức", "Hùng", "Dũng", "Tuấn", "Khoa", "Phúc", "Quý", "Việt", "Cường", "Lộc",
          "Nghĩa", "Thắng", "Huỳnh", "Khải", "Đạt", "Toàn"),
    "F": ("Hòa", "Hoà", "Lan", "Hương", "Thảo", "Nguyệt", "Yến", "Phượng", "Ánh", "Trinh",
          "Uyên", "Huệ", "Ngân", "Thủy", "Thuỷ", "Diệp"),
}  # fmt: skip
ORGANISATIONS = (
    "Công ty TNHH Minh Đức", "Hợp tác xã Nông nghiệp Đông Hòa", "Công ty CP Xây dựng Sông Đà",
    "Doanh nghiệp tư nhân Phúc Lộc", "Công ty TNHH Thương mại Ánh Dương",
)  # fmt: skip
VILLAGES = ("Đông Hòa", "Tây Sơn", "Bắc Ninh Xá", "Phú Mỹ", "Quỳnh Lâm", "Ấp Ông Đồ")
NOTES = ("", "", "", "Nộp thay cho người thân", "Hẹn bổ sung bản sao sau", "Người cao tuổi")


def _typed(rng: Random, text: str) -> str:
    """As a keyboard might send it: composed, decomposed, or with stray spaces."""
    form = rng.random()
    if form < 0.25:
        return unicodedata.normalize("NFD", text)
    if form < 0.35:
        return "  " + text.replace(" ", "  ") + " "
    return text


def _phone(rng: Random) -> str:
    digits = f"0{rng.choice('35789')}{rng.randrange(10**8):08d}"
    style = rng.random()
    if style < 0.2:
        return ""
    if style < 0.4:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    if style < 0.5:
        return "+84 " + digits[1:]
    return digits


def submission_of(index: int) -> str:
    return f"campaign-{index}"


def make_request(rng: Random, index: int, procedures: Sequence[ProcedureInfo]) -> IntakeRequest:
    """The ``index``-th applicant of a campaign (``run * 1000 + n``): CCCD and tax code
    differ for every index, dates of birth for the first 50 of each of 480 runs, so the
    service's duplicate check (same person, same procedure, still open) stays rare."""
    from counter_app.domain.identity import (
        PROVINCE_CODES,
        ApplicantInput,
        ApplicantKind,
        Sex,
        century_sex_digit,
    )
    from counter_app.services.dto import DocumentLine
    from counter_app.services.intake import IntakeRequest

    procedure = rng.choice(procedures)
    serial = index % 10**6
    provinces = sorted(PROVINCE_CODES)
    province = provinces[(index // 10**6 + serial) % len(provinces)]
    if rng.random() < 0.12:
        name = rng.choice(ORGANISATIONS)
        tax = f"01{serial:06d}{rng.randrange(100):02d}"
        applicant = ApplicantInput(
            name=_typed(rng, name),
            kind=ApplicantKind.ORGANISATION,
            tax_code=tax if rng.random() < 0.7 else f"{tax}-{rng.randrange(1, 1000):03d}",
            address=f"Số {rng.randrange(1, 300)}, thôn {rng.choice(VILLAGES)}, xã An Hòa",
            phone=_phone(rng),
        )
    else:
        sex = rng.choice((Sex.MALE, Sex.FEMALE))
        compact = (index // 1000) * 50 + index % 1000
        dob = date(1940, 1, 1) + timedelta(days=(compact * 7919) % 24_000)
        name = " ".join(
            (rng.choice(FAMILY), rng.choice(MIDDLE[sex.value]), rng.choice(GIVEN[sex.value]))
        )
        cccd = f"{province}{century_sex_digit(dob, sex)}{dob.year % 100:02d}{serial:06d}"
        applicant = ApplicantInput(
            name=_typed(rng, name),
            id_number=cccd,
            dob=dob if rng.random() < 0.85 else None,
            sex=sex if rng.random() < 0.9 else None,
            address=_typed(rng, f"Thôn {rng.choice(VILLAGES)}, xã An Hòa, huyện Đông Sơn"),
            phone=_phone(rng),
            email=f"nguoinop{index}@example.vn" if rng.random() < 0.2 else "",
        )
    documents: tuple[DocumentLine, ...] | None = None
    if procedure.documents and rng.random() < 0.5:
        chosen = [d for d in procedure.documents if rng.random() < 0.7] or [procedure.documents[0]]
        documents = tuple(DocumentLine(d.name, d.kind, rng.randint(1, 3)) for d in chosen)
    return IntakeRequest(
        procedure_code=procedure.code,
        applicant=applicant,
        documents=documents,
        dossier_sets=rng.choice((1, 1, 1, 2, 3)),
        result_delivery=rng.choice(("counter", "counter", "post")),
        note=rng.choice(NOTES),
        submission_id=submission_of(index),
    )


def replay_request(
    run: int, seed: int, n: int, procedures: Sequence[ProcedureInfo]
) -> IntakeRequest:
    """The ``n``-th request of worker run ``run`` started with ``seed``, made again."""
    rng = Random(seed)
    for k in range(n):
        make_request(rng, run * 1000 + k, procedures)
    return make_request(rng, run * 1000 + n, procedures)


# --- the fingerprint -----------------------------------------------------------------------

FINGERPRINTED = (
    "code", "procedure_code", "applicant_kind", "applicant_name", "id_number", "tax_code",
    "dob", "sex", "address", "phone", "email", "received_at", "due_at", "register_book",
    "register_number", "dossier_sets", "result_delivery", "documents",
)  # fmt: skip


def fingerprint(record: Mapping[str, Any]) -> str:
    """A digest of one dossier as the clerk would check it (FINGERPRINTED keys)."""
    canonical = json.dumps(
        [record[key] for key in FINGERPRINTED], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def record_of_detail(detail: DossierDetail) -> dict[str, Any]:
    """What ``receive`` acknowledged, in the shape of the stored rows."""
    from counter_app.domain.clock import iso

    summary = detail.summary
    return {
        "code": summary.code,
        "procedure_code": summary.procedure_code,
        "applicant_kind": detail.applicant_kind,
        "applicant_name": summary.applicant_name,
        "id_number": detail.id_number,
        "tax_code": detail.tax_code,
        "dob": detail.dob.isoformat() if detail.dob else None,
        "sex": detail.sex,
        "address": detail.address,
        "phone": detail.phone,
        "email": detail.email,
        "received_at": iso(summary.received_at),
        "due_at": iso(summary.due_at),
        "register_book": detail.register_book,
        "register_number": detail.register_number,
        "dossier_sets": detail.dossier_sets,
        "result_delivery": detail.result_delivery,
        "documents": [[d.name, d.kind, d.count] for d in detail.documents],
    }


# --- the worker process --------------------------------------------------------------------


def _engine(args: argparse.Namespace) -> dict[str, Any]:
    """``ready_counter`` options: the default engine, or APSW on the power-cut VFS."""
    if args.vfs is None:
        return {}
    from playhouse.apsw_ext import APSWDatabase

    from tests.support import powercut_vfs

    powercut_vfs.register(leak=args.leak, seed=args.seed, cut_at=args.cut_at)
    synchronous = args.synchronous

    def make(path: str, *, pragmas: Mapping[str, object], **options: Any) -> APSWDatabase:
        if synchronous is not None:
            pragmas = {**pragmas, "synchronous": synchronous}
        return APSWDatabase(path, pragmas=pragmas, **options)

    return {"make": make, "vfs": powercut_vfs.VFS_NAME}


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _mark_transactions(conn: Any) -> None:
    """Print ``TX`` when a transaction begins and ``COMMIT`` when one commits."""

    def seen(sql: str) -> None:
        first = re.match(r"\s*([A-Za-z]+)", sql)
        word = first.group(1).upper() if first else ""
        if word == "BEGIN":
            _say("TX")
        elif word in ("COMMIT", "END"):
            _say("COMMIT")

    if isinstance(conn, sqlite3.Connection):
        conn.set_trace_callback(seen)
    else:  # apsw

        def traced(_cursor: object, sql: str, _bindings: object) -> bool:
            seen(sql)
            return True

        conn.exec_trace = traced


def _cheap_passwords() -> None:
    """Operators' passwords hashed with the cheapest argon2id settings, as in-process tests
    do (tests/conftest.py): a worker starts hundreds of times; the hashes are not tested."""
    from argon2 import PasswordHasher

    from counter_app.services import accounts

    accounts.HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def work(args: argparse.Namespace) -> int:
    from counter_app.services.catalogue import list_procedures
    from counter_app.services.intake import DuplicateDossierError, receive
    from tests.support.counters import ready_counter

    _cheap_passwords()
    ctx = ready_counter(args.home, station=args.station, **_engine(args))
    if args.autocheckpoint is not None:  # checkpoints more often: cuts fall inside them
        ctx.db.pragma("wal_autocheckpoint", args.autocheckpoint)
    _mark_transactions(ctx.db.connection())
    procedures = [p for p in list_procedures(ctx) if p.documents]
    rng = Random(args.seed)
    _say("READY")
    requests: list[tuple[str, IntakeRequest]] = []
    if args.resend:
        run, seed, n = (int(part) for part in args.resend.split(":"))
        requests.append(("resend", replay_request(run, seed, n, procedures)))
    for n in range(min(args.count, INTAKES_PER_RUN)):
        requests.append((str(n), make_request(rng, args.run * 1000 + n, procedures)))
    for label, request in requests:
        _say(f"BEGIN {label}")
        try:
            detail = receive(ctx, request)
        except DuplicateDossierError:  # a random namesake born the same day: nothing saved
            _say("REFUSED duplicate")
            continue
        _say(f"SAVED {detail.code} {fingerprint(record_of_detail(detail))}")
    ctx.close()
    _say("DONE")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.intake_worker")
    parser.add_argument("home", type=Path)
    parser.add_argument("--station", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--run", type=int, default=0, help="numbers this run's applicants")
    parser.add_argument("--count", type=int, default=INTAKES_PER_RUN)
    parser.add_argument("--resend", help="RUN:SEED:N, a request a killed worker had in flight")
    parser.add_argument("--vfs", choices=("powercut",))
    parser.add_argument("--synchronous", choices=("full", "normal", "off"))
    parser.add_argument("--leak", type=float, default=0.0)
    parser.add_argument("--cut-at", type=int)
    parser.add_argument("--autocheckpoint", type=int, help="WAL pages between checkpoints")
    args = parser.parse_args(argv)
    try:
        return work(args)
    except BrokenPipeError:  # the campaign went away: nobody is listening
        return 1


# --- driving a worker ----------------------------------------------------------------------


@dataclass(frozen=True)
class KillPlan:
    """When to kill: after ``saves`` acknowledged intakes, ``fraction`` of one intake's
    time later (so the kill lands anywhere in the next one, transaction included); with
    ``at_startup``, ``fraction`` of the time the counter takes to open."""

    saves: int
    fraction: float
    at_startup: bool = False


@dataclass(frozen=True)
class RoundSpec:
    seed: int
    options: tuple[str, ...] = ()
    plan: KillPlan | None = None  # None: the worker cuts its own power (``--cut-at``)


def random_kill(rng: Random) -> KillPlan:
    """Mostly during or between intakes (0 to 13 saved first, then anywhere in the next
    one); sometimes while the counter opens and recovers from the last kill."""
    if rng.random() < 0.12:
        return KillPlan(saves=0, fraction=rng.uniform(0.3, 1.2), at_startup=True)
    return KillPlan(saves=rng.choice((0, 1, 1, 2, 3, 5, 8, 13)), fraction=rng.uniform(0, 1.3))


# The first round sets the counter up (several transactions in the test helper, not one
# user action): campaigns kill it only after its first intakes.
SETTING_UP = KillPlan(saves=2, fraction=0.5)


# Where a kill fell, from the last line the worker printed.
PLACES = {
    None: "opening",  # before READY: opening the counter, recovering from the last kill
    "READY": "between",
    "SAVED": "between",
    "BEGIN": "receive",  # in receive(), before its transaction (validation, due date)
    "TX": "transaction",  # after BEGIN IMMEDIATE, before COMMIT
    "COMMIT": "commit",  # COMMIT started, SAVED not printed yet (may or may not be durable)
}


@dataclass
class RoundResult:
    saved: list[tuple[str, str]]  # (code, fingerprint) in the order reported
    resent: tuple[str, str] | None  # what the resend at start was acknowledged as
    resend_done: bool  # the resend got its answer (saved, or refused)
    in_flight: str | None  # the BEGIN argument without its SAVED: "resend" or n
    ready: bool
    place: str  # PLACES
    cut: str | None  # what the power-cut VFS was doing when it cut (``--cut-at``)
    refused: int  # requests refused as duplicates (nothing saved)
    returncode: int
    startup_s: float | None
    intake_s: float | None


@dataclass
class Timing:
    """Running estimates that place the kills (seconds)."""

    startup_s: float = 1.0
    intake_s: float = 0.05

    def learn(self, result: RoundResult) -> None:
        if result.startup_s is not None:
            self.startup_s = 0.7 * self.startup_s + 0.3 * result.startup_s
        if result.intake_s is not None:
            self.intake_s = 0.7 * self.intake_s + 0.3 * result.intake_s


class WorkerFailed(AssertionError):
    pass


def worker_command(home: Path, *options: str) -> list[str]:
    return [sys.executable, "-m", "tests.support.intake_worker", str(home), *options]


def worker_env(moment: datetime) -> dict[str, str]:
    """The environment of a worker whose clock starts at ``moment``."""
    from counter_app.domain.clock import TEST_NOW_ENV, iso

    env = dict(os.environ)
    env[TEST_NOW_ENV] = iso(moment)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("COUNTER_APP_HOME", None)
    return env


def _pump(stream: IO[str], lines: queue.Queue[tuple[float, str | None]]) -> None:
    for line in stream:
        lines.put((time.monotonic(), line.rstrip("\n")))
    lines.put((time.monotonic(), None))


def run_round(
    home: Path,
    options: Sequence[str],
    *,
    plan: KillPlan | None,
    timing: Timing,
    env: Mapping[str, str],
    stderr: IO[bytes],
    timeout_s: float = 120.0,
) -> RoundResult:
    """Start a worker on ``home``, kill it with SIGKILL as ``plan`` says (``plan`` None: it
    is expected to kill itself, e.g. a power cut at a chosen file operation) and return
    what it had reported by then. The kill moment comes from the clock, but nothing the
    campaigns assert depends on where it falls."""
    started = time.monotonic()
    proc = subprocess.Popen(
        worker_command(home, *options),
        cwd=REPO,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdout is not None
    lines: queue.Queue[tuple[float, str | None]] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True)
    reader.start()
    seen: list[tuple[float, str]] = []
    ended = False

    def take(deadline: float) -> bool:
        """One more line into ``seen``; False at the end of the output."""
        nonlocal ended
        try:
            at, line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty as err:
            raise WorkerFailed(f"worker silent for {timeout_s:.0f} s after {seen[-3:]}") from err
        if line is None:
            ended = True
            return False
        seen.append((at, line))
        return True

    try:
        deadline = started + timeout_s
        if plan is not None and plan.at_startup:
            time.sleep(plan.fraction * timing.startup_s)
        elif plan is not None:
            saves = 0
            while saves < plan.saves and take(deadline):
                saves += seen[-1][1].startswith("SAVED ")
            if not ended:
                # Not a synchronisation: only where in the next intake the kill lands.
                time.sleep(plan.fraction * timing.intake_s)
        else:
            while take(deadline):
                pass
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join(timeout=30)
    while not ended:
        take(time.monotonic() + 30)
    return parse_output(seen, started, proc.returncode)


def parse_output(seen: list[tuple[float, str]], started: float, returncode: int) -> RoundResult:
    saved: list[tuple[str, str]] = []
    resent: tuple[str, str] | None = None
    resend_done = False
    begun: str | None = None
    ready_at: float | None = None
    last: str | None = None
    cut: str | None = None
    refused = 0
    saved_times: list[float] = []
    for at, line in seen:
        word, _, rest = line.partition(" ")
        if word == "READY":
            ready_at = at
        elif word == "BEGIN":
            begun = rest
        elif word == "SAVED":
            code, fp = rest.split()
            if begun == "resend":
                resent = (code, fp)
                resend_done = True
            else:
                saved.append((code, fp))
                saved_times.append(at)
            begun = None
        elif word == "CUT":
            cut = rest
            continue
        elif word == "REFUSED":
            refused += 1
            resend_done = resend_done or begun == "resend"
            begun = None
            word = "SAVED"  # between two intakes, as after a save
        elif word not in ("TX", "COMMIT", "DONE"):
            raise WorkerFailed(f"unexpected worker output: {line!r}")
        if word != "DONE":
            last = word
    intake_s = None
    if len(saved_times) >= 2:
        intake_s = (saved_times[-1] - saved_times[0]) / (len(saved_times) - 1)
    return RoundResult(
        saved=saved,
        resent=resent,
        resend_done=resend_done,
        in_flight=begun,
        ready=ready_at is not None,
        place=PLACES[last],
        cut=cut,
        refused=refused,
        returncode=returncode,
        startup_s=None if ready_at is None else ready_at - started,
        intake_s=intake_s,
    )


# --- reading a killed counter back ---------------------------------------------------------


@dataclass
class StoreState:
    fingerprints: dict[str, str]  # code -> fingerprint of the stored rows
    problems: list[str]

    @property
    def dossiers(self) -> int:
        return len(self.fingerprints)


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple[Any, ...]]:
    return conn.execute(sql).fetchall()


def inspect_store(db: Path) -> StoreState:
    """Read the database as found on disk (read-only: no checkpoint, the next worker's
    start does the recovery) and list everything that is not whole."""
    if not db.exists():
        return StoreState({}, [])  # killed before the database was created
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            # Killed before the first migration committed: it must have left nothing.
            integrity = [row[0] for row in _rows(conn, "PRAGMA integrity_check")]
            tables = _rows(conn, "SELECT name FROM sqlite_master")
            problems = [] if integrity == ["ok"] and not tables else [f"half-made: {tables}"]
            return StoreState({}, problems)
        return _inspect(conn)
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection) -> StoreState:
    from counter_app.domain.audit_chain import ChainRow, first_break

    problems: list[str] = []
    integrity = [row[0] for row in _rows(conn, "PRAGMA integrity_check")]
    if integrity != ["ok"]:
        return StoreState({}, [f"integrity_check: {integrity[:5]}"])
    problems += [f"foreign key broken: {row}" for row in _rows(conn, "PRAGMA foreign_key_check")]
    broken = first_break(
        ChainRow(*row)
        for row in _rows(
            conn,
            "SELECT id, at, actor, action, object_ref, detail, prev_hash, hash "
            "FROM audit_log ORDER BY id",
        )
    )
    if broken is not None:
        problems.append(f"audit chain broken at row {broken.row_id}: {broken.reason}")

    dossiers = _rows(
        conn,
        "SELECT d.id, d.code, p.code, d.applicant_kind, d.applicant_name, d.id_number, "
        "d.tax_code, d.dob, d.sex, d.address, d.phone, d.email, d.received_at, d.due_at, "
        "d.register_book, d.register_number, d.dossier_sets, d.result_delivery, "
        "d.applicant_key, d.station, d.status, d.submission_id "
        "FROM dossier d JOIN procedure p ON p.id = d.procedure_id ORDER BY d.id",
    )
    documents: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for dossier_id, position, name, kind, count in _rows(
        conn,
        "SELECT dossier_id, position, name, kind, count FROM dossier_document "
        "ORDER BY dossier_id, position",
    ):
        documents[dossier_id].append((position, name, kind, count))
    history: dict[int, list[tuple[int | None, int]]] = defaultdict(list)
    for dossier_id, from_status, to_status in _rows(
        conn, "SELECT dossier_id, from_status, to_status FROM status_history ORDER BY id"
    ):
        history[dossier_id].append((from_status, to_status))
    outbox: dict[str, list[str]] = defaultdict(list)
    for ref, payload in _rows(
        conn, "SELECT entity_ref, payload FROM outbox WHERE kind = 'dossier.received'"
    ):
        outbox[ref].append(json.loads(payload).get("code"))
    audit = Counter(
        ref
        for (ref,) in _rows(
            conn,
            "SELECT object_ref FROM audit_log WHERE action IN "
            f"({', '.join(repr(a) for a in INTAKE_ACTIONS)})",
        )
    )
    indexed = dict(_rows(conn, "SELECT rowid, name FROM dossier_name_fts"))

    fingerprints: dict[str, str] = {}
    submissions: Counter[str] = Counter()
    by_day: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_book: dict[str, list[int]] = defaultdict(list)
    ids = set()
    for row in dossiers:
        (dossier_id, code, *_fields, applicant_key, station, status, submission) = row
        ids.add(dossier_id)
        record = dict(zip(FINGERPRINTED[:-1], row[1:18], strict=True))
        lines = documents.get(dossier_id, [])
        record["documents"] = [[name, kind, count] for _, name, kind, count in lines]
        fingerprints[code] = fingerprint(record)
        if submission:
            submissions[submission] += 1
        if not lines:
            problems.append(f"{code}: no documents")
        elif [position for position, *_ in lines] != list(range(1, len(lines) + 1)):
            problems.append(f"{code}: document positions {[p for p, *_ in lines]}")
        if history.get(dossier_id) != [(None, 2)] or status != 2:
            problems.append(f"{code}: status {status}, history {history.get(dossier_id)}")
        if outbox.get(code) != [code]:
            problems.append(f"{code}: outbox rows {outbox.get(code)}")
        if audit[code] != 1:
            problems.append(f"{code}: {audit[code]} audit rows")
        if indexed.get(dossier_id) != applicant_key:
            problems.append(f"{code}: search index has {indexed.get(dossier_id)!r}")
        _agency, day, number = code.rsplit("-", 2)
        by_day[(day, station)].append(int(number))
        by_book[record["register_book"]].append(record["register_number"])

    problems += [f"outbox row for missing dossier {ref}" for ref in outbox.keys() - fingerprints]
    problems += [f"audit row for missing dossier {ref}" for ref in audit.keys() - fingerprints]
    problems += [f"search index row {rowid} without dossier" for rowid in indexed.keys() - ids]
    problems += [f"submission {s} saved {n} times" for s, n in submissions.items() if n > 1]
    problems += _numbering(dict(_rows(conn, "SELECT name, last FROM sequence")), by_day, by_book)
    return StoreState(fingerprints, problems)


def _numbering(
    sequences: Mapping[str, int],
    by_day: Mapping[tuple[str, int], list[int]],
    by_book: Mapping[str, list[int]],
) -> list[str]:
    """Codes of a day and numbers of a register run 1, 2, 3… with no gap or repeat, and
    each running number stands exactly at the last one used."""
    problems: list[str] = []
    drawn_days: dict[tuple[str, int], int] = {}
    drawn_books: dict[str, int] = {}
    for name, last in sequences.items():
        kind, *parts = name.split(":")
        if kind == "code":
            day = datetime.strptime(parts[-2], "%Y-%m-%d").strftime("%y%m%d")
            drawn_days[(day, int(parts[-1]))] = last
        elif kind == "register":
            drawn_books[f"{parts[0]}-M{parts[1]}"] = last
    for (day, station), numbers in by_day.items():
        expected = list(range(station * 1000 + 1, station * 1000 + len(numbers) + 1))
        if sorted(numbers) != expected:
            problems.append(f"codes of {day} station {station}: {sorted(numbers)}")
        if drawn_days.get((day, station)) != len(numbers):
            problems.append(
                f"code sequence of {day} station {station} at "
                f"{drawn_days.get((day, station))}, {len(numbers)} dossiers"
            )
    for book, numbers in by_book.items():
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"register {book}: numbers {sorted(numbers)[:10]}…")
        if drawn_books.get(book) != len(numbers):
            problems.append(f"register sequence {book} at {drawn_books.get(book)}")
    for key, last in drawn_days.items():
        if key not in by_day and last:
            problems.append(f"code sequence {key} at {last} without dossiers")
    return problems


def fts_integrity(db: Path) -> str | None:
    """FTS5's own check of the search index (a write statement: run on a quiet database)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("INSERT INTO dossier_name_fts (dossier_name_fts) VALUES ('integrity-check')")
        return None
    except sqlite3.DatabaseError as err:
        return str(err)
    finally:
        conn.close()


# --- the campaigns' books ------------------------------------------------------------------


@dataclass
class Totals:
    campaign: str
    seed: int
    kills: int = 0
    # Where the kills fell (PLACES): opening, between, receive, transaction, commit.
    kills_at: dict[str, int] = field(default_factory=dict)
    # Self-inflicted power cuts by the file operation they interrupted ("sync wal", …).
    cuts_in: dict[str, int] = field(default_factory=dict)
    acknowledged: int = 0
    found: int = 0
    lost: int = 0
    codes_reissued: int = 0  # lost dossiers whose code a later dossier got again
    committed_unreported: int = 0  # on disk, killed before it was reported (not a loss)
    resent: int = 0  # requests in flight at a kill, sent again by the next worker
    resent_already_saved: int = 0  # … that had committed: the same dossier came back
    refused_duplicates: int = 0  # random namesakes born the same day (nothing saved)
    dossiers: int = 0
    wall_s: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return f"[{self.campaign}] " + " ".join(
            f"{key}={value}" for key, value in asdict(self).items() if key != "campaign"
        )


class Ledger:
    """Every (code, fingerprint) a worker reported, checked against the disk after each
    kill: an acknowledged dossier must be there, exactly as acknowledged."""

    def __init__(self, totals: Totals) -> None:
        self.totals = totals
        self.acknowledged: list[tuple[str, str]] = []
        self.on_disk: set[str] = set()  # codes found on the last inspection

    def add(self, result: RoundResult) -> None:
        t = self.totals
        if result.returncode == -signal.SIGKILL:
            t.kills += 1
            t.kills_at[result.place] = t.kills_at.get(result.place, 0) + 1
        if result.cut is not None:
            t.cuts_in[result.cut] = t.cuts_in.get(result.cut, 0) + 1
        t.refused_duplicates += result.refused
        if result.resent is not None:
            t.resent += 1
            t.resent_already_saved += result.resent[0] in self.on_disk
            self.acknowledged.append(result.resent)
        self.acknowledged += result.saved

    def check(self, state: StoreState) -> list[str]:
        """Problems with what is on disk; updates the totals. A dossier is lost when its
        code is gone, or now holds another dossier (its number was drawn again)."""
        t = self.totals
        on_disk = state.fingerprints
        self.on_disk = set(on_disk)
        lost = [(code, fp) for code, fp in self.acknowledged if on_disk.get(code) != fp]
        t.acknowledged = len(self.acknowledged)
        t.lost = len(lost)
        t.codes_reissued = sum(code in on_disk for code, _ in lost)
        t.found = t.acknowledged - t.lost
        t.dossiers = state.dossiers
        t.committed_unreported = len(on_disk.keys() - {code for code, _ in self.acknowledged})
        return state.problems + [
            f"acknowledged {code} {'holds another dossier' if code in on_disk else 'is gone'}"
            for code, _ in lost[:20]
        ]


def report(totals: Totals) -> None:
    """Print the totals (``pytest -s`` shows them) and add them to the JSON file named by
    COUNTER_APP_CAMPAIGN_REPORT, if any."""
    print("\n" + totals.line(), flush=True)
    target = os.environ.get("COUNTER_APP_CAMPAIGN_REPORT")
    if not target:
        return
    path = Path(target)
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text("utf-8"))
        except ValueError:
            data = {}
    data[totals.campaign] = asdict(totals)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")


def _tail(path: Path, lines: int = 30) -> str:
    text = path.read_text("utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def campaign_clock(start: datetime, round_no: int) -> datetime:
    """Each round's worker starts 2 h 37 min after the last one's: days, nights and weekends
    go by, several rounds share a day (its numbering carries on across kills)."""
    return start + timedelta(minutes=157 * round_no)


def run_campaign(
    home: Path,
    specs: Sequence[RoundSpec],
    totals: Totals,
    *,
    start: datetime,
    log: Path,
    allow_loss: bool = False,
) -> Ledger:
    """Play the rounds on one counter; after each kill, read the disk: any dossier not
    whole, any numbering gap, a broken audit chain, a failed integrity check (or, unless
    ``allow_loss``, an acknowledged dossier missing or changed) stops the campaign there.
    The request a kill left in flight is sent again by the next round's worker."""
    if len(specs) >= INTAKES_PER_RUN:  # run numbers make applicants unique; 999 is the last
        raise ValueError(f"at most {INTAKES_PER_RUN - 1} rounds in one campaign")
    ledger = Ledger(totals)
    timing = Timing()
    began = time.monotonic()
    in_flight: str | None = None  # "RUN:SEED:N" of the request a kill interrupted
    with log.open("ab") as stderr:
        for round_no, spec in enumerate(specs):
            options = [*spec.options, "--seed", str(spec.seed), "--run", str(round_no)]
            if in_flight is not None:
                options += ["--resend", in_flight]
            result = run_round(
                home,
                options,
                plan=spec.plan,
                timing=timing,
                env=worker_env(campaign_clock(start, round_no)),
                stderr=stderr,
            )
            stderr.flush()
            if result.returncode != -signal.SIGKILL:
                raise WorkerFailed(
                    f"round {round_no} {options}: the worker ended by itself "
                    f"({result.returncode}):\n{_tail(log)}"
                )
            ledger.add(result)
            timing.learn(result)
            if result.resend_done:
                in_flight = None
            if result.in_flight not in (None, "resend"):
                in_flight = f"{round_no}:{spec.seed}:{result.in_flight}"
            problems = ledger.check(inspect_store(home / DB_NAME))
            if allow_loss:
                problems = [p for p in problems if not p.startswith("acknowledged")]
            if problems:
                raise AssertionError(
                    f"after round {round_no} {options} ({result}):\n" + "\n".join(problems[:40])
                )
    totals.wall_s = round(time.monotonic() - began, 1)
    return ledger


def finish_cleanly(home: Path, options: Sequence[str], ledger: Ledger, *, start: datetime) -> None:
    """After the campaign: the counter opens and saves as usual (a worker that is not
    killed), everything acknowledged is still there, FTS5's own check passes."""
    done = subprocess.run(
        worker_command(home, *options, "--count", "3", "--run", str(INTAKES_PER_RUN)),
        cwd=REPO,
        env=worker_env(start),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = parse_output([(0.0, line) for line in done.stdout.splitlines()], 0.0, 0)
    assert len(result.saved) == 3
    ledger.add(result)
    problems = ledger.check(inspect_store(home / DB_NAME))
    assert not problems, "\n".join(problems[:40])
    assert fts_integrity(home / DB_NAME) is None


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


if __name__ == "__main__":
    sys.exit(main())
