"""Following a dossier after intake: status changes, the pause clock, hand-overs, notices.

Every public function is one user action and one transaction: the dossier row, its status
history, what the action adds (hand-over, notice, due-date change), one outbox row and one
audit row commit together, or nothing does. The dossier is read (``find_row``) inside the
transaction, after ``BEGIN IMMEDIATE`` took the write lock, so two stations acting on one
dossier at once are serialised and the second sees what the first did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.catalogue import DOCUMENT_KINDS
from counter_app.domain.clock import iso, now_vn, to_vn
from counter_app.domain.deadlines import add_working_time, timeliness, working_time_between
from counter_app.domain.identity import clean_text
from counter_app.domain.parties import COUNTER_PARTY, is_counter
from counter_app.domain.status import (
    FINAL,
    PAUSING,
    require_legal_move,
    status_name,
)
from counter_app.errors import ConflictError, ValidationError
from counter_app.services import audit
from counter_app.services.accounts import current_operator
from counter_app.services.calendars import work_calendar
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import find_row, get_dossier
from counter_app.services.dto import DocumentLine, DossierDetail, OperatorInfo
from counter_app.services.settings import require_settings
from counter_app.store.db import write_transaction
from counter_app.store.models import Dossier, DueChange, Handover, Notice, StatusHistory
from counter_app.store.sequences import next_value
from counter_app.sync import outbox

MAX_REASON = 1000
MAX_PARTY = 200
# A PC clock a little ahead of the clerk's watch must not refuse an action entered "now".
FUTURE_TOLERANCE = timedelta(minutes=5)

NOTICE_FORMS = {"02": 5, "03": 3, "05": 8}  # form -> the status it comes with


@dataclass(frozen=True)
class NoticeResult:
    """What an action that hands the citizen a form returns: the form's row and the dossier."""

    notice_id: int
    dossier: DossierDetail


# --------------------------------------------------------------------------- checks


def action_moment(at: datetime | None, row: Dossier) -> datetime:
    """When the action happened: now, or a time given for paper records after an outage."""
    now = now_vn().replace(microsecond=0)
    if at is None:
        moment = now
    else:
        moment = to_vn(at).replace(microsecond=0)
        if moment > now + FUTURE_TOLERANCE:
            raise ValidationError.single("at", "Thời điểm không được sau thời điểm hiện tại.")
    # The intake entry is stamped when it was typed in; a paper dossier entered after an
    # outage may be moved at moments before that, but never before it was received.
    last = (
        StatusHistory.select(StatusHistory.at)
        .where((StatusHistory.dossier == row.id) & StatusHistory.from_status.is_null(False))
        .order_by(StatusHistory.id.desc())
        .first()
    )
    floor = max(row.received_at, last.at) if last is not None else row.received_at
    if moment < floor:
        raise ValidationError.single(
            "at",
            f"Thời điểm không được trước bước trước của hồ sơ ({to_vn(floor):%H:%M %d/%m/%Y}).",
        )
    return moment


# --------------------------------------------------------------------------- the move


def move_status(
    row: Dossier,
    target: int,
    *,
    at: datetime,
    actor: str,
    note: str,
    cal: WorkCalendar,
    origin: str = "local",
) -> dict[str, Any]:
    """Change the status of ``row`` (legal moves only) and keep the pause clock.

    ``origin`` is 'hub' for a decision pulled from the district (not pushed back).
    Returns what changed, for the outbox and audit rows.
    """
    require_legal_move(row.code, row.status, target, note)
    change: dict[str, Any] = {"from": row.status, "to": target, "at": iso(at)}
    if target in PAUSING and row.paused_at is None:
        row.paused_at = at
        change["paused_at"] = iso(at)
    elif target not in PAUSING and row.paused_at is not None:
        if target not in FINAL:
            # DOMAIN.md §4: the due date moves by the working time spent waiting.
            waited = working_time_between(row.paused_at, at, cal)
            new_due = add_working_time(row.due_at, waited, cal)
            DueChange.create(
                dossier=row.id,
                at=at,
                kind="resume",
                old_due_at=row.due_at,
                new_due_at=new_due,
                paused_from=row.paused_at,
                reason=note,
                actor=actor,
            )
            change.update(
                old_due_at=iso(row.due_at),
                new_due_at=iso(new_due),
                waited_minutes=int(waited.total_seconds() // 60),
            )
            row.due_at = new_due
        row.paused_at = None
    if target == 9:
        row.resolved_at = at
    if target == 10:
        row.returned_at = at
    StatusHistory.create(
        dossier=row.id,
        from_status=row.status,
        to_status=target,
        at=at,
        actor=actor,
        note=note,
        origin=origin,
    )
    # The entries this action wrote travel upstream with its outbox row (record_change), so
    # the hub keeps the same status history the station does.
    new_history(row).append(
        {"from": row.status, "to": target, "at": iso(at), "actor": actor, "note": note}
    )
    row.status = target
    row.save()
    return change


def new_history(row: Dossier) -> list[dict[str, Any]]:
    """The status-history entries written on ``row`` by the action under way."""
    entries: list[dict[str, Any]] | None = row.__dict__.get("_new_history")
    if entries is None:
        entries = row.__dict__["_new_history"] = []
    return entries


def record_change(
    kind: str,
    row: Dossier,
    operator: OperatorInfo,
    change: dict[str, Any],
    *,
    audit_as: tuple[str, dict[str, Any]] | None = None,
) -> None:
    """The outbox and audit rows of one action (inside its transaction): the hub is told
    the operator's full name (it goes in the dossier's history), the audit trail the
    account. ``audit_as`` (action, detail) replaces the audited ``change`` when that holds
    personal data (a corrected name, a free-text reason)."""
    history = new_history(row)
    payload = {
        **change,
        # After the change: these describe the dossier as the action left it.
        "code": row.code,
        "status": row.status,
        "due_at": iso(row.due_at),
        "actor": operator.full_name,
        "history": list(history),
    }
    history.clear()
    outbox.enqueue(kind, row.code, payload)
    action, detail = audit_as or (kind, change)
    audit.record(operator.username, action, row.code, **detail)


# --------------------------------------------------------------------------- actions


def change_status(
    ctx: CounterContext,
    code: str,
    target: int,
    *,
    note: str = "",
    at: datetime | None = None,
) -> DossierDetail:
    """Move a dossier to ``target``. Moves that come with a form go through their action
    (3 refusal, 5 supplement request, 8 stop, with ``note`` as the reason); 10 is the
    return of the result and needs its details (``returns.return_result``)."""
    if target == 10:
        raise ConflictError(
            "Trả kết quả phải ghi người nhận và cách nhận: dùng “Trả kết quả” "
            "(lệnh counter-app return)."
        )
    if target == 3:
        return refuse(ctx, code, note, at=at).dossier
    if target == 5:
        return request_supplement(ctx, code, note, (), at=at).dossier
    if target == 8:
        return stop(ctx, code, note, at=at).dossier
    require_settings(ctx)
    operator = current_operator(ctx)
    note = clean_text("note", note, required=False, max_len=MAX_REASON, label="Ghi chú")
    cal = work_calendar(ctx)
    with write_transaction():
        row = find_row(code)
        moment = action_moment(at, row)
        change = move_status(row, target, at=moment, actor=operator.full_name, note=note, cal=cal)
        record_change("dossier.status", row, operator, change)
    return get_dossier(ctx, row.code)


def _documents(lines: tuple[DocumentLine, ...]) -> list[dict[str, Any]]:
    out = []
    for k, line in enumerate(lines, start=1):
        name = clean_text(
            f"documents.{k}", line.name, required=True, max_len=500, label=f"Tên giấy tờ thứ {k}"
        )
        if line.kind not in DOCUMENT_KINDS:
            raise ValidationError.single(
                f"documents.{k}", f"Giấy tờ thứ {k}: loại phải là bản chính hoặc bản sao."
            )
        if not 1 <= line.count <= 99:
            raise ValidationError.single(
                f"documents.{k}", f"Giấy tờ thứ {k}: số lượng phải từ 1 đến 99."
            )
        out.append({"name": name, "kind": line.kind, "count": line.count})
    return out


def _notice_number(form: str, moment: datetime, station: int) -> str:
    """The "Số" of a form: running per form, year and station (stations work offline)."""
    return f"{next_value(f'notice:{form}:{moment.year}:{station}')}/{moment.year}-M{station}"


def _notice(
    ctx: CounterContext,
    code: str,
    form: str,
    reason: str,
    *,
    documents: tuple[DocumentLine, ...] = (),
    officer_phone: str = "",
    at: datetime | None,
) -> NoticeResult:
    settings = require_settings(ctx)
    operator = current_operator(ctx)
    label = "Lý do" if form != "02" else "Nội dung cần bổ sung, hoàn thiện"
    reason = clean_text("reason", reason, required=True, max_len=MAX_REASON, label=label)
    docs = _documents(documents)
    phone = clean_text(
        "officer_phone", officer_phone, required=False, max_len=20, label="Số điện thoại"
    )
    cal = work_calendar(ctx)
    with write_transaction():
        row = find_row(code)
        moment = action_moment(at, row)
        due_before = row.due_at
        change = move_status(
            row, NOTICE_FORMS[form], at=moment, actor=operator.full_name, note=reason, cal=cal
        )
        number = _notice_number(form, moment, settings.station)
        notice = Notice.create(
            dossier=row.id,
            form=form,
            number=number,
            at=moment,
            reason=reason,
            documents=docs,
            due_at=due_before,
            officer_name=operator.full_name,
            officer_phone=phone,
            actor=operator.full_name,
        )
        change.update(form=form, notice_number=notice.number, reason=reason)
        if docs:
            change["documents"] = docs
        record_change(f"dossier.notice.{form}", row, operator, change)
    return NoticeResult(notice.id, get_dossier(ctx, row.code))


def request_supplement(
    ctx: CounterContext,
    code: str,
    reason: str,
    documents: tuple[DocumentLine, ...],
    *,
    officer_phone: str = "",
    at: datetime | None = None,
) -> NoticeResult:
    """Mẫu 02: ask the citizen to add or correct documents; the clock pauses (status 5)."""
    return _notice(ctx, code, "02", reason, documents=documents, officer_phone=officer_phone, at=at)


def refuse(
    ctx: CounterContext, code: str, reason: str, *, at: datetime | None = None
) -> NoticeResult:
    """Mẫu 03: refuse the dossier, with the reason in writing (status 3)."""
    return _notice(ctx, code, "03", reason, at=at)


def stop(
    ctx: CounterContext, code: str, reason: str, *, at: datetime | None = None
) -> NoticeResult:
    """Mẫu 05: processing stops, with the reason (status 8; the clock pauses)."""
    return _notice(ctx, code, "05", reason, at=at)


def apologise(
    ctx: CounterContext,
    code: str,
    reason: str,
    new_due_at: datetime,
    *,
    at: datetime | None = None,
) -> NoticeResult:
    """Mẫu 04: apologise for a late result and set a new due date (once per dossier)."""
    settings = require_settings(ctx)
    operator = current_operator(ctx)
    reason = clean_text(
        "reason", reason, required=True, max_len=MAX_REASON, label="Lý do chậm trả kết quả"
    )
    new_due = to_vn(new_due_at).replace(microsecond=0)
    with write_transaction():
        row = find_row(code)
        moment = action_moment(at, row)
        if row.status in FINAL or row.status == 9:
            raise ConflictError(
                f"Hồ sơ {row.code} đang ở trạng thái {row.status} ({status_name(row.status)}); "
                "không hẹn lại ngày trả được."
            )
        previous = DueChange.get_or_none(
            (DueChange.dossier == row.id) & (DueChange.kind == "apology")
        )
        if previous is not None:
            raise ConflictError(
                f"Hồ sơ {row.code} đã được hẹn lại ngày trả một lần "
                f"({to_vn(previous.at):%d/%m/%Y}); pháp luật chỉ cho hẹn lại một lần."
            )
        if new_due <= row.due_at:
            raise ValidationError.single(
                "new_due_at", "Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại."
            )
        if new_due <= moment:
            raise ValidationError.single("new_due_at", "Ngày hẹn trả mới phải sau hôm nay.")
        DueChange.create(
            dossier=row.id,
            at=moment,
            kind="apology",
            old_due_at=row.due_at,
            new_due_at=new_due,
            reason=reason,
            actor=operator.full_name,
        )
        number = _notice_number("04", moment, settings.station)
        notice = Notice.create(
            dossier=row.id,
            form="04",
            number=number,
            at=moment,
            reason=reason,
            documents=[],
            due_at=row.due_at,
            new_due_at=new_due,
            officer_name=operator.full_name,
            actor=operator.full_name,
        )
        change = {
            "form": "04",
            "at": iso(moment),
            "notice_number": notice.number,
            "old_due_at": iso(row.due_at),
            "new_due_at": iso(new_due),
            "reason": reason,
        }
        row.due_at = new_due
        row.save()
        record_change("dossier.notice.04", row, operator, change)
    return NoticeResult(notice.id, get_dossier(ctx, row.code))


def hand_over(
    ctx: CounterContext,
    code: str,
    to_party: str,
    *,
    giver: str = "",
    taker: str = "",
    note: str = "",
    result_ready: bool = False,
    at: datetime | None = None,
) -> DossierDetail:
    """Record one transfer (Mẫu 06) from whoever holds the dossier to ``to_party``.

    Sent from the counter while received (2), the dossier is then being processed (4).
    ``result_ready``: the body hands the result back to the counter; the dossier is then
    resolved (9) and waits for the citizen. The step's result compares the moment of the
    transfer with the dossier's due date.
    """
    require_settings(ctx)
    operator = current_operator(ctx)
    to_party = clean_text(
        "to_party", to_party, required=True, max_len=MAX_PARTY, label="Nơi nhận hồ sơ"
    )
    if is_counter(to_party):
        to_party = COUNTER_PARTY
    giver = clean_text("giver", giver, required=False, max_len=MAX_PARTY, label="Người giao")
    taker = clean_text("taker", taker, required=False, max_len=MAX_PARTY, label="Người nhận")
    note = clean_text("note", note, required=False, max_len=MAX_REASON, label="Ghi chú")
    if result_ready and to_party != COUNTER_PARTY:
        raise ValidationError.single(
            "to_party", "Kết quả giải quyết phải được chuyển về Bộ phận Tiếp nhận và Trả kết quả."
        )
    cal = work_calendar(ctx)
    with write_transaction():
        row = find_row(code)
        moment = action_moment(at, row)
        if row.status in FINAL or row.status == 9:
            raise ConflictError(
                f"Hồ sơ {row.code} đang ở trạng thái {row.status} ({status_name(row.status)}); "
                "không chuyển giao được nữa."
            )
        from_party = row.holder or COUNTER_PARTY
        if to_party == from_party:
            raise ConflictError(f"Hồ sơ {row.code} đang ở {from_party}.")
        position = Handover.select().where(Handover.dossier == row.id).count() + 1
        step = timeliness(moment, row.due_at)
        Handover.create(
            dossier=row.id,
            position=position,
            from_party=from_party,
            to_party=to_party,
            at=moment,
            giver=giver or (operator.full_name if from_party == COUNTER_PARTY else ""),
            taker=taker or (operator.full_name if to_party == COUNTER_PARTY else ""),
            step_due_at=row.due_at,
            result=step.value,
            note=note,
            actor=operator.full_name,
        )
        change: dict[str, Any] = {
            "handover": position,
            "from_party": from_party,
            "to_party": to_party,
            "at": iso(moment),
            "step_result": step.value,
        }
        actor = operator.full_name
        if row.status == 2 and to_party != COUNTER_PARTY:
            change["moved"] = move_status(
                row, 4, at=moment, actor=actor, note=f"Chuyển {to_party}", cal=cal
            )
        if result_ready:
            change["resolved"] = move_status(
                row, 9, at=moment, actor=actor, note=f"Nhận kết quả từ {from_party}", cal=cal
            )
        row.holder = to_party
        row.save()
        record_change("dossier.handover", row, operator, change)
    return get_dossier(ctx, row.code)
