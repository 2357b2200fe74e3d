"""Backups of the counter's database: made, checked, rotated, restored. No Qt, no settings.

A backup is made with SQLite's backup API from the open database (one step, so it is one
consistent snapshot even while the counter keeps writing in WAL mode) into a hidden temporary
file in the backup folder; the copy is switched to a single-file journal, synced to disk,
checked with ``PRAGMA integrity_check``, and only then renamed to its final name::

    counter-[TAG-]YYYYMMDD-HHMMSS-vN.sqlite3
    e.g. counter-000.00.17.H26_m1-20261125-090000-v4.sqlite3

The name sorts by time (Vietnam time), says which station made it (TAG: several PCs may share
one USB stick or network folder, and must never rotate away each other's backups) and the
schema version. A failure leaves no partial file and says, in Vietnamese, which folder failed.

Every file is opened with ``store.db.connect_file`` (never ``sqlite3.connect``): an encrypted
installation's backups stay encrypted and are read with the installation's key.

A restore never deletes anything: the database it replaces, with its ``-wal`` and ``-shm``,
is kept aside as ``counter.sqlite3.replaced-YYYYMMDD-HHMMSS`` (+ ``-wal``/``-shm``), a set
SQLite can open as it is. The order of its steps keeps a whole database at the database's
path at every moment, so a power cut in the middle leaves a counter that opens.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import peewee

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.errors import StorageError, ValidationError
from counter_app.paths import AppPaths
from counter_app.store.db import close_database, connect_file, database

log = logging.getLogger(__name__)

KEEP_DAILY = 7  # the newest backup of each of the last 7 days that have one
KEEP_WEEKLY = 4  # the newest backup of each of the last 4 ISO weeks that have one

# The setting (table ``setting``) naming the backup folder; read here only to find a backup
# when the database is too damaged for the services to run.
FOLDER_SETTING = "backup.folder"

# A file without these is not a counter's database, whatever else it holds.
REQUIRED_TABLES = frozenset(
    {"setting", "procedure", "dossier", "status_history", "outbox", "audit_log"}
)

_NAME = re.compile(
    r"^counter-(?:(?P<tag>[0-9A-Za-z._]+)-)?(?P<day>\d{8})-(?P<time>\d{6})"
    r"-v(?P<version>\d+)\.sqlite3$"
)
_TAG = re.compile(r"[0-9A-Za-z._]*")
_TEMP_PREFIX = ".counter-backup-"
_STALE_TEMP_S = 24 * 3600
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_NOTADB = 26
_SQLITE_READONLY = 8
_SQLITE_CANTOPEN = 14

# Two backups of one process never pick the same name (the scheduler and the close).
_name_lock = threading.Lock()

ProgressStep = Callable[[str], None]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class BackupFile:
    """One of our backups, as its name describes it (not checked)."""

    path: Path
    taken_at: datetime  # Vietnam time, to the second
    schema_version: int
    tag: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BackupInfo:
    """A backup just made: written, synced, integrity-checked, renamed into place."""

    file: BackupFile
    integrity: str  # "ok": a backup that is not ok is never kept
    seconds: float


@dataclass(frozen=True)
class BackupCheck:
    """What ``verify_backup`` found. ``problem`` (Vietnamese) is None when ``ok``."""

    path: Path
    ok: bool
    problem: str | None
    schema_version: int | None
    dossiers: int | None
    taken_at: datetime | None  # from our file name, else the file's modification time
    size: int


@dataclass(frozen=True)
class RotationPlan:
    keep: tuple[BackupFile, ...]
    remove: tuple[BackupFile, ...]


@dataclass(frozen=True)
class RestoreInfo:
    db_path: Path
    restored_from: BackupCheck
    # The replaced database (None when there was none), kept; with its -wal/-shm if any.
    replaced: Path | None
    moved_aside: tuple[Path, ...]


class CorruptDatabaseError(StorageError):
    """The counter's database failed its check at start-up. Carries the latest good backup
    (None when none was found) so the GUI can offer it and the CLI can name it."""

    def __init__(
        self,
        db_path: Path,
        problem: str,
        backup: BackupCheck | None,
        folders: Sequence[Path] = (),
    ) -> None:
        self.db_path = db_path
        self.problem = problem
        self.backup = backup
        self.folders = tuple(folders)
        short = " ".join(problem.split())
        if len(short) > 200:
            short = short[:199] + "…"
        text = f"Không mở được cơ sở dữ liệu {db_path}: tệp bị hỏng ({short})."
        if backup is not None:
            text += (
                f" Bản sao lưu tốt gần nhất: {backup.path}"
                + (f" (lúc {describe_time(backup.taken_at)})" if backup.taken_at else "")
                + f'. Khôi phục bằng: counter-app restore "{backup.path}".'
            )
        else:
            where = ", ".join(str(f) for f in self.folders) or "thư mục sao lưu"
            text += f" Không tìm thấy bản sao lưu tốt nào trong {where}."
        text += " Hãy báo bộ phận kỹ thuật nếu cần."
        super().__init__(text)


def describe_time(moment: datetime) -> str:
    """``09:00 ngày 25/11/2026``: how the clerk reads a backup's time."""
    local = to_vn(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def backup_tag(agency_code: str, station: int) -> str:
    """The tag naming one station's backups: ``000.00.17.H26_m1``."""
    code = re.sub(r"[^0-9A-Za-z.]", ".", agency_code.strip())
    return f"{code}_m{station}"


def backup_name(taken_at: datetime, schema_version: int, tag: str = "") -> str:
    if not _TAG.fullmatch(tag):
        raise ValueError(f"backup tag {tag!r} has characters outside [0-9A-Za-z._]")
    stamp = to_vn(taken_at).strftime("%Y%m%d-%H%M%S")
    return f"counter-{tag + '-' if tag else ''}{stamp}-v{schema_version}.sqlite3"


def parse_backup_name(path: Path) -> tuple[datetime, int, str] | None:
    """(taken at, schema version, tag) from one of our names, or None for any other file."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match["day"] + match["time"], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return moment.replace(tzinfo=VN_TZ), int(match["version"]), match["tag"] or ""


# --------------------------------------------------------------------------- errors


def _codes(err: BaseException) -> Iterable[BaseException]:
    """The error and what it wraps (peewee re-raises sqlite3 errors as its own)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [err]
    while todo:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        todo.extend([current.__cause__, current.__context__])
        todo.extend(a for a in current.args if isinstance(a, BaseException))
    return seen


def _sqlite_code(err: BaseException) -> int | None:
    for e in _codes(err):
        code = getattr(e, "sqlite_errorcode", None)
        if isinstance(code, int):
            return code & 0xFF  # the primary code (SQLITE_IOERR_WRITE -> SQLITE_IOERR)
    return None


def corruption_problem(err: BaseException) -> str | None:
    """The problem's text when ``err`` says the database file is damaged (or not a database
    at all, or cannot be decrypted with the key), else None (locked, full disk, a bug)."""
    code = _sqlite_code(err)
    text = str(err)
    lowered = text.lower()
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or any(
        words in lowered for words in ("malformed", "not a database", "file is encrypted")
    ):
        return text
    return None


def db_errors() -> tuple[type[BaseException], ...]:
    """The errors a database file can raise: sqlite3's, peewee's and, once an encrypted
    database is in use, sqlcipher3's (its own classes, not sqlite3's subclasses)."""
    errors: list[type[BaseException]] = [sqlite3.Error, peewee.PeeweeException]
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    error = getattr(cipher, "Error", None)
    if isinstance(error, type) and issubclass(error, BaseException):
        errors.append(error)
    return tuple(errors)


def _errors_or_os() -> tuple[type[BaseException], ...]:
    return (*db_errors(), OSError)


def _is_busy(err: BaseException) -> bool:
    code = _sqlite_code(err)
    text = str(err).lower()
    return code in (5, 6) or "locked" in text or "busy" in text


def _folder_error(folder: Path, err: BaseException) -> StorageError:
    """The Vietnamese message for a backup folder that cannot take the backup."""
    code = _sqlite_code(err)
    err_no = getattr(err, "errno", None)
    text = str(err).lower()
    if corruption_problem(err) is not None:
        return StorageError(
            f"Không sao lưu được: cơ sở dữ liệu của quầy bị hỏng ({err}). Đừng tắt máy; "
            "hãy báo bộ phận kỹ thuật. Các bản sao lưu cũ trong "
            f"{folder} vẫn được giữ nguyên."
        )
    if not folder.is_dir() or err_no == errno.ENOENT:
        return StorageError(
            f"Không tìm thấy thư mục sao lưu {folder} (ổ USB chưa cắm hoặc đã bị rút?). "
            "Chưa sao lưu được."
        )
    if err_no in (errno.ENOSPC, errno.EDQUOT) or code == _SQLITE_FULL or "full" in text:
        return StorageError(
            f"Thư mục sao lưu {folder} đã hết chỗ trống: chưa sao lưu được. Hãy xoá bớt tệp "
            "không cần trên ổ đó hoặc chọn thư mục sao lưu khác."
        )
    if (
        isinstance(err, PermissionError)
        or err_no in (errno.EACCES, errno.EPERM, errno.EROFS)
        or code in (_SQLITE_READONLY, _SQLITE_CANTOPEN)
        or "readonly" in text
        or "unable to open" in text
    ):
        return StorageError(
            f"Không có quyền ghi vào thư mục sao lưu {folder} (ổ chỉ đọc hoặc bị khoá ghi?). "
            "Chưa sao lưu được."
        )
    return StorageError(
        f"Không ghi được bản sao lưu vào thư mục {folder} ({err}): ổ đĩa có thể đã bị rút, "
        "bị lỗi hoặc đầy. Chưa sao lưu được."
    )


# --------------------------------------------------------------------------- files


def _fsync_file(path: Path) -> None:
    # Windows flushes only through a handle opened for writing.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no directory handles)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as err:  # some file systems (old FAT drivers) refuse: nothing to do
        log.debug("fsync of folder %s refused: %s", folder, err)
    finally:
        os.close(fd)


def _discard(path: Path) -> None:
    """Remove a temporary database and whatever SQLite made beside it."""
    for extra in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(f"{path}{extra}")
        except FileNotFoundError:
            pass
        except OSError as err:
            log.warning("could not remove %s%s: %s", path, extra, err)


def _check_file(path: Path, *, limit: int = 20) -> tuple[list[str], int]:
    """(``PRAGMA integrity_check`` rows, ``user_version``) of a database file."""
    conn = connect_file(path)
    try:
        rows = [str(row[0]) for row in conn.execute(f"PRAGMA integrity_check({limit})")]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    return rows, version


# --------------------------------------------------------------------------- making


def make_backup(
    folder: Path,
    *,
    now: datetime,
    tag: str = "",
    source: Any = None,
) -> BackupInfo:
    """Back the open database (or ``source``) up into ``folder``; see the module's text.

    Raises StorageError (Vietnamese, naming the folder) when the folder is missing,
    read-only or full, or the copy fails its integrity check; nothing is left behind then.
    The folder is never created here: a USB drive that is not plugged in must not turn into
    an empty folder of the same name on the PC's own disk.
    """
    started = time.monotonic()
    folder = Path(folder)
    if not _TAG.fullmatch(tag):
        raise ValueError(f"backup tag {tag!r} has characters outside [0-9A-Za-z._]")
    if not folder.is_dir():
        raise _folder_error(folder, FileNotFoundError(errno.ENOENT, "missing", str(folder)))
    temp = folder / f"{_TEMP_PREFIX}{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0))
        os.close(fd)
    except OSError as err:
        raise _folder_error(folder, err) from err
    try:
        conn = source if source is not None else database.connection()
        dest = connect_file(temp)
        try:
            # One step (pages=-1): one read transaction, one consistent snapshot; writers
            # on other connections carry on (WAL) and never make it start over.
            conn.backup(dest)
            # A single file on the backup drive: no -wal/-shm to lose when it is copied.
            dest.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            dest.close()
        _fsync_file(temp)
        rows, version = _check_file(temp)
        if rows != ["ok"]:
            raise StorageError(
                f"Bản sao lưu vừa tạo trong {folder} không đạt kiểm tra toàn vẹn ({rows[0]}) "
                "nên đã bị xoá. Cơ sở dữ liệu của quầy có thể đang hỏng: hãy báo bộ phận kỹ "
                "thuật."
            )
        size = temp.stat().st_size
        with _name_lock:
            final = _free_name(folder, now, version, tag)
            os.replace(temp, final)
        _fsync_dir(folder)
    except StorageError:
        _discard(temp)
        raise
    except _errors_or_os() as err:
        _discard(temp)
        log.warning("backup into %s failed: %s", folder, err)
        raise _folder_error(folder, err) from err
    except BaseException:
        _discard(temp)
        raise
    taken = to_vn(now).replace(microsecond=0)
    parsed = parse_backup_name(final)
    if parsed is not None:
        taken = parsed[0]
    seconds = time.monotonic() - started
    log.info("backup %s: %d bytes in %.2f s", final, size, seconds)
    return BackupInfo(BackupFile(final, taken, version, tag, size), "ok", seconds)


def _free_name(folder: Path, now: datetime, version: int, tag: str) -> Path:
    """The backup's name; a second backup in the same second takes the next second, so
    names stay unique and still sort by time."""
    moment = to_vn(now).replace(microsecond=0)
    taken = {b.taken_at for b in _scan(folder, tag)}
    while moment in taken or (folder / backup_name(moment, version, tag)).exists():
        moment += timedelta(seconds=1)
    return folder / backup_name(moment, version, tag)


# --------------------------------------------------------------------------- listing


def _scan(folder: Path, tag: str | None) -> list[BackupFile]:
    found = []
    for entry in os.scandir(folder):
        if not entry.name.startswith("counter-"):
            continue
        parsed = parse_backup_name(Path(entry.name))
        if parsed is None or (tag is not None and parsed[2] != tag):
            continue
        try:
            if not entry.is_file():
                continue
            size = entry.stat().st_size
        except OSError:
            continue
        found.append(BackupFile(Path(entry.path), parsed[0], parsed[1], parsed[2], size))
    found.sort(key=lambda b: (b.taken_at, b.name), reverse=True)
    return found


def list_backups(folder: Path, *, tag: str | None = None) -> list[BackupFile]:
    """Our backups in ``folder``, newest first (only one station's with ``tag``; "" for
    the untagged ones made before the counter was set up). Other files are ignored."""
    folder = Path(folder)
    try:
        return _scan(folder, tag)
    except FileNotFoundError as err:
        raise _folder_error(folder, err) from err
    except NotADirectoryError as err:
        raise StorageError(f"{folder} là một tệp, không phải thư mục sao lưu.") from err
    except OSError as err:
        raise StorageError(f"Không đọc được thư mục sao lưu {folder}: {err}.") from err


def verify_backup(path: Path) -> BackupCheck:
    """Is ``path`` a whole counter database this app can open? Never raises for a bad
    file: the answer says what is wrong with it (in Vietnamese)."""
    path = Path(path)
    parsed = parse_backup_name(path)

    def result(
        problem: str | None, version: int | None = None, dossiers: int | None = None
    ) -> BackupCheck:
        try:
            stat = path.stat()
            size = stat.st_size
            mtime: datetime | None = datetime.fromtimestamp(stat.st_mtime, VN_TZ)
        except OSError:
            size, mtime = 0, None
        return BackupCheck(
            path=path,
            ok=problem is None,
            problem=problem,
            schema_version=version,
            dossiers=dossiers,
            taken_at=parsed[0] if parsed else (mtime.replace(microsecond=0) if mtime else None),
            size=size,
        )

    from counter_app.store.migrations import SCHEMA_VERSION

    if not path.is_file():
        return result(f"không tìm thấy tệp {path}")
    try:
        conn = connect_file(path)
    except db_errors() as err:
        return result(f"không mở được tệp ({err})")
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
        if rows != ["ok"]:
            return result(f"tệp bị hỏng: {rows[0]}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {
            str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        missing = REQUIRED_TABLES - tables
        if missing or version < 1:
            return result(
                "không phải cơ sở dữ liệu của phần mềm Một Cửa (thiếu bảng "
                + ", ".join(sorted(missing or REQUIRED_TABLES))
                + ")",
                version,
            )
        if version > SCHEMA_VERSION:
            return result(
                f"thuộc phiên bản mới hơn của phần mềm (lược đồ {version}, phần mềm này hiểu "
                f"đến {SCHEMA_VERSION})",
                version,
            )
        dossiers = int(conn.execute("SELECT count(*) FROM dossier").fetchone()[0])
        return result(None, version, dossiers)
    except db_errors() as err:
        if corruption_problem(err) is not None and "not a database" in str(err).lower():
            return result("không phải tệp cơ sở dữ liệu (hoặc không giải mã được)")
        return result(f"tệp bị hỏng hoặc không đọc được ({err})")
    finally:
        conn.close()


def require_good_backup(path: Path) -> BackupCheck:
    """``verify_backup``, refusing a bad file (ValidationError on ``backup_file``)."""
    check = verify_backup(path)
    if not check.ok:
        raise ValidationError.single(
            "backup_file",
            f"Không khôi phục từ {path}: {check.problem}. Cơ sở dữ liệu hiện tại không bị "
            "thay đổi.",
        )
    return check


def latest_good_backup(folder: Path, *, tag: str | None = None) -> BackupCheck | None:
    """The newest backup in ``folder`` that passes ``verify_backup``, or None (also when
    the folder is not there)."""
    try:
        candidates = list_backups(folder, tag=tag)
    except StorageError:
        return None
    for candidate in candidates:
        check = verify_backup(candidate.path)
        if check.ok:
            return check
        log.warning("backup %s failed verification: %s", candidate.path, check.problem)
    return None


# --------------------------------------------------------------------------- rotation


def plan_rotation(backups: Sequence[BackupFile], *, now: datetime) -> RotationPlan:
    """Which backups rotation keeps: the newest of each of the last KEEP_DAILY days that
    have backups, and the newest of each of the last KEEP_WEEKLY ISO weeks that have backups
    (often the same files). A backup dated more than an hour after ``now`` (a clock that
    was wrong) is kept and does not count."""
    # Slack: a backup named a second or two ahead (two in one second) is not "future".
    limit = to_vn(now) + timedelta(hours=1)
    future = [b for b in backups if b.taken_at > limit]
    past = sorted((b for b in backups if b.taken_at <= limit), key=lambda b: b.taken_at)
    newest_of_day: dict[date, BackupFile] = {}
    newest_of_week: dict[tuple[int, int], BackupFile] = {}
    for b in past:  # ascending: a later one replaces an earlier one of its day/week
        day = b.taken_at.date()
        newest_of_day[day] = b
        iso_year, iso_week, _ = day.isocalendar()
        newest_of_week[(iso_year, iso_week)] = b
    keep_ids = {id(b) for b in future}
    for day in sorted(newest_of_day, reverse=True)[:KEEP_DAILY]:
        keep_ids.add(id(newest_of_day[day]))
    for week in sorted(newest_of_week, reverse=True)[:KEEP_WEEKLY]:
        keep_ids.add(id(newest_of_week[week]))
    order = sorted(backups, key=lambda b: (b.taken_at, b.name), reverse=True)
    return RotationPlan(
        keep=tuple(b for b in order if id(b) in keep_ids),
        remove=tuple(b for b in order if id(b) not in keep_ids),
    )


def rotate(folder: Path, *, now: datetime, tag: str = "") -> RotationPlan:
    """Delete the backups of this ``tag`` that ``plan_rotation`` does not keep; returns what
    was kept and what was removed. Files that are not our backups (or are another station's)
    are never touched; a file that cannot be deleted is logged and counted as kept."""
    folder = Path(folder)
    plan = plan_rotation(list_backups(folder, tag=tag), now=now)
    removed: list[BackupFile] = []
    kept = list(plan.keep)
    for b in plan.remove:
        try:
            b.path.unlink()
            removed.append(b)
        except FileNotFoundError:
            removed.append(b)
        except OSError as err:
            log.warning("rotation could not remove %s: %s", b.path, err)
            kept.append(b)
    _remove_stale_temps(folder)
    if removed:
        _fsync_dir(folder)
    kept.sort(key=lambda b: (b.taken_at, b.name), reverse=True)
    return RotationPlan(tuple(kept), tuple(removed))


def _remove_stale_temps(folder: Path) -> None:
    """Temporary copies left by a backup that was cut off (power, a pulled USB stick)."""
    cutoff = time.time() - _STALE_TEMP_S
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(_TEMP_PREFIX)]
    except OSError:
        return
    for entry in entries:
        try:
            if entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            pass


# --------------------------------------------------------------------------- checking


def quick_check(db: peewee.SqliteDatabase | Any) -> str | None:
    """``PRAGMA quick_check`` of an open database (a peewee database or a DB-API connection):
    None when ok, else the first problem. A locked database is not a damaged one: that
    error is raised, not reported."""
    try:
        if isinstance(db, peewee.Database):
            rows = db.execute_sql("PRAGMA quick_check(1)").fetchall()
        else:
            rows = db.execute("PRAGMA quick_check(1)").fetchall()
    except db_errors() as err:
        problem = corruption_problem(err)
        if problem is None:
            raise
        return problem
    first = str(rows[0][0]) if rows else "kiểm tra không trả kết quả"
    return None if first == "ok" else first


def _read_settings(db_path: Path, keys: Sequence[str]) -> dict[str, str]:
    """Settings read straight from a (possibly damaged) database file; {} when unreadable."""
    if not db_path.is_file():
        return {}
    try:
        conn = connect_file(db_path)
    except db_errors():
        return {}
    try:
        marks = ",".join("?" * len(keys))
        rows = conn.execute(f"SELECT key, value FROM setting WHERE key IN ({marks})", keys)
        return {str(k): str(v) for k, v in rows}
    except db_errors():
        return {}
    finally:
        conn.close()


def recovery_folders(db_path: Path) -> tuple[list[Path], str | None]:
    """Where to look for a backup of ``db_path`` when it is damaged, and its station's tag:
    the configured folder if the damaged file still tells it, then the default one."""
    values = _read_settings(db_path, (FOLDER_SETTING, "agency_code", "station"))
    folders: list[Path] = []
    if values.get(FOLDER_SETTING):
        folders.append(Path(values[FOLDER_SETTING]))
    default = AppPaths(db_path.parent).backups
    if default not in folders:
        folders.append(default)
    tag = None
    if values.get("agency_code") and values.get("station", "").isdigit():
        tag = backup_tag(values["agency_code"], int(values["station"]))
    return folders, tag


def find_recovery_backup(db_path: Path) -> tuple[BackupCheck | None, list[Path]]:
    """The latest good backup for a damaged ``db_path`` (this station's first, then any of
    ours), and the folders searched."""
    folders, tag = recovery_folders(db_path)
    best: BackupCheck | None = None
    for wanted in [tag, None] if tag is not None else [None]:
        for folder in folders:
            check = latest_good_backup(folder, tag=wanted)
            if check is not None and (
                best is None
                or (check.taken_at or datetime.min.replace(tzinfo=VN_TZ))
                > (best.taken_at or datetime.min.replace(tzinfo=VN_TZ))
            ):
                best = check
        if best is not None:
            break
    return best, folders


def corrupt_database_error(db_path: Path, problem: str) -> CorruptDatabaseError:
    """The error to raise when the counter's database is damaged, with the backup to offer."""
    backup, folders = find_recovery_backup(db_path)
    log.error(
        "database %s is damaged: %s; latest good backup: %s",
        db_path,
        problem,
        backup.path if backup else None,
    )
    return CorruptDatabaseError(db_path, problem, backup, folders)


# --------------------------------------------------------------------------- restoring


def _aside_base(db_path: Path, now: datetime) -> Path:
    stamp = to_vn(now).strftime("%Y%m%d-%H%M%S")
    base = db_path.with_name(f"{db_path.name}.replaced-{stamp}")
    n = 1
    candidate = base
    while any(Path(f"{candidate}{x}").exists() for x in ("", "-wal", "-shm")):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def _ensure_unused(db_path: Path) -> None:
    """Refuse while another connection (the GUI, a CLI command) has the database open, and
    fold its WAL into the file so nothing of it is left behind the replaced file's name."""
    conn = connect_file(db_path)
    try:
        conn.isolation_level = None
        conn.execute("PRAGMA busy_timeout=1000")  # a second is plenty to tell "in use"
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    except db_errors() as err:
        if _is_busy(err):
            raise StorageError(
                f"Cơ sở dữ liệu {db_path} đang được mở ở chương trình khác (cửa sổ Một Cửa "
                "hoặc một lệnh counter-app). Hãy đóng chương trình đó rồi khôi phục lại. "
                "Chưa thay đổi gì."
            ) from err
        log.warning("database to be replaced could not be checked (%s): replacing it", err)
    finally:
        conn.close()


def _remove_stale_staging(db_path: Path) -> None:
    """Copies left by a restore that was cut off before it replaced anything."""
    cutoff = time.time() - _STALE_TEMP_S
    for path in db_path.parent.glob(f"{db_path.name}.restoring-*"):
        try:
            if path.stat().st_mtime < cutoff:
                _discard(path)
        except OSError:
            pass


def _link_or_copy(src: Path, dst: Path) -> None:
    """A second name for ``src`` (instant) or, where links are not supported, a copy."""
    try:
        os.link(src, dst)
        return
    except OSError as err:
        log.info("hard link refused (%s): copying %s aside", err, src)
    shutil.copyfile(src, dst)
    _fsync_file(dst)


def restore(
    db_path: Path,
    backup_path: Path,
    *,
    now: datetime,
    on_step: ProgressStep | None = None,
) -> RestoreInfo:
    """Replace the counter's database by ``backup_path``; the caller reopens it afterwards.

    1. verify the backup (a bad file is refused with ValidationError; nothing changes);
    2. copy it (backup API) to ``counter.sqlite3.restoring-…`` beside the database, sync it
       and check it again;
    3. close this thread's connection, refuse if another still has the database open, and
       checkpoint its WAL into the file;
    4. give the old file a second name ``counter.sqlite3.replaced-…`` (hard link, or a copy);
    5. move its ``-wal``/``-shm`` (if any) to that name + ``-wal``/``-shm``;
    6. rename the checked copy over ``counter.sqlite3`` (atomic), sync the folder.

    At every moment ``counter.sqlite3`` is a whole database, the old one or the restored
    one, and the old one is never deleted. ``on_step`` hears each step's name.
    """
    step = on_step or (lambda _name: None)
    db_path = Path(db_path)
    backup_path = Path(backup_path)
    if backup_path.resolve() == db_path.resolve():
        raise ValidationError.single(
            "backup_file",
            f"{backup_path} là chính cơ sở dữ liệu đang dùng, không phải bản sao lưu.",
        )
    check = require_good_backup(backup_path)
    step("verified")
    folder = db_path.parent
    _remove_stale_staging(db_path)
    stamp = to_vn(now).strftime("%Y%m%d-%H%M%S")
    staging = db_path.with_name(f"{db_path.name}.restoring-{stamp}-{secrets.token_hex(3)}")
    try:
        src = connect_file(backup_path)
        try:
            dst = connect_file(staging)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        _fsync_file(staging)
        rows, _version = _check_file(staging)
        if rows != ["ok"]:
            raise StorageError(
                f"Bản chép của {backup_path} vào {folder} không đạt kiểm tra toàn vẹn "
                f"({rows[0]}). Chưa thay đổi gì."
            )
    except StorageError:
        _discard(staging)
        raise
    except _errors_or_os() as err:
        _discard(staging)
        full = _sqlite_code(err) == _SQLITE_FULL or getattr(err, "errno", None) == errno.ENOSPC
        reason = "ổ đĩa chứa dữ liệu đã đầy" if full else str(err)
        raise StorageError(
            f"Không chép được bản sao lưu vào thư mục dữ liệu {folder} ({reason}). "
            "Chưa thay đổi gì."
        ) from err
    step("staged")

    close_database()
    replaced: Path | None = None
    moved: list[Path] = []
    try:
        if db_path.exists():
            _ensure_unused(db_path)
            step("unused")
            replaced = _aside_base(db_path, now)
            _link_or_copy(db_path, replaced)
            moved.append(replaced)
            _fsync_dir(folder)
            step("kept-aside")
            for extra in ("-wal", "-shm"):
                side = Path(f"{db_path}{extra}")
                if side.exists():
                    target = Path(f"{replaced}{extra}")
                    os.replace(side, target)
                    moved.append(target)
            step("journal-aside")
        os.replace(staging, db_path)
        _fsync_dir(folder)
        step("replaced")
    except StorageError:
        _discard(staging)
        raise
    except OSError as err:
        _discard(staging)
        raise StorageError(
            f"Không thay được cơ sở dữ liệu {db_path} ({err}). Tệp đang dùng vẫn nguyên chỗ cũ"
            + (f"; bản của nó được giữ tại {replaced}." if replaced else ".")
        ) from err
    log.info("database %s restored from %s; old kept as %s", db_path, backup_path, replaced)
    return RestoreInfo(db_path, check, replaced, tuple(moved))
