"""``counter-app``: the admin command line (JSON on stdout with ``--json``).

With no arguments it opens the GUI. Errors go to stderr in Vietnamese with a non-zero exit:
2 for refused input (bad field, unknown code), 1 for anything else the clerk can act on.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app import __version__
from counter_app.errors import ConflictError, KnownError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from counter_app.services.context import CounterContext
    from counter_app.services.dto import DocumentLine

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
# The dossier IS saved but its receipt could not be written: do not intake it again.
EXIT_SAVED_NO_RECEIPT = 3


class CliError(KnownError):
    """Bad command-line input, reported like a refused field."""


def _emit(args: argparse.Namespace, data: Any, text: str) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(text)


def _read_json_file(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CliError(f"Không tìm thấy tệp {path}.") from None
    except json.JSONDecodeError as err:
        raise CliError(
            f"Tệp {path} không phải JSON hợp lệ (dòng {err.lineno}): {err.msg}."
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise CliError(f"Không đọc được tệp {path}: {err}.") from None


def _parse_moment(text: str, option: str) -> datetime:
    """ISO 8601 with a time of day (a bare date would print as "00 giờ 00 phút")."""
    from counter_app.domain.clock import parse_iso

    bad = CliError(
        f"{option}: '{text}' không đúng định dạng ISO 8601 có giờ "
        "(ví dụ 2026-11-25T08:30:00+07:00)."
    )
    if not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?", text.strip()
    ):
        raise bad
    try:
        moment = parse_iso(text)
    except (ValueError, OverflowError):
        raise bad from None
    if not 2000 <= moment.year <= 2100:
        raise CliError(f"{option}: năm {moment.year} nằm ngoài khoảng 2000–2100.")
    return moment


def _parse_day(text: str, option: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"{option}: '{text}' không đúng định dạng YYYY-MM-DD.") from None


USER_ENV = "COUNTER_APP_USER"
PASSWORD_ENV = "COUNTER_APP_PASSWORD"
NEW_PASSWORD_ENV = "COUNTER_APP_NEW_PASSWORD"


def read_secret(prompt: str, env: str, *, confirm: bool = False) -> str:
    """A password from ``env``, else typed at a hidden prompt, else one line of stdin (so a
    script can pipe it); a new password typed by hand is asked twice."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Nhập lại để xác nhận: ") != first:
            raise CliError("Hai lần nhập mật khẩu không khớp.")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise CliError(f"Cần mật khẩu: đặt biến {env} hoặc chạy lệnh trong cửa sổ dòng lệnh.")
    return line.rstrip("\r\n")


def _sign_in(ctx: CounterContext, args: argparse.Namespace) -> None:
    """Every command that reads or changes dossiers acts as a named operator."""
    from counter_app.errors import ConfigurationError
    from counter_app.services.accounts import has_operators, sign_in
    from counter_app.services.settings import require_settings

    if not has_operators(ctx):
        require_settings(ctx)  # "not set up yet: run counter-app init …"
        raise ConfigurationError(
            "Quầy chưa có tài khoản nào: chạy counter-app init … --admin TÊN để tạo quản trị."
        )
    user = getattr(args, "user", None) or os.environ.get(USER_ENV, "")
    if not user.strip():
        raise CliError(f"Cần tên đăng nhập: --user TÊN hoặc biến {USER_ENV}.")
    sign_in(ctx, user, read_secret(f"Mật khẩu của {user.strip()}: ", PASSWORD_ENV))


def _open(args: argparse.Namespace, *, operator: bool = True) -> CounterContext:
    """Open the counter; with ``operator`` (the default) sign the command's user in. An
    encrypted counter cannot be read at all without signing in (the password opens it)."""
    from counter_app.services.context import open_counter
    from counter_app.services.vault import is_encrypted, open_signed_in

    if args.home is not None and not args.home.strip():
        raise CliError("--home: thư mục dữ liệu không được để trống.")
    if is_encrypted(args.home):
        user = getattr(args, "user", None) or os.environ.get(USER_ENV, "")
        if not user.strip():
            raise CliError(f"Dữ liệu của quầy được mã hóa: cần --user TÊN hoặc biến {USER_ENV}.")
        password = read_secret(f"Mật khẩu của {user.strip()}: ", PASSWORD_ENV)
        return open_signed_in(args.home, user, password)
    ctx = open_counter(args.home)
    if operator:
        _sign_in(ctx, args)
    return ctx


# --- commands -----------------------------------------------------------------------------


def cmd_info(args: argparse.Namespace) -> int:
    from counter_app.store.migrations import schema_version

    ctx = _open(args, operator=False)
    data = {
        "version": __version__,
        "data_dir": str(ctx.paths.home),
        "db_path": str(ctx.paths.db),
        "schema_version": schema_version(ctx.db),
    }
    _emit(args, data, "\n".join(f"{key}: {value}" for key, value in data.items()))
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from counter_app.services.settings import first_run

    recovery_key = None
    password = read_secret(f"Mật khẩu cho quản trị {args.admin}: ", PASSWORD_ENV, confirm=True)
    if args.encrypt:
        from counter_app.services.vault import create_encrypted_counter

        if args.home is not None and not args.home.strip():
            raise CliError("--home: thư mục dữ liệu không được để trống.")
        ctx, recovery_key = create_encrypted_counter(args.home)
    else:
        ctx = _open(args, operator=False)
    settings, admin = first_run(
        ctx,
        agency_code=args.agency_code,
        agency_name=args.agency_name,
        place_name=args.place,
        station=args.station,
        admin_username=args.admin,
        admin_full_name=args.admin_name or args.admin,
        admin_password=password,
    )
    text = (
        f"Đã thiết lập quầy {settings.agency_name} ({settings.agency_code}), máy số "
        f"{settings.station}; quản trị: {admin.username}. Dữ liệu tại {ctx.paths.home}"
    )
    if recovery_key:
        text += (
            "\nDữ liệu được MÃ HÓA. Khóa khôi phục (in ra, giao huyện giữ; chỉ hiện một lần):\n"
            f"    {recovery_key}"
        )
    data = {**settings.to_json(), "admin": admin.username, "data_dir": str(ctx.paths.home)}
    _emit(args, {**data, "encrypted": bool(recovery_key), "recovery_key": recovery_key}, text)
    return EXIT_OK


def cmd_catalogue_list(args: argparse.Namespace) -> int:
    from counter_app.services.catalogue import export_catalogue, list_procedures

    ctx = _open(args, operator=False)
    if args.json:
        _emit(args, export_catalogue(ctx), "")
    else:
        for proc in list_procedures(ctx):
            print(f"{proc.code:<14} {proc.time_text:<18} {proc.name}")
    return EXIT_OK


def cmd_catalogue_import(args: argparse.Namespace) -> int:
    from counter_app.services.catalogue import import_catalogue

    data = _read_json_file(args.file)
    ctx = _open(args)
    summary = import_catalogue(ctx, data)
    _emit(
        args,
        summary.to_json(),
        f"Đã nhập danh mục: {summary.created} thủ tục mới, {summary.new_versions} phiên bản "
        f"mới, {summary.unchanged} không đổi.",
    )
    return EXIT_OK


def cmd_calendar_import(args: argparse.Namespace) -> int:
    from counter_app.services.calendars import import_calendar

    data = _read_json_file(args.file)
    ctx = _open(args)
    year = import_calendar(ctx, data)
    _emit(
        args,
        year.to_json(),
        f"Đã nhập lịch năm {year.year}: {len(year.days_off)} ngày nghỉ thêm, "
        f"{len(year.working_days)} ngày làm việc bù.",
    )
    return EXIT_OK


def cmd_calendar_list(args: argparse.Namespace) -> int:
    from counter_app.services.calendars import list_years

    ctx = _open(args, operator=False)
    years = list_years(ctx)
    _emit(args, years, "\n".join(f"{y['year']}: {y['source']}" for y in years))
    return EXIT_OK


def cmd_due_date(args: argparse.Namespace) -> int:
    from counter_app.domain.clock import iso
    from counter_app.services.intake import preview_due

    received = _parse_moment(args.received_at, "--received-at") if args.received_at else None
    ctx = _open(args, operator=False)
    preview = preview_due(ctx, args.procedure, received)
    _emit(
        args,
        {
            "due_at": iso(preview.due_at),
            "received_at": iso(preview.received_at),
            "counted_from": iso(preview.counted_from),
            "time": preview.time_text,
        },
        f"Hẹn trả: {iso(preview.due_at)} ({preview.time_text})",
    )
    return EXIT_OK


def _documents_arg(
    text: str | None, ctx: CounterContext, procedure: str
) -> tuple[DocumentLine, ...] | None:
    if text is None:
        return None
    from counter_app.services.catalogue import get_procedure

    listed = get_procedure(ctx, procedure).documents
    picked: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= len(listed):
            raise CliError(f"--documents: '{part}' không phải số thứ tự giấy tờ 1–{len(listed)}.")
        if int(part) in picked:
            raise CliError(f"--documents: giấy tờ số {part} được kê hai lần.")
        picked.append(int(part))
    return tuple(listed[n - 1] for n in picked)


def cmd_intake(args: argparse.Namespace) -> int:
    from counter_app.domain.clock import iso
    from counter_app.domain.identity import ApplicantInput, ApplicantKind, Sex
    from counter_app.services.intake import IntakeRequest, receive
    from counter_app.services.receipts import issue_receipt

    if bool(args.id_number) == bool(args.tax_code):
        raise CliError("Cần đúng một trong hai: --id-number (công dân) hoặc --tax-code (tổ chức).")
    received = _parse_moment(args.received_at, "--received-at") if args.received_at else None
    dob = _parse_day(args.dob, "--dob") if args.dob else None
    ctx = _open(args)
    applicant = ApplicantInput(
        name=args.name,
        kind=ApplicantKind.ORGANISATION if args.tax_code else ApplicantKind.CITIZEN,
        id_number=args.id_number or "",
        tax_code=args.tax_code or "",
        dob=dob,
        sex=Sex(args.sex) if args.sex else None,
        address=args.address or "",
        phone=args.phone or "",
        email=args.email or "",
    )
    request = IntakeRequest(
        procedure_code=args.procedure,
        applicant=applicant,
        documents=_documents_arg(args.documents, ctx, args.procedure),
        dossier_sets=args.sets,
        result_delivery=args.delivery,
        received_at=received,
        note=args.note or "",
        submission_id=args.submission_id or "",
        allow_duplicate=args.allow_duplicate,
    )
    detail = receive(ctx, request)
    saved = {
        "code": detail.code,
        "received_at": iso(detail.summary.received_at),
        "due_at": iso(detail.summary.due_at),
    }
    try:
        receipt = issue_receipt(ctx, detail.code)
    except KnownError as err:
        # Saved already: say so loudly, or a retry would receive the dossier twice.
        _emit(args, {**saved, "receipt": None}, f"Đã tiếp nhận hồ sơ {detail.code}.")
        _report(
            f"Hồ sơ {detail.code} ĐÃ ĐƯỢC LƯU nhưng chưa in được giấy tiếp nhận: "
            f"{err.message} In lại bằng: counter-app receipt {detail.code}"
        )
        return EXIT_SAVED_NO_RECEIPT
    _emit(
        args,
        {**saved, "receipt": str(receipt)},
        f"Đã tiếp nhận hồ sơ {detail.code}; hẹn trả {iso(detail.summary.due_at)}.\n"
        f"Giấy tiếp nhận: {receipt}",
    )
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from counter_app.domain.clock import iso
    from counter_app.services.dossiers import get_dossier

    ctx = _open(args)
    detail = get_dossier(ctx, args.code)
    s = detail.summary
    _emit(
        args,
        detail.to_json(),
        f"{s.code}  [{s.status}] {s.status_name}\n{s.procedure_name}\n{s.applicant_name}\n"
        f"Nhận: {iso(s.received_at)}  Hẹn trả: {iso(s.due_at)}",
    )
    return EXIT_OK


def cmd_receipt(args: argparse.Namespace) -> int:
    from counter_app.services.receipts import issue_receipt

    ctx = _open(args)
    path = issue_receipt(ctx, args.code, out=Path(args.out) if args.out else None)
    _emit(args, {"code": args.code.strip().upper(), "receipt": str(path)}, str(path))
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    import gc

    gc.disable()  # until the window is up, before the Qt imports: see ui/heap.py
    from ui.app import run_gui

    code: int = run_gui(home=args.home)
    return code


# --- parser -------------------------------------------------------------------------------


def _station(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"số máy phải là số nguyên 1–9, nhận được '{text}'")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    # --home and --json are accepted before or after the command; the subcommand's copy
    # must not reset what was given before it, hence SUPPRESS there.
    def options(default_home: Any, default_json: Any, default_user: Any) -> argparse.ArgumentParser:
        p = argparse.ArgumentParser(add_help=False)
        p.add_argument(
            "--home",
            default=default_home,
            help="thư mục dữ liệu (mặc định: COUNTER_APP_HOME hoặc thư mục người dùng)",
        )
        p.add_argument(
            "--json", action="store_true", default=default_json, help="in kết quả dạng JSON"
        )
        p.add_argument(
            "--user",
            default=default_user,
            help=f"tên đăng nhập của cán bộ (mặc định: {USER_ENV}); mật khẩu lấy từ "
            f"{PASSWORD_ENV} hoặc được hỏi",
        )
        return p

    top = options(None, False, None)
    common = options(argparse.SUPPRESS, argparse.SUPPRESS, argparse.SUPPRESS)

    parser = argparse.ArgumentParser(
        prog="counter-app", description="Phần mềm Một Cửa tại quầy", parents=[top]
    )
    parser.add_argument("--version", action="version", version=f"counter-app {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")

    def add(
        name: str, func: Callable[[argparse.Namespace], int], help_text: str, target: Any = sub
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = target.add_parser(name, help=help_text, parents=[common])
        p.set_defaults(func=func)
        return p

    add("gui", cmd_gui, "mở giao diện")
    add("info", cmd_info, "phiên bản, thư mục dữ liệu, lược đồ CSDL")

    p = add("init", cmd_init, "thiết lập quầy lần đầu")
    p.add_argument("--agency-code", required=True, help="mã định danh đơn vị (QCVN 102:2016)")
    p.add_argument("--agency-name", required=True, help='tên cơ quan, vd "UBND xã An Hòa"')
    p.add_argument("--place", required=True, help='địa danh ghi ở tiêu đề, vd "An Hòa"')
    p.add_argument("--station", required=True, type=_station, help="số máy của quầy (1–9)")
    p.add_argument("--admin", required=True, help="tên đăng nhập của quản trị đầu tiên")
    p.add_argument("--admin-name", help="họ tên quản trị (mặc định: tên đăng nhập)")
    p.add_argument(
        "--encrypt",
        action="store_true",
        help="mã hóa dữ liệu (SQLCipher); in khóa khôi phục một lần cho huyện giữ",
    )

    cat = sub.add_parser("catalogue", help="danh mục thủ tục", parents=[common])
    cat_sub = cat.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    add("list", cmd_catalogue_list, "liệt kê thủ tục", cat_sub)
    p = add("import", cmd_catalogue_import, "nhập danh mục từ tệp JSON", cat_sub)
    p.add_argument("file")

    cal = sub.add_parser("calendar", help="lịch nghỉ hằng năm", parents=[common])
    cal_sub = cal.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    p = add("import", cmd_calendar_import, "nhập lịch một năm từ tệp JSON", cal_sub)
    p.add_argument("file")
    add("list", cmd_calendar_list, "các năm đã có lịch", cal_sub)

    p = add("due-date", cmd_due_date, "tính ngày hẹn trả")
    p.add_argument("--procedure", required=True)
    p.add_argument("--received-at", help="thời điểm nhận (ISO 8601); mặc định: bây giờ")

    p = add("intake", cmd_intake, "tiếp nhận một hồ sơ")
    p.add_argument("--procedure", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--id-number")
    p.add_argument("--tax-code")
    p.add_argument("--dob")
    p.add_argument("--sex", choices=["M", "F"])
    p.add_argument("--address")
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--received-at", help="hồ sơ đã nhận trên giấy lúc mất mạng (ISO 8601)")
    p.add_argument("--documents", help="số thứ tự giấy tờ đã nộp, vd 1,2,6 (mặc định: tất cả)")
    p.add_argument("--sets", type=int, default=1, help="số bộ hồ sơ")
    p.add_argument("--delivery", choices=["counter", "post"], default="counter")
    p.add_argument("--note")
    p.add_argument(
        "--submission-id",
        help="mã lần nộp do máy quét/kịch bản cấp: gửi lại cùng mã không tạo hồ sơ thứ hai",
    )
    p.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="vẫn tiếp nhận dù người nộp đang có hồ sơ cùng thủ tục chưa giải quyết xong",
    )

    p = add("show", cmd_show, "xem một hồ sơ")
    p.add_argument("code")

    p = add("receipt", cmd_receipt, "in (lại) giấy tiếp nhận ra PDF")
    p.add_argument("code")
    p.add_argument("--out")

    from counter_app import cli_accounts, cli_tracking

    cli_tracking.add_commands(add)
    cli_accounts.add_commands(add, sub, common)
    from counter_app import cli_backup, cli_sync

    cli_backup.add_commands(add)
    cli_sync.add_commands(add, sub, common)
    return parser


def _report(message: str) -> None:
    print(f"Lỗi: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = getattr(args, "func", cmd_gui)
    try:
        return func(args)
    except BrokenPipeError:
        # `counter-app show … | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return EXIT_OK
    except ValidationError as err:
        for message in err.fields.values():
            _report(message)
        return EXIT_BAD_INPUT
    except (NotFoundError, ConflictError, CliError) as err:
        _report(err.message)
        return EXIT_BAD_INPUT
    except KnownError as err:
        _report(err.message)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
