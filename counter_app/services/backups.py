"""Backing the counter up and restoring it: the use cases the CLI and the GUI share.

The backup folder is a business setting (``backup.folder``, default ``<data folder>/backups``);
the time and file of the last good backup are kept beside it (``backup.last_at``,
``backup.last_file``) so ``backup_due`` can tell, once a day and at close, whether to run.
Audit rows name the backup file, never a citizen.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app.domain.clock import iso, now_vn, parse_iso, to_vn
from counter_app.errors import ValidationError
from counter_app.paths import AppPaths
from counter_app.services import audit
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.settings import load_settings
from counter_app.store import backup
from counter_app.store.db import write_transaction
from counter_app.store.models import Setting

log = logging.getLogger(__name__)

FOLDER = backup.FOLDER_SETTING
LAST_AT = "backup.last_at"
LAST_FILE = "backup.last_file"
DUE_AFTER = timedelta(hours=24)


def _get(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return "" if row is None else str(row.value)


@dataclass(frozen=True)
class BackupResult:
    folder: Path
    made: backup.BackupInfo
    kept: tuple[str, ...]
    removed: tuple[str, ...]
    reason: str

    def to_json(self) -> dict[str, Any]:
        f = self.made.file
        return {
            "file": str(f.path),
            "folder": str(self.folder),
            "size": f.size,
            "taken_at": iso(f.taken_at),
            "schema_version": f.schema_version,
            "integrity": self.made.integrity,
            "seconds": round(self.made.seconds, 3),
            "kept": list(self.kept),
            "removed": list(self.removed),
        }


@dataclass(frozen=True)
class BackupFolder:
    folder: Path
    is_default: bool
    # On the same disk as the database: it survives a damaged file, not a dead disk.
    same_disk: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "is_default": self.is_default,
            "same_disk": self.same_disk,
        }


@dataclass(frozen=True)
class RestoreResult:
    restored: backup.RestoreInfo
    ctx: CounterContext  # the counter reopened on the restored database

    def to_json(self) -> dict[str, Any]:
        r = self.restored
        return {
            "restored_from": str(r.restored_from.path),
            "db_path": str(r.db_path),
            "schema_version": r.restored_from.schema_version,
            "dossiers": r.restored_from.dossiers,
            "replaced": str(r.replaced) if r.replaced else None,
            "moved_aside": [str(p) for p in r.moved_aside],
        }


def station_tag(ctx: CounterContext) -> str:
    """The tag this station's backups carry ("" before the counter is set up)."""
    settings = load_settings(ctx)
    return backup.backup_tag(settings.agency_code, settings.station) if settings else ""


def backup_folder(ctx: CounterContext) -> Path:
    configured = _get(FOLDER)
    return Path(configured) if configured else ctx.paths.backups


def _same_disk(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def describe_folder(ctx: CounterContext) -> BackupFolder:
    folder = backup_folder(ctx)
    return BackupFolder(folder, not _get(FOLDER), _same_disk(folder, ctx.paths.home))


def set_backup_folder(ctx: CounterContext, folder: str | Path, actor: str) -> BackupFolder:
    """Choose where backups go (created if missing, checked writable); "" = the default.

    Refused (ValidationError on ``backup_folder``) when the folder cannot be created or
    written, so a typo is caught now rather than at the first backup.
    """
    text = str(folder).strip()
    target = Path(text).expanduser() if text else ctx.paths.backups
    if text and not target.is_absolute():
        raise ValidationError.single(
            "backup_folder",
            f"Thư mục sao lưu “{text}” phải là đường dẫn đầy đủ (ví dụ E:\\SaoLuu hoặc "
            "/media/usb/SaoLuu).",
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".counter-write-test-{secrets.token_hex(4)}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as err:
        raise ValidationError.single(
            "backup_folder", f"Không dùng được thư mục sao lưu {target}: {err.strerror or err}."
        ) from err
    target = target.resolve()
    with write_transaction():
        if text:
            Setting.replace(key=FOLDER, value=str(target)).execute()
        else:
            Setting.delete().where(Setting.key == FOLDER).execute()
        audit.record(actor, "settings.backup_folder", "", folder=str(target))
    return describe_folder(ctx)


def backup_now(
    ctx: CounterContext,
    *,
    actor: str,
    reason: str,
    folder: Path | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Back up into the configured folder (or ``folder``), rotate it, record the time.

    The backup file exists, synced and checked, before anything is recorded; StorageError
    (Vietnamese, naming the folder) when the folder cannot take it.
    """
    moment = now or now_vn()
    target = Path(folder) if folder is not None else backup_folder(ctx)
    tag = station_tag(ctx)
    made = backup.make_backup(target, now=moment, tag=tag)
    plan = backup.rotate(target, now=moment, tag=tag)
    with write_transaction():
        Setting.replace(key=LAST_AT, value=iso(made.file.taken_at)).execute()
        Setting.replace(key=LAST_FILE, value=str(made.file.path)).execute()
        audit.record(
            actor,
            "backup.create",
            "",
            file=made.file.name,
            reason=reason,
            size=made.file.size,
            removed=len(plan.remove),
        )
    return BackupResult(
        folder=target,
        made=made,
        kept=tuple(b.name for b in plan.keep),
        removed=tuple(b.name for b in plan.remove),
        reason=reason,
    )


def last_backup_at(ctx: CounterContext) -> datetime | None:
    text = _get(LAST_AT)
    try:
        return parse_iso(text) if text else None
    except ValueError:
        return None


def backup_due(ctx: CounterContext, now: datetime | None = None) -> bool:
    """True when no good backup was made in the last 24 hours (or the clock went back)."""
    last = last_backup_at(ctx)
    if last is None:
        return True
    moment = to_vn(now or now_vn())
    return not (moment - DUE_AFTER < last <= moment + timedelta(hours=1))


def list_folder(ctx: CounterContext, folder: Path | None = None) -> list[backup.BackupFile]:
    """Our backups in the configured folder (or ``folder``), newest first, every station's."""
    return backup.list_backups(folder if folder is not None else backup_folder(ctx))


def restore_backup(
    target: CounterContext | AppPaths,
    file: str | Path,
    actor: str,
    *,
    now: datetime | None = None,
) -> RestoreResult:
    """Replace the counter's database by the backup ``file`` and reopen the counter.

    A file that fails verification is refused (ValidationError) and nothing changes. The
    replaced database is kept beside it; the restored one records the restore in its audit
    log. ``target`` is the open counter (closed here) or, when the database is too damaged to
    open, its paths.
    """
    moment = now or now_vn()
    paths = target.paths if isinstance(target, CounterContext) else target
    if isinstance(target, CounterContext):
        target.close()
    info = backup.restore(paths.db, Path(file), now=moment)
    ctx = open_counter(paths.home)
    with write_transaction():
        audit.record(
            actor,
            "backup.restore",
            "",
            file=Path(file).name,
            replaced=info.replaced.name if info.replaced else None,
        )
    return RestoreResult(info, ctx)
