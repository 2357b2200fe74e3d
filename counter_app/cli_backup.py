"""``counter-app backup …`` and ``counter-app restore FILE``.

``backup`` makes a checked backup now (into the configured folder or ``--to DIR``) and
rotates the folder; ``backup list`` shows what is there; ``backup folder DIR`` chooses the
folder. ``restore FILE`` verifies the file first: a bad one is refused with exit code 2 and
nothing changes; a good one replaces the database, and the replaced one is kept aside.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from counter_app.cli import EXIT_OK, _emit, _open

if TYPE_CHECKING:
    from counter_app.services.context import CounterContext


class Adder(Protocol):
    def __call__(
        self,
        name: str,
        func: Callable[[argparse.Namespace], int],
        help_text: str,
        target: Any = ...,
    ) -> argparse.ArgumentParser: ...


def _actor(ctx: CounterContext) -> str:
    """Who the audit log names: the operator ``_open`` signed in."""
    operator = getattr(ctx, "operator", None)
    return str(operator.username) if operator is not None else "admin"


def _size(n: int) -> str:
    if n >= 1_048_576:
        return f"{n / 1_048_576:.1f} MB".replace(".", ",")
    return f"{max(1, n // 1024)} KB"


def cmd_backup(args: argparse.Namespace) -> int:
    from counter_app.services.backups import backup_now

    ctx = _open(args)
    result = backup_now(
        ctx,
        actor=_actor(ctx),
        reason="cli",
        folder=Path(args.to).expanduser() if args.to else None,
    )
    made = result.made.file
    text = (
        f"Đã sao lưu vào {made.path} ({_size(made.size)}, kiểm tra toàn vẹn: "
        f"{result.made.integrity})."
    )
    if result.removed:
        text += f"\nĐã xoá {len(result.removed)} bản cũ theo lịch giữ; còn {len(result.kept)} bản."
    _emit(args, result.to_json(), text)
    return EXIT_OK


def cmd_backup_list(args: argparse.Namespace) -> int:
    from counter_app.domain.clock import iso
    from counter_app.services.backups import backup_folder, last_backup_at, list_folder
    from counter_app.store.backup import describe_time, verify_backup

    ctx = _open(args)
    folder = Path(args.dir).expanduser() if args.dir else backup_folder(ctx)
    files = list_folder(ctx, folder)
    rows: list[dict[str, Any]] = []
    lines = [f"Thư mục sao lưu: {folder}"]
    for f in files:
        row: dict[str, Any] = {
            "file": f.name,
            "taken_at": iso(f.taken_at),
            "size": f.size,
            "schema_version": f.schema_version,
            "station": f.tag,
        }
        line = f"{f.name}  {describe_time(f.taken_at)}  {_size(f.size)}"
        if args.verify:
            check = verify_backup(f.path)
            row["ok"], row["problem"], row["dossiers"] = check.ok, check.problem, check.dossiers
            line += f"  {'tốt' if check.ok else 'HỎNG: ' + str(check.problem)}"
        rows.append(row)
        lines.append(line)
    if not files:
        lines.append("Chưa có bản sao lưu nào.")
    last = last_backup_at(ctx)
    lines.append(f"Lần sao lưu tốt gần nhất: {describe_time(last) if last else 'chưa có'}")
    _emit(
        args,
        {"folder": str(folder), "last_at": iso(last) if last else None, "backups": rows},
        "\n".join(lines),
    )
    return EXIT_OK


def cmd_backup_folder(args: argparse.Namespace) -> int:
    from counter_app.services.backups import describe_folder, set_backup_folder

    ctx = _open(args)
    if args.folder is None:
        shown = describe_folder(ctx)
        text = f"Thư mục sao lưu: {shown.folder}" + (" (mặc định)" if shown.is_default else "")
    else:
        shown = set_backup_folder(ctx, args.folder, _actor(ctx))
        text = f"Từ nay sao lưu vào {shown.folder}."
    if shown.same_disk:
        text += (
            "\nLưu ý: thư mục này nằm trên cùng ổ đĩa với dữ liệu; nên chọn ổ USB hoặc ổ khác "
            "để bản sao lưu còn khi ổ đĩa của máy hỏng."
        )
    _emit(args, shown.to_json(), text)
    return EXIT_OK


def _restore_actor(args: argparse.Namespace) -> str:
    """Who restores: the operator signed in to the current database. A refused sign-in
    stops the restore; a database too damaged to open has nobody to sign in to."""
    from counter_app.errors import StorageError
    from counter_app.paths import app_paths

    if not app_paths(args.home).db.is_file():
        return "admin"
    try:
        ctx = _open(args)
    except StorageError:
        return "admin"
    try:
        return _actor(ctx)
    finally:
        ctx.close()


def cmd_restore(args: argparse.Namespace) -> int:
    from counter_app.paths import app_paths
    from counter_app.services.backups import restore_backup
    from counter_app.store.backup import require_good_backup

    # A bad file is refused before anything is opened (signing in writes to the audit log).
    require_good_backup(Path(args.file).expanduser())
    actor = _restore_actor(args)
    paths = app_paths(args.home).ensure()
    result = restore_backup(paths, Path(args.file).expanduser(), actor)
    info = result.restored
    text = (
        f"Đã khôi phục cơ sở dữ liệu từ {info.restored_from.path} "
        f"({info.restored_from.dossiers} hồ sơ)."
    )
    if info.replaced is not None:
        text += f"\nCơ sở dữ liệu cũ được giữ tại {info.replaced}"
    _emit(args, result.to_json(), text)
    result.ctx.close()
    return EXIT_OK


def add_commands(add: Adder) -> None:
    p = add("backup", cmd_backup, "sao lưu cơ sở dữ liệu ngay (có kiểm tra), xoay vòng bản cũ")
    p.add_argument("--to", help="thư mục nhận bản sao lưu lần này (mặc định: đã chọn)")
    backup_sub = p.add_subparsers(dest="subcommand", metavar="LỆNH")
    q = add("list", cmd_backup_list, "liệt kê các bản sao lưu", backup_sub)
    q.add_argument("dir", nargs="?", help="thư mục (mặc định: thư mục sao lưu đã chọn)")
    q.add_argument("--verify", action="store_true", help="kiểm tra toàn vẹn từng bản")
    q = add("folder", cmd_backup_folder, "xem hoặc chọn thư mục sao lưu (vd ổ USB)", backup_sub)
    q.add_argument("folder", nargs="?", help='thư mục mới; "" để về mặc định')

    p = add("restore", cmd_restore, "khôi phục cơ sở dữ liệu từ một bản sao lưu")
    p.add_argument("file", help="tệp sao lưu (.sqlite3)")
