"""Operators: accounts, roles, signing in, and the check that an action is allowed.

Passwords are hashed with argon2id at (at least) the OWASP minimum: m = 19 MiB, t = 2,
p = 1. Five wrong passwords in a row lock the account for 15 minutes. Every sign-in, sign-out,
refused sign-in and refused action is written to the audit trail; a refusal commits on its
own, since the action it belongs to does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from counter_app.domain.clock import iso, now_vn
from counter_app.domain.text import clean_line, find_refused_char, nfc
from counter_app.errors import (
    ConflictError,
    KnownError,
    NotFoundError,
    ValidationError,
)
from counter_app.services import audit
from counter_app.services.context import CounterContext
from counter_app.services.dto import ROLE_NAMES, OperatorInfo
from counter_app.store.db import write_transaction
from counter_app.store.models import Operator, Setting

ROLES = ("clerk", "supervisor", "admin")
MAX_FAILED_LOGINS = 5
LOCK_TIME = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 256
MAX_FULL_NAME = 100
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,31}")

# OWASP Password Storage Cheat Sheet, argon2id minimum. Tests may swap in a cheaper hasher
# (the parameters travel inside each hash, so verifying never depends on this object).
PRODUCTION_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)
HASHER = PRODUCTION_HASHER


class NotSignedInError(KnownError):
    """No operator is signed in to this counter."""


class SignInError(KnownError):
    """Wrong name or password, a locked or disabled account."""


class PermissionDeniedError(KnownError):
    """The signed-in operator's role does not allow the action (it was audited)."""


def _info(row: Operator) -> OperatorInfo:
    return OperatorInfo(
        username=row.username,
        full_name=row.full_name,
        role=row.role,
        active=bool(row.active),
        locked_until=row.locked_until,
        failed_logins=row.failed_logins,
    )


def normalise_username(text: str) -> str:
    name = nfc(text).strip().casefold()
    if not _USERNAME.fullmatch(name):
        raise ValidationError.single(
            "username",
            "Tên đăng nhập: 2–32 ký tự, chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch nối "
            "hoặc gạch dưới (ví dụ: mai.tt).",
        )
    return name


def _full_name(text: str) -> str:
    name = clean_line(text)
    if not name or find_refused_char(text) is not None or len(name) > MAX_FULL_NAME:
        raise ValidationError.single(
            "full_name", f"Họ và tên cán bộ: bắt buộc, tối đa {MAX_FULL_NAME} ký tự."
        )
    return name


def _password(text: str, field: str = "password") -> str:
    # NFC: the same password typed with a composing or a decomposing keyboard must match.
    password = nfc(text)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD or not password.strip():
        raise ValidationError.single(
            field, f"Mật khẩu: từ {MIN_PASSWORD} đến {MAX_PASSWORD} ký tự."
        )
    if find_refused_char(password) is not None:
        raise ValidationError.single(field, "Mật khẩu chứa ký tự điều khiển không gõ được.")
    return password


def _role(text: str) -> str:
    if text not in ROLES:
        names = ", ".join(f"{r} ({ROLE_NAMES[r]})" for r in ROLES)
        raise ValidationError.single("role", f"Vai trò phải là một trong: {names}.")
    return text


IDLE_LOCK_KEY = "security.idle_lock_minutes"
DEFAULT_IDLE_LOCK_MINUTES = 10


def idle_lock_minutes(ctx: CounterContext) -> int:
    """Minutes without input before the screen locks (a business setting)."""
    row = Setting.get_or_none(Setting.key == IDLE_LOCK_KEY)
    try:
        return max(1, int(row.value)) if row else DEFAULT_IDLE_LOCK_MINUTES
    except ValueError:
        return DEFAULT_IDLE_LOCK_MINUTES


def set_idle_lock_minutes(ctx: CounterContext, minutes: int) -> int:
    operator = require_role(ctx, "supervisor", "settings.idle_lock", "đổi thời gian tự khóa")
    if not 1 <= minutes <= 120:
        raise ValidationError.single(
            "idle_lock_minutes", "Thời gian tự khóa màn hình: từ 1 đến 120 phút."
        )
    with write_transaction():
        Setting.replace(key=IDLE_LOCK_KEY, value=str(minutes)).execute()
        audit.record(operator.username, "settings.idle_lock", "", minutes=minutes)
    return minutes


def has_operators(ctx: CounterContext) -> bool:
    return bool(Operator.select().exists())


def list_operators(ctx: CounterContext) -> list[OperatorInfo]:
    return [_info(row) for row in Operator.select().order_by(Operator.username)]


def current_operator(ctx: CounterContext) -> OperatorInfo:
    if ctx.operator is None:
        raise NotSignedInError("Chưa đăng nhập: hãy đăng nhập bằng tài khoản của mình.")
    return ctx.operator


def require_role(
    ctx: CounterContext, role: str, action: str, what: str, object_ref: str = ""
) -> OperatorInfo:
    """The signed-in operator if their role reaches ``role``; otherwise the refusal is
    audited (in its own transaction) and PermissionDeniedError says who may do it.

    Call before the action's write transaction opens, or its rollback would take the
    audit row with it.
    """
    operator = current_operator(ctx)
    if operator.at_least(role):
        return operator
    audit.record_alone(operator.username, "denied", object_ref, attempted=action)
    allowed = "quản trị" if role == "admin" else "trưởng bộ phận hoặc quản trị"
    raise PermissionDeniedError(
        f"Chỉ {allowed} được {what}. Tài khoản {operator.username} "
        f"({operator.role_name.lower()}) không có quyền này; việc thử đã được ghi nhật ký."
    )


def _find(username: str) -> Operator:
    row = Operator.get_or_none(Operator.username == nfc(username).strip().casefold())
    if row is None:
        raise NotFoundError(f"Không có tài khoản '{username.strip()}'.")
    return row


@dataclass(frozen=True)
class AccountRequest:
    """A new account's checked values and its password hash (hashing is slow: done before
    the write transaction opens)."""

    username: str
    full_name: str
    role: str
    password_hash: str


def validate_new_account(username: str, full_name: str, role: str, password: str) -> AccountRequest:
    errors: list[ValidationError] = []
    values: dict[str, str] = {}
    for key, check in (
        ("username", lambda: normalise_username(username)),
        ("full_name", lambda: _full_name(full_name)),
        ("role", lambda: _role(role)),
        ("password", lambda: _password(password)),
    ):
        try:
            values[key] = check()
        except ValidationError as err:
            errors.append(err)
    if errors:
        raise ValidationError.merge(errors)
    return AccountRequest(
        values["username"], values["full_name"], values["role"], HASHER.hash(values["password"])
    )


def insert_account(request: AccountRequest, *, actor: str) -> OperatorInfo:
    """Write the account; call inside a write transaction."""
    if Operator.get_or_none(Operator.username == request.username) is not None:
        raise ValidationError.single(
            "username", f"Tên đăng nhập '{request.username}' đã có người dùng."
        )
    now = now_vn()
    row = Operator.create(
        username=request.username,
        full_name=request.full_name,
        role=request.role,
        password_hash=request.password_hash,
        created_at=now,
        password_changed_at=now,
    )
    audit.record(actor, "account.create", row.username, role=row.role)
    return _info(row)


def _may_manage(ctx: CounterContext, target_roles: tuple[str, ...], what: str) -> OperatorInfo:
    """Supervisors manage clerks and supervisors; only an admin touches an admin account."""
    need = "admin" if "admin" in target_roles else "supervisor"
    return require_role(ctx, need, "account.manage", what)


def remember_key(ctx: CounterContext, username: str, password: str) -> None:
    """On an encrypted counter, wrap the database key under this operator's password
    (after the account's commit: a refused duplicate must not overwrite someone's entry)."""
    from counter_app.store import encryption as enc

    dek = enc.database_key(ctx.db)
    if dek is None:
        return
    path = enc.keyring_path(ctx.paths.home)
    ring = enc.Keyring.load(path) if path.exists() else enc.Keyring.create(path, dek)
    ring.wrap(enc.operator_entry(username), nfc(password), dek)
    ring.save()


def create_operator(
    ctx: CounterContext, username: str, full_name: str, role: str, password: str
) -> OperatorInfo:
    what = "tạo tài khoản quản trị" if role == "admin" else "tạo tài khoản"
    actor = _may_manage(ctx, (role,), what)
    request = validate_new_account(username, full_name, role, password)
    with write_transaction():
        info = insert_account(request, actor=actor.username)
    remember_key(ctx, info.username, password)
    return info


def sign_in(ctx: CounterContext, username: str, password: str) -> OperatorInfo:
    """Check the password and make this operator the one who acts on ``ctx``."""
    try:
        name = normalise_username(username)
    except ValidationError:
        name = ""
    row = Operator.get_or_none(Operator.username == name) if name else None
    wrong = SignInError("Sai tên đăng nhập hoặc mật khẩu.")
    if row is None:
        # Nothing typed in the name box is kept: it may be a password typed in the wrong box.
        audit.record_alone("?", "login.failed", "", reason="unknown_user")
        raise wrong
    now = now_vn()
    if not row.active:
        audit.record_alone(row.username, "login.failed", row.username, reason="disabled")
        raise SignInError(f"Tài khoản {row.username} đã bị khóa bởi quản trị.")
    if row.locked_until is not None and row.locked_until > now:
        audit.record_alone(row.username, "login.failed", row.username, reason="locked")
        raise SignInError(_locked_message(row.username, row.locked_until))
    if not _verify(row.password_hash, password):
        _count_failure(row.username, now)
        fresh = Operator.get(Operator.id == row.id)
        if fresh.locked_until is not None and fresh.locked_until > now:
            raise SignInError(_locked_message(row.username, fresh.locked_until))
        left = MAX_FAILED_LOGINS - fresh.failed_logins
        raise SignInError(f"Sai tên đăng nhập hoặc mật khẩu (còn {left} lần thử).")
    with write_transaction():
        Operator.update(failed_logins=0, locked_until=None).where(Operator.id == row.id).execute()
        if HASHER.check_needs_rehash(row.password_hash):
            Operator.update(password_hash=HASHER.hash(nfc(password))).where(
                Operator.id == row.id
            ).execute()
        audit.record(row.username, "login", row.username)
    ctx.operator = _info(Operator.get(Operator.id == row.id))
    return ctx.operator


def _locked_message(username: str, until: datetime) -> str:
    return (
        f"Tài khoản {username} tạm khóa do nhập sai mật khẩu {MAX_FAILED_LOGINS} lần; "
        f"thử lại sau {until:%H:%M} hoặc nhờ trưởng bộ phận mở khóa."
    )


def _verify(digest: str, password: str) -> bool:
    try:
        return bool(HASHER.verify(digest, nfc(password)))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _count_failure(username: str, now: datetime) -> None:
    with write_transaction():
        row = Operator.get(Operator.username == username)
        failed = row.failed_logins + 1
        locked = now + LOCK_TIME if failed >= MAX_FAILED_LOGINS else None
        Operator.update(failed_logins=0 if locked else failed, locked_until=locked).where(
            Operator.id == row.id
        ).execute()
        audit.record(username, "login.failed", username, reason="password", attempt=failed)
        if locked is not None:
            audit.record(username, "account.locked", username, until=iso(locked))


def confirm_password(ctx: CounterContext, password: str) -> None:
    """Unlocking an idle screen: the signed-in operator's password, counted like a sign-in
    (five wrong ones lock the account and sign the operator out)."""
    operator = current_operator(ctx)
    try:
        sign_in(ctx, operator.username, password)
    except SignInError:
        row = Operator.get_or_none(Operator.username == operator.username)
        if row is None or not row.active or (row.locked_until and row.locked_until > now_vn()):
            ctx.operator = None
        raise


def sign_out(ctx: CounterContext) -> None:
    operator = ctx.operator
    if operator is None:
        return
    with write_transaction():
        audit.record(operator.username, "logout", operator.username)
    ctx.operator = None


def change_own_password(ctx: CounterContext, old: str, new: str) -> None:
    operator = current_operator(ctx)
    row = _find(operator.username)
    if not _verify(row.password_hash, old):
        audit.record_alone(operator.username, "account.password.refused", operator.username)
        raise ValidationError.single("old_password", "Mật khẩu hiện tại không đúng.")
    _store_password(ctx, row, _password(new, "new_password"), operator.username)


def reset_password(ctx: CounterContext, username: str, new: str) -> OperatorInfo:
    row = _find(username)
    actor = _may_manage(ctx, (row.role,), f"đặt lại mật khẩu của {row.username}")
    return _store_password(ctx, row, _password(new), actor.username)


def _store_password(ctx: CounterContext, row: Operator, password: str, actor: str) -> OperatorInfo:
    digest = HASHER.hash(password)
    with write_transaction():
        Operator.update(
            password_hash=digest, password_changed_at=now_vn(), failed_logins=0, locked_until=None
        ).where(Operator.id == row.id).execute()
        audit.record(actor, "account.password", row.username)
    remember_key(ctx, row.username, password)
    return _info(Operator.get(Operator.id == row.id))


def set_role(ctx: CounterContext, username: str, role: str) -> OperatorInfo:
    row = _find(username)
    new_role = _role(role)
    actor = _may_manage(ctx, (row.role, new_role), f"đổi vai trò của {row.username}")
    with write_transaction():
        if row.role == "admin" and new_role != "admin":
            _keep_an_admin(row)
        Operator.update(role=new_role).where(Operator.id == row.id).execute()
        audit.record(actor.username, "account.role", row.username, old=row.role, new=new_role)
    return _refresh(ctx, row)


def set_active(ctx: CounterContext, username: str, active: bool) -> OperatorInfo:
    row = _find(username)
    verb = "mở lại" if active else "khóa"
    actor = _may_manage(ctx, (row.role,), f"{verb} tài khoản {row.username}")
    if not active and actor.username == row.username:
        raise ConflictError("Không tự khóa tài khoản đang đăng nhập của mình được.")
    with write_transaction():
        if row.role == "admin" and not active:
            _keep_an_admin(row)
        Operator.update(active=active, failed_logins=0, locked_until=None).where(
            Operator.id == row.id
        ).execute()
        audit.record(
            actor.username, "account.enable" if active else "account.disable", row.username
        )
    return _refresh(ctx, row)


def unlock(ctx: CounterContext, username: str) -> OperatorInfo:
    """Lift a lock after too many wrong passwords, before its 15 minutes are up."""
    row = _find(username)
    actor = _may_manage(ctx, (row.role,), f"mở khóa tài khoản {row.username}")
    with write_transaction():
        Operator.update(failed_logins=0, locked_until=None).where(Operator.id == row.id).execute()
        audit.record(actor.username, "account.unlock", row.username)
    return _refresh(ctx, row)


def _keep_an_admin(row: Operator) -> None:
    others = (
        Operator.select()
        .where((Operator.role == "admin") & Operator.active & (Operator.id != row.id))
        .exists()
    )
    if not others:
        raise ConflictError(f"{row.username} là quản trị cuối cùng; hãy tạo quản trị khác trước.")


def _refresh(ctx: CounterContext, row: Operator) -> OperatorInfo:
    info = _info(Operator.get(Operator.id == row.id))
    if ctx.operator is not None and ctx.operator.username == info.username:
        ctx.operator = info
    return info
