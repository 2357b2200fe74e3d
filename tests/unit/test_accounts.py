"""Operators: argon2id at the OWASP minimum, lock-out after five wrong passwords, roles that
refuse (and audit) what a clerk may not do, and records that name who made them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2.low_level import Type

from counter_app.domain.clock import VN_TZ
from counter_app.domain.identity import ApplicantInput
from counter_app.errors import ConflictError, ValidationError
from counter_app.services import accounts
from counter_app.services.accounts import PermissionDeniedError, SignInError
from counter_app.services.calendars import import_calendar
from counter_app.services.catalogue import export_catalogue, import_catalogue
from counter_app.services.context import CounterContext
from counter_app.services.intake import IntakeRequest, receive
from counter_app.services.receipts import issue_receipt
from counter_app.store.models import AuditLog, Dossier, Operator, Printout, StatusHistory
from tests.support.counters import PASSWORD, sign_in_as

DUC = ApplicantInput(name="Nguyễn Văn Đức", id_number="001090012345")


def audit_rows(action: str) -> list[AuditLog]:
    return list(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))


def test_production_hasher_is_argon2id_at_least_owasp_minimum() -> None:
    real = accounts.PRODUCTION_HASHER  # in-process tests swap in a cheap one (conftest)
    assert real.type is Type.ID
    assert real.memory_cost >= 19 * 1024 and real.time_cost >= 2 and real.parallelism >= 1
    assert real.hash("x").startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_stored_hash_is_argon2id_and_never_the_password(counter: CounterContext) -> None:
    row = Operator.get(Operator.username == "mai")
    assert row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash


def test_sign_in_names_who_acts_and_is_audited(counter: CounterContext) -> None:
    sign_in_as(counter, "lan")
    assert counter.operator is not None and counter.operator.role == "clerk"
    detail = receive(counter, IntakeRequest("1.001193", DUC))
    issue_receipt(counter, detail.code)
    row = Dossier.get(Dossier.code == detail.code)
    assert row.clerk_name == "Nguyễn Thị Lan"
    assert StatusHistory.get(StatusHistory.dossier == row.id).actor == "Nguyễn Thị Lan"
    assert Printout.get(Printout.dossier == row.id).actor == "Nguyễn Thị Lan"
    intake = audit_rows("dossier.intake")[-1]
    assert (intake.actor, intake.object_ref) == ("lan", detail.code)
    assert audit_rows("login")[-1].actor == "lan"


def test_username_and_password_typed_any_way_sign_in(counter: CounterContext) -> None:
    accounts.create_operator(counter, "hoa.nt", "Nguyễn Thị Hoà", "clerk", "mật khẩu hoà 2026")
    # Upper-case name, the password typed with combining marks (NFD): the same account.
    import unicodedata

    nfd = unicodedata.normalize("NFD", "mật khẩu hoà 2026")
    assert accounts.sign_in(counter, "  HOA.NT ", nfd).username == "hoa.nt"


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    counter: CounterContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    for attempt in range(1, 5):
        with pytest.raises(SignInError, match=f"còn {5 - attempt} lần"):
            accounts.sign_in(counter, "lan", "sai-mat-khau")
    with pytest.raises(SignInError, match="tạm khóa"):
        accounts.sign_in(counter, "lan", "sai-mat-khau")
    # Locked: even the right password is refused, and the refusal is audited.
    with pytest.raises(SignInError, match="tạm khóa"):
        accounts.sign_in(counter, "lan", PASSWORD)
    assert [r.detail.get("reason") for r in audit_rows("login.failed")][-1] == "locked"
    assert len(audit_rows("account.locked")) == 1
    # Fifteen minutes later the right password works again.
    assert timedelta(minutes=15) == accounts.LOCK_TIME
    # The suite's clock runs on from 09:00: step past the stored end of the lock.
    until = Operator.get(Operator.username == "lan").locked_until
    later = until + timedelta(minutes=1)
    monkeypatch.setattr(accounts, "now_vn", lambda: later)
    assert accounts.sign_in(counter, "lan", PASSWORD).username == "lan"


def test_an_unknown_name_is_refused_without_keeping_what_was_typed(
    counter: CounterContext,
) -> None:
    with pytest.raises(SignInError, match="Sai tên đăng nhập hoặc mật khẩu"):
        accounts.sign_in(counter, "my-secret-password", "whatever")
    row = audit_rows("login.failed")[-1]
    assert "my-secret-password" not in f"{row.actor}{row.object_ref}{row.detail}"


def test_a_supervisor_may_unlock_early(counter: CounterContext) -> None:
    for _ in range(5):
        with pytest.raises(SignInError):
            accounts.sign_in(counter, "lan", "sai")
    sign_in_as(counter, "mai")
    accounts.unlock(counter, "lan")
    assert accounts.sign_in(counter, "lan", PASSWORD).username == "lan"


@pytest.mark.parametrize(
    "action",
    [
        "backdated_intake",
        "catalogue",
        "calendar",
        "create_account",
        "reset_password",
        "sync_settings",
    ],
)
def test_a_clerk_is_refused_supervisor_actions_and_the_attempt_is_audited(
    counter: CounterContext, action: str
) -> None:
    from counter_app.sync.state import configure

    catalogue = export_catalogue(counter)
    sign_in_as(counter, "lan")
    before = Dossier.select().count()
    attempts = {
        "backdated_intake": lambda: receive(
            counter,
            IntakeRequest("1.001193", DUC, received_at=datetime(2026, 11, 24, 9, 0, tzinfo=VN_TZ)),
        ),
        "catalogue": lambda: import_catalogue(counter, catalogue),
        "calendar": lambda: import_calendar(
            counter, {"year": 2027, "days_off": [], "working_days": []}
        ),
        "create_account": lambda: accounts.create_operator(
            counter, "moi", "Người Mới", "clerk", "mat-khau-moi-1"
        ),
        "reset_password": lambda: accounts.reset_password(counter, "mai", "mat-khau-moi-1"),
        "sync_settings": lambda: configure(counter, "https://huyen.example", "tok", None),
    }
    with pytest.raises(PermissionDeniedError, match="trưởng bộ phận") as refused:
        attempts[action]()
    assert "lan" in refused.value.message
    denied = audit_rows("denied")
    assert denied and denied[-1].actor == "lan"
    assert Dossier.select().count() == before


def test_supervisor_may_enter_a_paper_dossier_received_earlier(counter: CounterContext) -> None:
    detail = receive(
        counter,
        IntakeRequest("1.001193", DUC, received_at=datetime(2026, 11, 24, 9, 0, tzinfo=VN_TZ)),
    )
    assert detail.summary.received_at.date().isoformat() == "2026-11-24"
    assert audit_rows("dossier.intake.backdated")[-1].actor == "mai"


def test_only_an_admin_touches_admin_accounts(counter: CounterContext) -> None:
    with pytest.raises(PermissionDeniedError, match="quản trị"):
        accounts.create_operator(counter, "qt2", "Quản Trị Hai", "admin", "mat-khau-qt-2")
    with pytest.raises(PermissionDeniedError):
        accounts.set_role(counter, "lan", "admin")
    sign_in_as(counter, "quantri")
    accounts.set_role(counter, "lan", "supervisor")
    assert Operator.get(Operator.username == "lan").role == "supervisor"


def test_the_last_admin_cannot_be_demoted_or_disabled(counter: CounterContext) -> None:
    sign_in_as(counter, "quantri")
    with pytest.raises(ConflictError, match="quản trị cuối cùng"):
        accounts.set_role(counter, "quantri", "clerk")
    with pytest.raises(ConflictError):
        accounts.set_active(counter, "quantri", False)


def test_a_disabled_account_cannot_sign_in(counter: CounterContext) -> None:
    accounts.set_active(counter, "lan", False)
    with pytest.raises(SignInError, match="đã bị khóa"):
        accounts.sign_in(counter, "lan", PASSWORD)


def test_new_accounts_are_validated_field_by_field(counter: CounterContext) -> None:
    with pytest.raises(ValidationError) as refused:
        accounts.create_operator(counter, "Trần Mai", "", "boss", "ngan")
    assert set(refused.value.fields) == {"username", "full_name", "role", "password"}
    with pytest.raises(ValidationError, match="đã có người dùng"):
        accounts.create_operator(counter, "LAN", "Ai Đó", "clerk", "mat-khau-dai-1")


def test_changing_ones_own_password(counter: CounterContext) -> None:
    with pytest.raises(ValidationError, match="hiện tại không đúng"):
        accounts.change_own_password(counter, "sai", "mat-khau-moi-2026")
    accounts.change_own_password(counter, PASSWORD, "mat-khau-moi-2026")
    with pytest.raises(SignInError):
        accounts.sign_in(counter, "mai", PASSWORD)
    assert accounts.sign_in(counter, "mai", "mat-khau-moi-2026").username == "mai"


def test_a_lock_screen_unlock_counts_like_a_sign_in(counter: CounterContext) -> None:
    sign_in_as(counter, "lan")
    for _ in range(4):
        with pytest.raises(SignInError):
            accounts.confirm_password(counter, "sai")
        assert counter.operator is not None  # still the clerk's session, screen locked
    with pytest.raises(SignInError, match="tạm khóa"):
        accounts.confirm_password(counter, "sai")
    assert counter.operator is None  # five wrong: signed out, someone must sign in


def test_nothing_works_without_signing_in(counter: CounterContext) -> None:
    accounts.sign_out(counter)
    with pytest.raises(accounts.NotSignedInError):
        receive(counter, IntakeRequest("1.001193", DUC))
    assert audit_rows("logout")[-1].actor == "mai"


def test_idle_lock_minutes_default_and_supervisor_setting(counter: CounterContext) -> None:
    assert accounts.idle_lock_minutes(counter) == 10
    accounts.set_idle_lock_minutes(counter, 5)
    assert accounts.idle_lock_minutes(counter) == 5
    with pytest.raises(ValidationError):
        accounts.set_idle_lock_minutes(counter, 0)
    sign_in_as(counter, "lan")
    with pytest.raises(PermissionDeniedError):
        accounts.set_idle_lock_minutes(counter, 60)
    assert timedelta(minutes=accounts.idle_lock_minutes(counter)) == timedelta(minutes=5)
