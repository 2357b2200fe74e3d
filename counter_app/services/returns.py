"""Handing the result back to the citizen, and their rating of the service (DOMAIN.md §8).

A scanner reads the code twice, a clerk presses the button twice: the second return must
record nothing. The status is checked inside the write transaction (the lock is taken up
front), and the database holds at most one return per dossier as a backstop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from peewee import IntegrityError

from counter_app.domain.clock import iso, to_vn
from counter_app.domain.deadlines import timeliness
from counter_app.domain.identity import FIELD_LABELS, _collect, clean_text, validate_cccd
from counter_app.domain.status import status_name
from counter_app.errors import ConflictError, ValidationError
from counter_app.services.accounts import current_operator
from counter_app.services.calendars import work_calendar
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import find_row
from counter_app.services.dto import CHANNELS, RATINGS, RECEIVER_KINDS, DossierDetail
from counter_app.services.settings import require_settings
from counter_app.services.tracking import action_moment, move_status, record_change
from counter_app.store.db import write_transaction
from counter_app.store.models import DossierReturn

MAX_COMMENT = 1000


@dataclass(frozen=True)
class ReturnRequest:
    receiver_name: str
    receiver_kind: str = "applicant"  # applicant | authorised
    receiver_id_number: str = ""  # required for an authorised person
    channel: str = "counter"  # counter | post
    rating: int | None = None  # 1 Rất hài lòng · 2 Hài lòng · 3 Không hài lòng
    comment: str = ""
    at: datetime | None = None


def _receiver_id(request: ReturnRequest) -> str:
    raw = request.receiver_id_number.strip()
    if request.receiver_kind == "authorised" and not raw:
        raise ValidationError.single(
            "receiver_id_number",
            "Người được ủy quyền nhận kết quả phải có số định danh cá nhân (CCCD).",
        )
    if not raw:
        return ""
    try:
        return validate_cccd(raw)
    except ValidationError as err:
        message = err.fields["id_number"].replace(FIELD_LABELS["id_number"], "Số CCCD người nhận")
        raise ValidationError.single("receiver_id_number", message) from None


def _validate(request: ReturnRequest) -> ReturnRequest:
    errors: list[ValidationError] = []
    name = _collect(
        errors,
        lambda: clean_text(
            "receiver_name",
            request.receiver_name,
            required=True,
            max_len=200,
            label="Họ tên người nhận",
        ),
    )
    comment = _collect(
        errors,
        lambda: clean_text(
            "comment", request.comment, required=False, max_len=MAX_COMMENT, label="Ý kiến"
        ),
    )
    id_number = _collect(errors, lambda: _receiver_id(request))
    if request.receiver_kind not in RECEIVER_KINDS:
        errors.append(
            ValidationError.single(
                "receiver_kind", "Người nhận phải là người nộp hồ sơ hoặc người được ủy quyền."
            )
        )
    if request.channel not in CHANNELS:
        errors.append(
            ValidationError.single("channel", "Cách nhận phải là tại quầy hoặc qua bưu chính.")
        )
    if request.rating is not None and request.rating not in RATINGS:
        errors.append(
            ValidationError.single(
                "rating",
                "Mức hài lòng phải là 1 (Rất hài lòng), 2 (Hài lòng) hoặc 3 (Không hài lòng).",
            )
        )
    if errors or name is None or comment is None or id_number is None:
        raise ValidationError.merge(errors)
    return replace(request, receiver_name=name, receiver_id_number=id_number, comment=comment)


def _already_returned(code: str, ret: DossierReturn | None) -> ConflictError:
    if ret is None:
        return ConflictError(f"Hồ sơ {code} đã trả kết quả; không ghi lần thứ hai.")
    return ConflictError(
        f"Hồ sơ {code} đã trả kết quả lúc {to_vn(ret.at):%H:%M ngày %d/%m/%Y} cho "
        f"{ret.receiver_name}; không ghi lần thứ hai."
    )


def return_result(ctx: CounterContext, code: str, request: ReturnRequest) -> DossierDetail:
    """Record that the result of a resolved dossier (9) was handed over (10)."""
    from counter_app.services.dossiers import get_dossier

    require_settings(ctx)
    operator = current_operator(ctx)
    req = _validate(request)
    cal = work_calendar(ctx)
    actor = operator.full_name
    try:
        with write_transaction():
            row = find_row(code)
            if row.status == 10:
                raise _already_returned(
                    row.code, DossierReturn.get_or_none(DossierReturn.dossier == row.id)
                )
            if row.status != 9:
                raise ConflictError(
                    f"Hồ sơ {row.code} đang ở trạng thái {row.status} "
                    f"({status_name(row.status)}): chưa có kết quả để trả."
                )
            moment = action_moment(req.at, row)
            DossierReturn.create(
                dossier=row.id,
                at=moment,
                receiver_kind=req.receiver_kind,
                receiver_name=req.receiver_name,
                receiver_id_number=req.receiver_id_number,
                channel=req.channel,
                rating=req.rating,
                comment=req.comment,
                actor=actor,
            )
            change = move_status(row, 10, at=moment, actor=actor, note=_history_note(req), cal=cal)
            # The audit log names no one: the receiver's name stays in the dossier.
            change.update(
                channel=req.channel,
                receiver_kind=req.receiver_kind,
                rating=req.rating,
                timeliness=timeliness(moment, row.due_at).value,
                returned_at=iso(moment),
            )
            record_change("dossier.returned", row, operator, change)
    except IntegrityError as err:  # another station returned it between our read and write
        raise _already_returned(code.strip().upper(), None) from err
    return get_dossier(ctx, row.code)


def _history_note(req: ReturnRequest) -> str:
    who = RECEIVER_KINDS[req.receiver_kind].lower()
    return f"Trả kết quả {CHANNELS[req.channel].lower()} cho {who}"
