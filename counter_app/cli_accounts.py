"""``counter-app user …`` (operator accounts) and ``counter-app audit verify``.

Managing accounts is a supervisor's action (an admin's for admin accounts); a refusal is
audited. New passwords come from COUNTER_APP_NEW_PASSWORD, a hidden prompt (asked twice)
or one line of stdin.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from counter_app.cli import (
    EXIT_ERROR,
    EXIT_OK,
    NEW_PASSWORD_ENV,
    _emit,
    _open,
    read_secret,
)

Adder = Callable[..., argparse.ArgumentParser]


def _new_password(username: str) -> str:
    return read_secret(f"Mật khẩu mới cho {username}: ", NEW_PASSWORD_ENV, confirm=True)


def _show(args: argparse.Namespace, info: Any, text: str) -> int:
    _emit(args, info.to_json(), text)
    return EXIT_OK


def cmd_user_list(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import list_operators

    people = list_operators(_open(args))
    lines = [
        f"{p.username:<16} {p.role_name:<16} {p.full_name}"
        + ("" if p.active else "  [đã khóa]")
        + (f"  [tạm khóa đến {p.locked_until:%H:%M}]" if p.locked_until else "")
        for p in people
    ]
    _emit(args, [p.to_json() for p in people], "\n".join(lines))
    return EXIT_OK


def cmd_user_add(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import create_operator

    ctx = _open(args)
    info = create_operator(
        ctx, args.username, args.full_name, args.role, _new_password(args.username)
    )
    return _show(args, info, f"Đã tạo tài khoản {info.username} ({info.role_name}).")


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import change_own_password, reset_password

    ctx = _open(args)
    assert ctx.operator is not None
    if args.username is None or args.username.strip().casefold() == ctx.operator.username:
        from counter_app.cli import PASSWORD_ENV

        old = read_secret("Mật khẩu hiện tại: ", PASSWORD_ENV)
        change_own_password(ctx, old, _new_password(ctx.operator.username))
        _emit(args, {"username": ctx.operator.username}, "Đã đổi mật khẩu.")
        return EXIT_OK
    info = reset_password(ctx, args.username, _new_password(args.username))
    return _show(args, info, f"Đã đặt lại mật khẩu của {info.username}.")


def cmd_user_role(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import set_role

    info = set_role(_open(args), args.username, args.role)
    return _show(args, info, f"{info.username} giờ là {info.role_name.lower()}.")


def cmd_user_disable(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import set_active

    info = set_active(_open(args), args.username, False)
    return _show(args, info, f"Đã khóa tài khoản {info.username}.")


def cmd_user_enable(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import set_active

    info = set_active(_open(args), args.username, True)
    return _show(args, info, f"Đã mở lại tài khoản {info.username}.")


def cmd_user_unlock(args: argparse.Namespace) -> int:
    from counter_app.services.accounts import unlock

    info = unlock(_open(args), args.username)
    return _show(args, info, f"Đã mở khóa {info.username}.")


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Needs no sign-in: the district checks a station's chain, and a broken operator
    table must not stop the check."""
    from counter_app.services.audit import verify_chain

    report = verify_chain(_open(args, operator=False))
    if report.ok:
        text = f"Nhật ký toàn vẹn: {report.rows} dòng, dòng cuối {report.head.id}."
    elif report.first_bad_id is not None:
        text = (
            f"NHẬT KÝ BỊ SỬA: dòng {report.first_bad_id} không hợp lệ ({report.reason}). "
            f"Đã kiểm {report.rows} dòng."
        )
    else:
        text = f"NHẬT KÝ KHÔNG ĐÁNG TIN: {report.reason}"
    _emit(args, report.to_json(), text)
    return EXIT_OK if report.ok else EXIT_ERROR


def add_commands(add: Adder, sub: Any, common: argparse.ArgumentParser) -> None:
    from counter_app.services.accounts import ROLES

    user = sub.add_parser("user", help="tài khoản cán bộ", parents=[common])
    user_sub = user.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    add("list", cmd_user_list, "các tài khoản", user_sub)
    p = add("add", cmd_user_add, "tạo tài khoản", user_sub)
    p.add_argument("username", help="tên đăng nhập, vd mai.tt")
    p.add_argument("--full-name", required=True, help="họ tên in trên giấy tờ")
    p.add_argument("--role", choices=ROLES, default="clerk")
    p = add(
        "passwd", cmd_user_passwd, "đổi mật khẩu (của mình, hoặc đặt lại cho người khác)", user_sub
    )
    p.add_argument("username", nargs="?")
    p = add("role", cmd_user_role, "đổi vai trò", user_sub)
    p.add_argument("username")
    p.add_argument("role", choices=ROLES)
    p = add("disable", cmd_user_disable, "khóa tài khoản", user_sub)
    p.add_argument("username")
    p = add("enable", cmd_user_enable, "mở lại tài khoản đã khóa", user_sub)
    p.add_argument("username")
    p = add("unlock", cmd_user_unlock, "mở khóa sau khi nhập sai mật khẩu nhiều lần", user_sub)
    p.add_argument("username")

    audit = sub.add_parser("audit", help="nhật ký thao tác", parents=[common])
    audit_sub = audit.add_subparsers(dest="subcommand", metavar="LỆNH", required=True)
    add("verify", cmd_audit_verify, "kiểm tra chuỗi băm của nhật ký", audit_sub)
