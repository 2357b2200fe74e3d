"""A supervisor's corrections to a dossier already received: amending the applicant's
details, and cancelling a dossier entered by mistake (issue 5: both are for a supervisor;
a clerk's attempt is refused and audited by ``accounts.require_role``).

Amending (``amend_dossier``)
----------------------------
The new values are checked exactly as at intake (``domain.identity.validate_applicant`` on
the dossier's values with the changes laid over them, so a corrected date of birth must
still agree with the CCCD), and the name's search key is folded as intake folds it (the
FTS index follows ``applicant_key`` by trigger, migration 3). One transaction writes:

- the dossier's changed columns;
- a status-history entry that moves nothing (from = to = the current status) noting which
  fields changed and why, e.g. "Sửa thông tin: họ tên, địa chỉ. Lý do: …": the dossier's
  own record of what happened to it, shown under "Diễn biến" and sent to the hub;
- one outbox item ``dossier.amended`` carrying the old and new value of each changed field,
  and the applicant as the dossier now has it (the shape of ``DossierDetail.to_json()``'s
  "applicant"), which the hub lays over its copy;
- one audit row ``dossier.amend`` naming the fields only: never a name, an ID number or
  any other value (the audit trail refers to dossiers by code).

Only the applicant's details and the intake note change here; the procedure, the
documents, the receipt time and the kind of applicant (citizen / organisation) do not (a
dossier entered under the wrong procedure is cancelled and entered again).

Cancelling (``cancel_dossier``)
-------------------------------
The national status list (DOMAIN.md §4) has no "cancelled", and a dossier is a legal
record: it stays in the register with its number, nothing is deleted, and no schema
change is made for it. A cancelled dossier moves to **7 (Công dân yêu cầu rút hồ sơ)**
with the history note "Hủy do nhập nhầm: <lý do>", because 7 is the only status that

- is final (3, 7, 10): off the board and the pending and overdue counts, no later move;
- pauses nothing and owes nothing: 8 (Dừng xử lý) would keep it open and counted as
  pending for ever, 10 claims a result was handed over;
- hands the citizen no form: 3 (Không được tiếp nhận) comes with a Mẫu 03 refusal, is
  reported upstream as a refusal (NgayTuChoi) and says the office turned the citizen
  away, which did not happen.

What tells a cancellation from a citizen's withdrawal is its own record: the history note
(``CANCEL_NOTE_PREFIX``), the outbox kind ``dossier.cancelled`` (the hub keeps it as an
event of the dossier), the audit action ``dossier.cancel`` and the supervisor who did it.
The dossier must not have a result yet: a resolved one (9) is returned, not cancelled.
The audit row gets the code, the cause and the reason's length, not its text (a reason
such as "nhập trùng hồ sơ của …" names people).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from counter_app.domain.clock import iso, now_vn
from counter_app.domain.identity import (
    FIELD_LABELS,
    ApplicantInput,
    ApplicantKind,
    Sex,
    clean_text,
    validate_applicant,
)
from counter_app.domain.status import FINAL, Status, status_name
from counter_app.domain.text import clean_line, find_refused_char, fold
from counter_app.errors import ConflictError, ValidationError
from counter_app.services.accounts import require_role
from counter_app.services.calendars import work_calendar
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import find_row, get_dossier, summary_of
from counter_app.services.dto import DossierDetail, DossierSummary
from counter_app.services.intake import MAX_NOTE
from counter_app.services.settings import require_settings
from counter_app.services.tracking import MAX_REASON, move_status, new_history, record_change
from counter_app.store.db import write_transaction
from counter_app.store.models import Dossier, StatusHistory

T = TypeVar("T")

AMENDED = "dossier.amended"
CANCELLED = "dossier.cancelled"
CANCEL_STATUS = int(Status.WITHDRAWN)
CANCEL_NOTE_PREFIX = "Hủy do nhập nhầm"
AMEND_NOTE_PREFIX = "Sửa thông tin"

# action -> its audit action, what the refusal says may not be done, the verb of a refusal.
_ACTIONS: dict[str, tuple[str, str, str]] = {
    "amend": ("dossier.amend", "sửa thông tin hồ sơ đã tiếp nhận", "sửa thông tin"),
    "cancel": ("dossier.cancel", "hủy hồ sơ nhập nhầm", "hủy"),
}

# Why a dossier was entered by mistake; the code goes to the audit trail and upstream.
CANCEL_CAUSES: dict[str, str] = {
    "duplicate": "Nhập trùng (một hồ sơ nhập hai lần)",
    "wrong_procedure": "Nhầm thủ tục",
    "other": "Lý do khác",
}

# What can be amended, in the order the history note lists them, and how it names them.
AMENDABLE: dict[str, str] = {
    "name": "họ tên",
    "id_number": "số CCCD",
    "tax_code": "mã số thuế",
    "dob": "ngày sinh",
    "sex": "giới tính",
    "address": "địa chỉ",
    "phone": "số điện thoại",
    "email": "email",
    "note": "ghi chú",
}
# The dossier's column of each, where it is not named alike.
_COLUMNS = {"name": "applicant_name"}
# Fields that can be emptied (``ApplicantChanges.clear``) although None means "unchanged".
CLEARABLE = frozenset({"dob", "sex"})
_CITIZEN_ONLY = frozenset({"id_number", "dob", "sex"})


@dataclass(frozen=True)
class ApplicantChanges:
    """What a supervisor corrects; None leaves a field as it is.

    A text given as "" empties that field (refused where intake requires a value: the name,
    the CCCD of a citizen, the tax code of an organisation). ``clear`` names the fields
    without a text to empty: "dob", "sex".
    """

    name: str | None = None
    id_number: str | None = None
    tax_code: str | None = None
    dob: date | None = None
    sex: Sex | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    note: str | None = None
    clear: frozenset[str] = field(default_factory=frozenset)

    def given(self) -> list[str]:
        """The fields this asks to change, in ``AMENDABLE`` order."""
        return [name for name in AMENDABLE if getattr(self, name) is not None or name in self.clear]


@dataclass(frozen=True)
class CorrectionForm:
    """What a correction dialog starts from: the dossier and its current correctable
    values (``values`` holds every one, including the intake note DossierDetail lacks)."""

    summary: DossierSummary
    applicant_kind: str
    values: ApplicantChanges

    @property
    def code(self) -> str:
        return self.summary.code


def _values(row: Dossier) -> dict[str, Any]:
    """The amendable values as the dossier stores them (comparable with a validated one)."""
    return {
        "name": row.applicant_name,
        "id_number": row.id_number or "",
        "tax_code": row.tax_code or "",
        "dob": row.dob,
        "sex": row.sex or None,
        "address": row.address or "",
        "phone": row.phone or "",
        "email": row.email or "",
        "note": row.note or "",
    }


def begin_correction(ctx: CounterContext, code: str, action: str) -> CorrectionForm:
    """Check before a dialog opens that ``action`` ("amend" or "cancel") may be taken on the
    dossier: a clerk is refused (and the attempt audited) before typing anything, a final
    dossier before anything is filled in. The action itself checks all of it again."""
    if action not in _ACTIONS:
        raise ValueError(f"unknown correction {action!r}")
    ref = code.strip().upper()
    audited, what, verb = _ACTIONS[action]
    require_role(ctx, "supervisor", audited, what, ref)
    row = find_row(ref)
    _require_open(row, verb)
    if action == "cancel":
        _require_no_result(row)
    current = _values(row)
    values = ApplicantChanges(
        **{key: value for key, value in current.items() if key != "sex"},
        sex=Sex(current["sex"]) if current["sex"] else None,
    )
    return CorrectionForm(summary_of(row, row.procedure), row.applicant_kind, values)


def _collect(errors: list[ValidationError], check: Callable[[], T]) -> T | None:
    try:
        return check()
    except ValidationError as err:
        errors.append(err)
        return None


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def _require_open(row: Dossier, what: str) -> None:
    if row.status in FINAL:
        raise ConflictError(
            f"Hồ sơ {row.code} đã kết thúc ở trạng thái {row.status} "
            f"({status_name(row.status)}); không {what} được nữa."
        )


def _require_no_result(row: Dossier) -> None:
    if row.status == int(Status.RESOLVED):
        raise ConflictError(
            f"Hồ sơ {row.code} đã có kết quả ({row.status} — {status_name(row.status)}); "
            "không hủy như hồ sơ nhập nhầm được: hãy trả kết quả cho công dân."
        )


def _clean_note(text: str) -> str:
    """The intake note, checked as intake checks it."""
    note = clean_line(text)
    if find_refused_char(text) is not None or len(note) > MAX_NOTE:
        raise ValidationError.single("note", "Ghi chú chứa ký tự không hợp lệ hoặc quá dài.")
    return note


def _check_kind(kind: ApplicantKind, asked: list[str]) -> None:
    """A citizen has no tax code, an organisation no CCCD, date of birth or sex."""
    errors = []
    for name in asked:
        if kind is ApplicantKind.CITIZEN and name == "tax_code":
            errors.append(
                ValidationError.single(
                    name, "Người nộp là công dân: không có mã số thuế để sửa (dùng số CCCD)."
                )
            )
        elif kind is ApplicantKind.ORGANISATION and name in _CITIZEN_ONLY:
            errors.append(
                ValidationError.single(
                    name, f"Người nộp là tổ chức: không có {FIELD_LABELS[name].lower()} để sửa."
                )
            )
    if errors:
        raise ValidationError.merge(errors)


def _amended_values(
    row: Dossier, changes: ApplicantChanges, note: str | None, today: date
) -> dict[str, Any]:
    """The dossier's amendable values after ``changes``, validated as intake validates."""
    current = _values(row)
    kind = ApplicantKind(row.applicant_kind)

    def pick(name: str) -> Any:
        if name in changes.clear:
            return None
        value = getattr(changes, name)
        return current[name] if value is None else value

    sex = pick("sex")
    applicant = validate_applicant(
        ApplicantInput(
            name=pick("name"),
            kind=kind,
            id_number=pick("id_number"),
            tax_code=pick("tax_code"),
            dob=pick("dob"),
            sex=Sex(sex) if sex else None,
            address=pick("address"),
            phone=pick("phone"),
            email=pick("email"),
        ),
        today=today,
    )
    return {
        "name": applicant.name,
        "id_number": applicant.id_number,
        "tax_code": applicant.tax_code,
        "dob": applicant.dob,
        "sex": applicant.sex.value if applicant.sex else None,
        "address": applicant.address,
        "phone": applicant.phone,
        "email": applicant.email,
        "note": current["note"] if note is None else note,
    }


def amend_dossier(
    ctx: CounterContext, code: str, changes: ApplicantChanges, reason: str
) -> DossierDetail:
    """Correct the applicant's details (or the intake note) of a dossier not yet final.

    Supervisor only. Refused with ValidationError when a value is refused (each message
    names its field), when nothing differs from what the dossier holds, or without a
    reason; with ConflictError on a final dossier (3, 7, 10).
    """
    require_settings(ctx)
    ref = code.strip().upper()
    operator = require_role(ctx, "supervisor", "dossier.amend", _ACTIONS["amend"][1], ref)
    unknown = sorted(changes.clear - CLEARABLE)
    if unknown:
        raise ValueError(f"cannot clear {unknown}: only {sorted(CLEARABLE)}")
    asked = changes.given()
    with write_transaction():
        # Read (and checked) under the write lock: the values are laid over the dossier as
        # it is now, not as another station's amendment found it a moment ago.
        row = find_row(ref)
        _require_open(row, _ACTIONS["amend"][2])
        now = now_vn().replace(microsecond=0)
        # Every refusal at once, each naming its field, as the intake form shows them.
        errors: list[ValidationError] = []
        why = _collect(
            errors,
            lambda: clean_text(
                "reason", reason, required=True, max_len=MAX_REASON, label="Lý do sửa"
            ),
        )
        note = _collect(errors, lambda: _clean_note(changes.note or ""))
        if not asked:
            errors.append(ValidationError.single("changes", "Chưa có thông tin nào cần sửa."))
        _collect(errors, lambda: _check_kind(ApplicantKind(row.applicant_kind), asked))
        after = _collect(
            errors,
            lambda: _amended_values(
                row, changes, note if changes.note is not None else None, now.date()
            ),
        )
        if errors or after is None or why is None:
            raise ValidationError.merge(errors)
        before = _values(row)
        changed = [name for name in AMENDABLE if after[name] != before[name]]
        if not changed:
            raise ValidationError.single(
                "changes", "Thông tin nhập vào giống hệt hồ sơ hiện có; không có gì để sửa."
            )
        saved = [_COLUMNS.get(name, name) for name in changed]
        for name, column in zip(changed, saved, strict=True):
            setattr(row, column, after[name])
        if "name" in changed:
            row.applicant_key = fold(after["name"])
            saved.append("applicant_key")
        row.save(only=[getattr(Dossier, column) for column in saved])
        listed = ", ".join(AMENDABLE[name] for name in changed)
        history_note = f"{AMEND_NOTE_PREFIX}: {listed}. Lý do: {why}"
        StatusHistory.create(
            dossier=row.id,
            from_status=row.status,
            to_status=row.status,
            at=now,
            actor=operator.full_name,
            note=history_note,
        )
        new_history(row).append(
            {
                "from": row.status,
                "to": row.status,
                "at": iso(now),
                "actor": operator.full_name,
                "note": history_note,
            }
        )
        detail = get_dossier(ctx, row.code)
        applicant = detail.to_json()["applicant"]
        change = {
            "at": iso(now),
            "fields": changed,
            "changes": {
                name: {"old": _json_value(before[name]), "new": _json_value(after[name])}
                for name in changed
            },
            "applicant": applicant,
            "applicant_name": detail.summary.applicant_name,
            "reason": why,
        }
        audited = {"status": row.status, "fields": changed, "reason_length": len(why)}
        record_change(AMENDED, row, operator, change, audit_as=(_ACTIONS["amend"][0], audited))
    return detail


def cancel_dossier(
    ctx: CounterContext, code: str, reason: str, *, cause: str = "other"
) -> DossierDetail:
    """Cancel a dossier entered by mistake (typed twice, wrong procedure): it moves to 7
    with the note "Hủy do nhập nhầm: <reason>" and stays in the register (the module's
    docstring says why 7).

    Supervisor only. Refused with ValidationError without a reason or with an unknown
    ``cause`` (a key of ``CANCEL_CAUSES``); with ConflictError on a final dossier (3, 7, 10)
    or one already resolved (9).
    """
    require_settings(ctx)
    ref = code.strip().upper()
    operator = require_role(ctx, "supervisor", "dossier.cancel", _ACTIONS["cancel"][1], ref)
    errors: list[ValidationError] = []
    try:
        reason = clean_text("reason", reason, required=True, max_len=MAX_REASON, label="Lý do hủy")
    except ValidationError as err:
        errors.append(err)
    if cause not in CANCEL_CAUSES:
        names = ", ".join(f"{key} ({label})" for key, label in CANCEL_CAUSES.items())
        errors.append(
            ValidationError.single("cause", f"Nguyên nhân hủy phải là một trong: {names}.")
        )
    if errors:
        raise ValidationError.merge(errors)
    cal = work_calendar(ctx)
    with write_transaction():
        row = find_row(ref)
        _require_open(row, _ACTIONS["cancel"][2])
        _require_no_result(row)
        moment: datetime = now_vn().replace(microsecond=0)
        change = move_status(
            row,
            CANCEL_STATUS,
            at=moment,
            actor=operator.full_name,
            note=f"{CANCEL_NOTE_PREFIX}: {reason}",
            cal=cal,
        )
        change.update(cancelled=True, cause=cause, reason=reason)
        audited = {
            "from": change["from"],
            "to": CANCEL_STATUS,
            "cause": cause,
            "reason_length": len(reason),
        }
        record_change(CANCELLED, row, operator, change, audit_as=(_ACTIONS["cancel"][0], audited))
    return get_dossier(ctx, row.code)


def is_cancelled(detail: DossierDetail) -> bool:
    """Whether ``detail`` was cancelled as entered by mistake, not withdrawn by the
    citizen (both end in 7; the cancellation's history entry says which)."""
    return detail.summary.status == CANCEL_STATUS and any(
        h.to_status == CANCEL_STATUS and h.note.startswith(f"{CANCEL_NOTE_PREFIX}:")
        for h in detail.history
    )


__all__ = [
    "AMENDABLE",
    "AMENDED",
    "CANCELLED",
    "CANCEL_CAUSES",
    "CANCEL_NOTE_PREFIX",
    "ApplicantChanges",
    "CorrectionForm",
    "amend_dossier",
    "begin_correction",
    "cancel_dossier",
    "is_cancelled",
]
