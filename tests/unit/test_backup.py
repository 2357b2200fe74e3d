"""Backups on real files: made while the counter writes, checked, rotated, restored, and
what a damaged database, a full or missing USB stick, or a power cut leaves behind."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput
from counter_app.errors import StorageError, ValidationError
from counter_app.services import backups
from counter_app.services.accounts import sign_in
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.intake import IntakeRequest, receive
from counter_app.store import backup
from counter_app.store.db import connect_file
from counter_app.store.migrations import SCHEMA_VERSION
from counter_app.store.models import AuditLog, Dossier, Setting
from tests.support.counters import PASSWORD, SUPERVISOR

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN_TZ)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def receive_one(ctx: CounterContext, name: str = "Nguyễn Văn Đức") -> str:
    number = f"0010900123{sum(map(ord, name)) % 100:02d}"  # one citizen per name
    applicant = ApplicantInput(name=name, id_number=number)
    request = IntakeRequest("1.004873", applicant, received_at=at("2026-11-24T08:00"))
    return receive(ctx, request).code


def dossier_codes(path: Path) -> set[str]:
    conn = connect_file(path)
    try:
        return {row[0] for row in conn.execute("SELECT code FROM dossier")}
    finally:
        conn.close()


def corrupt(db_path: Path) -> None:
    """Overwrite the header of a b-tree page in the middle of a closed database file."""
    conn = connect_file(db_path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    roots = [r[0] for r in conn.execute("SELECT rootpage FROM sqlite_master WHERE rootpage > 1")]
    conn.close()
    page = min(roots, key=lambda r: abs(r - pages // 2))  # the b-tree root nearest the middle
    with open(db_path, "r+b") as f:
        f.seek((page - 1) * page_size)
        f.write(b"\x6b" + os.urandom(40))  # not a page type, and garbage cell pointers


def add_bulk(db_path: Path, rows: int) -> None:
    conn = connect_file(db_path)
    try:
        with conn:
            conn.executemany(
                "INSERT INTO setting(key, value) VALUES (?, ?)",
                ((f"bulk.{i}", "x" * 400) for i in range(rows)),
            )
    finally:
        conn.close()


def tree(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "usb" / "SaoLuu"
    path.mkdir(parents=True)
    return path


# --------------------------------------------------------------------------- making


def test_backup_is_one_checked_file_named_by_time_and_schema(
    counter: CounterContext, folder: Path
) -> None:
    code = receive_one(counter)
    made = backup.make_backup(folder, now=NOW, tag="000.00.17.H26_m1")
    assert made.integrity == "ok"
    assert made.file.name == f"counter-000.00.17.H26_m1-20261125-090000-v{SCHEMA_VERSION}.sqlite3"
    # One self-contained file: no -wal/-shm to lose on the USB stick, no temporary left.
    assert [p.name for p in folder.iterdir()] == [made.file.name]
    check = backup.verify_backup(made.file.path)
    assert check.ok and check.dossiers == 1 and check.schema_version == SCHEMA_VERSION
    assert dossier_codes(made.file.path) == {code}
    # A second backup in the same second gets the next second: names unique, in time order.
    again = backup.make_backup(folder, now=NOW, tag="000.00.17.H26_m1")
    assert again.file.taken_at == NOW + timedelta(seconds=1)
    assert [b.path for b in backup.list_backups(folder)] == [again.file.path, made.file.path]
    assert sorted(p.name for p in folder.iterdir())[-1] == again.file.name
    # … and rotation sees it as the newest of the day, not as a backup from the future.
    plan = backup.rotate(folder, now=NOW, tag="000.00.17.H26_m1")
    assert [b.path for b in plan.keep] == [again.file.path]
    assert [b.path for b in plan.remove] == [made.file.path]


def test_backup_while_another_connection_keeps_writing(
    counter: CounterContext, folder: Path
) -> None:
    db_path = counter.paths.db
    add_bulk(db_path, 20_000)  # ~8 MB: each backup takes a while
    stop = threading.Event()
    written: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        conn = connect_file(db_path)
        conn.execute("PRAGMA journal_mode=wal")
        try:
            i = 0
            while not stop.is_set():
                i += 1
                with conn:
                    conn.execute("INSERT INTO setting(key, value) VALUES (?, ?)", (f"w.{i}", "y"))
                written.append(i)
        except BaseException as err:
            errors.append(err)
        finally:
            conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        made = [backup.make_backup(folder, now=NOW + timedelta(minutes=n)) for n in range(4)]
    finally:
        during = len(written)
        stop.set()
        thread.join()
    assert errors == []
    assert during > 0, "the writer was blocked while the backups ran"
    for info in made:
        assert backup.verify_backup(info.file.path).ok
    counts = [written_rows(info.file.path) for info in made]
    assert counts == sorted(counts)  # each a snapshot at its own moment
    final = backup.make_backup(folder, now=NOW + timedelta(hours=1))
    assert written_rows(final.file.path) == len(written)


def written_rows(path: Path) -> int:
    conn = connect_file(path)
    try:
        return int(conn.execute("SELECT count(*) FROM setting WHERE key LIKE 'w.%'").fetchone()[0])
    finally:
        conn.close()


def test_a_missing_folder_is_named_and_not_created(counter: CounterContext, tmp_path: Path) -> None:
    pulled = tmp_path / "media" / "usb" / "SaoLuu"  # the USB stick is not plugged in
    with pytest.raises(StorageError) as caught:
        backup.make_backup(pulled, now=NOW)
    assert str(pulled) in caught.value.message
    assert "ổ USB" in caught.value.message
    assert not pulled.exists()


def _mount_tmpfs(path: Path, options: str) -> bool:
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    return result.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KB file system: a nearly full USB stick."""
    path = tmp_path / "full"
    path.mkdir()
    if not _mount_tmpfs(path, "size=64k"):
        pytest.skip("needs root on Linux to mount a small tmpfs")
    yield path
    subprocess.run(["umount", str(path)], check=True)


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "locked"
    path.mkdir()
    if os.name == "posix" and os.geteuid() != 0:
        path.chmod(0o555)
        yield path
        path.chmod(0o755)
        return
    if not _mount_tmpfs(path, "ro,size=64k"):
        pytest.skip("cannot make a read-only folder here")
    yield path
    subprocess.run(["umount", str(path)], check=True)


def test_a_full_folder_says_so_and_leaves_nothing(
    counter: CounterContext, small_disk: Path
) -> None:
    (small_disk / "notes.txt").write_text("thuộc về người dùng")
    with pytest.raises(StorageError) as caught:
        backup.make_backup(small_disk, now=NOW)
    assert str(small_disk) in caught.value.message
    assert "hết chỗ trống" in caught.value.message
    assert [p.name for p in small_disk.iterdir()] == ["notes.txt"]
    assert backups.last_backup_at(counter) is None


def test_a_read_only_folder_says_so(counter: CounterContext, read_only_folder: Path) -> None:
    with pytest.raises(StorageError) as caught:
        backup.make_backup(read_only_folder, now=NOW)
    assert str(read_only_folder) in caught.value.message
    assert "quyền ghi" in caught.value.message
    assert list(read_only_folder.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_cut_off_half_way_leaves_no_partial_file(
    counter: CounterContext, folder: Path
) -> None:
    """The kernel refuses writes beyond 64 KB (a stick that fails mid-copy): no copy stays."""
    add_bulk(counter.paths.db, 2_000)  # well beyond 64 KB
    script = (
        "import resource, signal, sys\n"
        "from datetime import datetime\n"
        "from pathlib import Path\n"
        "from counter_app.domain.clock import VN_TZ\n"
        "from counter_app.errors import StorageError\n"
        "from counter_app.store.backup import make_backup\n"
        "from counter_app.store.db import connect_file\n"
        "source = connect_file(sys.argv[1])\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))\n"
        "try:\n"
        "    make_backup(Path(sys.argv[2]), now=datetime.now(VN_TZ), source=source)\n"
        "except StorageError as err:\n"
        "    print(err.message)\n"
        "    sys.exit(3)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(counter.paths.db), str(folder)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert str(folder) in done.stdout
    assert list(folder.iterdir()) == []


def test_a_damaged_database_is_not_kept_as_a_backup(counter: CounterContext, folder: Path) -> None:
    receive_one(counter)
    counter.close()
    corrupt(counter.paths.db)
    source = connect_file(counter.paths.db)
    try:
        assert backup.quick_check(source) is not None
        with pytest.raises(StorageError) as caught:
            backup.make_backup(folder, now=NOW, source=source)
    finally:
        source.close()
    assert "hỏng" in caught.value.message
    assert list(folder.iterdir()) == []


# --------------------------------------------------------------------------- rotation


def _sixty_days() -> list[backup.BackupFile]:
    """60 days of a counter: a morning and a closing backup on working days, none on
    Sundays, a close-time one on some Saturdays."""
    files = []
    first = date(2026, 9, 27)
    for n in range(60):
        day = first + timedelta(days=n)
        if day.weekday() == 6:
            continue
        times = ["07:31:05", "17:02:40"] if day.weekday() < 5 else ["11:15:00"]
        for t in times:
            moment = datetime.fromisoformat(f"{day}T{t}").replace(tzinfo=VN_TZ)
            name = backup.backup_name(moment, SCHEMA_VERSION, "000.00.17.H26_m1")
            files.append(backup.BackupFile(Path(name), moment, SCHEMA_VERSION, "x", 0))
    return files


def test_rotation_keeps_seven_days_and_four_weeks() -> None:
    files = _sixty_days()
    now = at("2026-11-25T17:30")
    plan = backup.plan_rotation(files, now=now)
    kept = {b.taken_at for b in plan.keep}
    assert len(plan.keep) + len(plan.remove) == len(files)
    # The newest of each of the last 7 days that have backups (Sunday 22/11 had none).
    daily = {at(f"2026-11-{d}T17:02:40") for d in ("25", "24", "23", "20", "19", "18")} | {
        at("2026-11-21T11:15:00")
    }
    assert daily <= kept
    # The newest of each of the last 4 ISO weeks: this week's newest is today's (also
    # daily), then Saturdays 21/11, 14/11, 7/11.
    weekly = {at("2026-11-25T17:02:40")} | {at(f"2026-11-{d}T11:15:00") for d in ("21", "14", "07")}
    assert weekly <= kept
    assert kept == daily | weekly
    assert len(daily) == 7 and len(kept) == 9  # 7 daily + 2 weekly not already daily
    # Nothing newer than a removed one is removed unless a newer one of its day is kept.
    assert max(b.taken_at for b in plan.keep) == max(b.taken_at for b in files)


def test_rotation_after_a_long_closure_still_keeps_seven() -> None:
    """Tết: three weeks without a backup must not empty the folder."""
    files = [
        backup.BackupFile(Path(f"b{d}"), at(f"2026-01-{d:02d}T17:00"), 4, "", 0)
        for d in range(1, 11)
    ]
    plan = backup.plan_rotation(files, now=at("2026-02-20T08:00"))
    assert {b.taken_at.day for b in plan.keep} == {4, 5, 6, 7, 8, 9, 10}


def test_a_backup_dated_in_the_future_is_kept_and_not_counted() -> None:
    files = [
        backup.BackupFile(Path(f"b{d}"), at(f"2026-11-{d:02d}T17:00"), 4, "", 0)
        for d in range(1, 21)
    ]
    wrong_clock = backup.BackupFile(Path("future"), at("2031-01-01T08:00"), 4, "", 0)
    plan = backup.plan_rotation([*files, wrong_clock], now=at("2026-11-20T18:00"))
    assert wrong_clock in plan.keep
    assert {b.taken_at.day for b in plan.keep if b is not wrong_clock} >= set(range(14, 21))


def test_rotate_deletes_only_our_own_backups(folder: Path) -> None:
    mine = _sixty_days()
    for b in mine:
        (folder / b.path.name).write_bytes(b"")
    other_station = backup.backup_name(at("2026-10-01T08:00"), 4, "000.00.17.H26_m2")
    untagged = backup.backup_name(at("2026-10-01T08:00"), 4)
    foreign = [
        "notes.txt",
        "counter.sqlite3",
        "counter-old.sqlite3",
        "counter-20261001-080000.sqlite3",
        other_station,
        untagged,
    ]
    for name in foreign:
        (folder / name).write_text("không phải của bạn")
    plan = backup.rotate(folder, now=at("2026-11-25T17:30"), tag="000.00.17.H26_m1")
    left = {p.name for p in folder.iterdir()}
    assert set(foreign) <= left
    assert {b.name for b in plan.keep} == left - set(foreign)
    assert len(plan.keep) == 9
    assert len(plan.remove) == len(mine) - 9


# --------------------------------------------------------------------------- verifying


def test_verify_refuses_what_is_not_a_whole_counter_database(
    counter: CounterContext, folder: Path, tmp_path: Path
) -> None:
    receive_one(counter)
    good = backup.make_backup(folder, now=NOW).file.path
    assert backup.verify_backup(good).ok

    truncated = tmp_path / "truncated.sqlite3"
    data = good.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    check = backup.verify_backup(truncated)
    assert not check.ok and check.problem and "hỏng" in check.problem

    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE note(text)")
        conn.execute("PRAGMA user_version = 2")
    check = backup.verify_backup(other)
    assert not check.ok and check.problem and "không phải cơ sở dữ liệu" in check.problem

    text = tmp_path / "readme.sqlite3"
    text.write_text("Đây là một tệp văn bản, không phải cơ sở dữ liệu. " * 200)
    check = backup.verify_backup(text)
    assert not check.ok and check.problem and "không phải tệp cơ sở dữ liệu" in check.problem

    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(good, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    check = backup.verify_backup(newer)
    assert not check.ok and check.problem and "phiên bản mới hơn" in check.problem

    missing = backup.verify_backup(tmp_path / "nothing.sqlite3")
    assert not missing.ok and not (tmp_path / "nothing.sqlite3").exists()


def test_quick_check_reports_a_damaged_page_and_the_latest_good_backup_is_offered(
    counter: CounterContext, folder: Path
) -> None:
    receive_one(counter)
    backups.set_backup_folder(counter, folder, "Trần Thị Mai")
    older = backups.backup_now(
        counter, actor="Trần Thị Mai", reason="close", now=NOW - timedelta(days=1)
    )
    newest = backups.backup_now(counter, actor="Trần Thị Mai", reason="daily", now=NOW)
    # A damaged newest backup is passed over for the one before it.
    corrupt(newest.made.file.path)
    assert backup.quick_check(counter.db) is None
    db_path = counter.paths.db
    counter.close()
    corrupt(db_path)
    conn = connect_file(db_path)
    try:
        problem = backup.quick_check(conn)
    finally:
        conn.close()
    assert problem is not None
    error = backup.corrupt_database_error(db_path, problem)
    assert isinstance(error, StorageError)
    assert error.backup is not None and error.backup.path == older.made.file.path
    assert str(older.made.file.path) in error.message and "bị hỏng" in error.message


def test_corruption_with_no_backup_says_where_it_looked(home: Path, tmp_path: Path) -> None:
    db_path = home / "counter.sqlite3"
    home.mkdir(parents=True)
    db_path.write_bytes(b"\x00" * 8192)
    error = backup.corrupt_database_error(db_path, "file is not a database")
    assert error.backup is None
    assert str(home / "backups") in error.message


# --------------------------------------------------------------------------- restoring


def test_restore_keeps_the_replaced_database_and_the_restored_one_opens(
    counter: CounterContext, folder: Path
) -> None:
    first = receive_one(counter, "Nguyễn Văn Đức")
    made = backup.make_backup(folder, now=NOW).file.path
    second = receive_one(counter, "Trần Thị Hòa")
    db_path = counter.paths.db

    result = backups.restore_backup(counter, made, "Trần Thị Mai", now=NOW + timedelta(hours=1))
    info = result.restored
    ctx = result.ctx
    try:
        assert {d.code for d in Dossier.select()} == {first}
        assert AuditLog.select().where(AuditLog.action == "backup.restore").count() == 1
        assert info.replaced == db_path.with_name("counter.sqlite3.replaced-20261125-100000")
        assert dossier_codes(info.replaced) == {first, second}  # nothing thrown away
        assert backup.verify_backup(made).ok  # the backup itself is untouched
        # The restored counter goes on working, once someone signs in to it.
        sign_in(ctx, SUPERVISOR, PASSWORD)
        third = receive_one(ctx, "Lê Văn Tám")
        assert {d.code for d in Dossier.select()} == {first, third}
    finally:
        ctx.close()


def test_restore_refuses_a_bad_file_and_changes_nothing(
    counter: CounterContext, tmp_path: Path
) -> None:
    receive_one(counter)
    db_path = counter.paths.db
    counter.close()
    before = tree(db_path.parent)
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(20_000))
    with pytest.raises(ValidationError) as caught:
        backup.restore(db_path, bad, now=NOW)
    assert str(bad) in caught.value.message
    assert "không bị thay đổi" in caught.value.message
    assert tree(db_path.parent) == before


def test_restore_refuses_while_another_program_has_the_database_open(
    counter: CounterContext, folder: Path
) -> None:
    made = backup.make_backup(folder, now=NOW).file.path
    db_path = counter.paths.db
    counter.close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, sqlite3\n"
            "c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM setting')\n"
            "print('open', flush=True); sys.stdin.read()",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        before = tree(db_path.parent)
        with pytest.raises(StorageError) as caught:
            backup.restore(db_path, made, now=NOW)
        assert "đang được mở" in caught.value.message
        assert tree(db_path.parent) == before
    finally:
        holder.communicate("", timeout=30)


STEPS = ("verified", "staged", "unused", "kept-aside", "journal-aside", "replaced")


@pytest.mark.parametrize("step", STEPS)
def test_a_power_cut_during_restore_leaves_a_database_that_opens(
    counter: CounterContext, folder: Path, step: str
) -> None:
    """The app died with commits still in its WAL; the restore is then cut at ``step``."""
    first = receive_one(counter)
    made = backup.make_backup(folder, now=NOW).file.path
    db_path = counter.paths.db
    home = counter.paths.home
    counter.close()
    crash_with_wal = (
        "import os, sys\n"
        "from counter_app.store.db import connect_file\n"
        "c = connect_file(sys.argv[1]); c.execute('PRAGMA journal_mode=wal')\n"
        "c.execute(\"UPDATE dossier SET note = 'sau sao lưu'\"); c.commit()\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", crash_with_wal, str(db_path)], check=True, cwd=ROOT)
    assert Path(f"{db_path}-wal").stat().st_size > 0
    cut_restore = (
        "import os, sys\n"
        "from datetime import datetime\n"
        "from pathlib import Path\n"
        "from counter_app.domain.clock import VN_TZ\n"
        "from counter_app.store.backup import restore\n"
        "def cut(name):\n"
        "    if name == sys.argv[3]:\n"
        "        os._exit(70)\n"
        "restore(Path(sys.argv[1]), Path(sys.argv[2]), now=datetime.now(VN_TZ), on_step=cut)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", cut_restore, str(db_path), str(made), step], cwd=ROOT
    )
    assert done.returncode == 70

    ctx = open_counter(home)
    try:
        assert backup.quick_check(ctx.db) is None
        notes = {d.code: d.note for d in Dossier.select()}
        assert set(notes) == {first}
        if notes[first] != "sau sao lưu":  # the restored one is in place
            assert step == "replaced"
            # … and the old one, with its last commit, is kept aside.
            aside = next(db_path.parent.glob("counter.sqlite3.replaced-*[0-9]"))
            conn = connect_file(aside)
            try:
                assert conn.execute("SELECT note FROM dossier").fetchone()[0] == "sau sao lưu"
            finally:
                conn.close()
        else:
            assert step != "replaced"
    finally:
        ctx.close()


# --------------------------------------------------------------------------- the service


def test_backup_now_records_the_time_without_citizen_data(
    counter: CounterContext, folder: Path
) -> None:
    receive_one(counter)
    assert backups.backup_due(counter, NOW)
    backups.set_backup_folder(counter, folder, "Trần Thị Mai")
    result = backups.backup_now(counter, actor="Trần Thị Mai", reason="daily", now=NOW)
    assert result.folder == folder.resolve()
    assert result.made.file.name.startswith("counter-000.00.17.H26_m1-20261125-090000-v")
    assert backups.last_backup_at(counter) == NOW
    assert not backups.backup_due(counter, NOW + timedelta(hours=23))
    assert backups.backup_due(counter, NOW + timedelta(hours=25))
    assert backups.backup_due(counter, NOW - timedelta(days=2))  # the clock went back
    row = AuditLog.select().where(AuditLog.action == "backup.create").get()
    assert row.actor == "Trần Thị Mai" and row.detail["file"] == result.made.file.name
    assert "Nguyễn" not in str(row.detail) and "001090012345" not in str(row.detail)


def test_backup_folder_setting(counter: CounterContext, tmp_path: Path) -> None:
    assert backups.backup_folder(counter) == counter.paths.backups
    with pytest.raises(ValidationError) as caught:
        backups.set_backup_folder(counter, "SaoLuu", "Trần Thị Mai")
    assert "SaoLuu" in caught.value.message
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ValidationError) as caught:
        backups.set_backup_folder(counter, blocker / "SaoLuu", "Trần Thị Mai")
    assert str(blocker / "SaoLuu") in caught.value.message
    chosen = backups.set_backup_folder(counter, tmp_path / "usb" / "SaoLuu", "Trần Thị Mai")
    assert chosen.folder == (tmp_path / "usb" / "SaoLuu").resolve() and not chosen.is_default
    assert Setting.get_by_id(backups.FOLDER).value == str(chosen.folder)
    back = backups.set_backup_folder(counter, "", "Trần Thị Mai")
    assert back.is_default and back.folder == counter.paths.backups


# --------------------------------------------------------------------------- at start-up
# (needs open_database's quick check: see the wiring in store/db.py)


def test_opening_a_damaged_database_names_the_latest_good_backup(
    counter: CounterContext, folder: Path
) -> None:
    receive_one(counter)
    backups.set_backup_folder(counter, folder, "mai")
    made = backups.backup_now(counter, actor="mai", reason="close", now=NOW)
    home = counter.paths.home
    counter.close()
    corrupt(counter.paths.db)
    with pytest.raises(backup.CorruptDatabaseError) as caught:
        open_counter(home)
    assert caught.value.backup is not None
    assert caught.value.backup.path == made.made.file.path
    assert f'counter-app restore "{made.made.file.path}"' in caught.value.message
    # Restoring it from the paths alone (the database does not open) brings the counter back.
    result = backups.restore_backup(counter.paths, made.made.file.path, "admin")
    try:
        assert Dossier.select().count() == 1
    finally:
        result.ctx.close()


def test_a_file_that_is_not_a_database_at_all_is_damage_too(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "counter.sqlite3").write_bytes(b"this is not sqlite" * 1000)
    with pytest.raises(backup.CorruptDatabaseError) as caught:
        open_counter(home)
    assert caught.value.backup is None
    assert "Không mở được cơ sở dữ liệu" in caught.value.message
