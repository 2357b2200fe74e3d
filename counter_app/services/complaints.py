"""Complaints and suggestions (phản ánh, kiến nghị): received, assigned, answered, closed.

Each has a deadline of its own: ``COMPLAINT_WORKING_DAYS`` working days from receipt,
counted like a dossier's (DOMAIN.md §5). Every step is one transaction with its outbox and
audit rows; the audit names the complaint by its code only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import JOIN, fn

from counter_app.domain.clock import iso, now_vn, to_vn
from counter_app.domain.deadlines import compute_due
from counter_app.domain.identity import clean_text
from counter_app.domain.text import fold
from counter_app.domain.timeunits import TimeUnit
from counter_app.errors import ConflictError, NotFoundError, ValidationError
from counter_app.services import audit
from counter_app.services.accounts import current_operator
from counter_app.services.calendars import work_calendar
from counter_app.services.context import CounterContext
from counter_app.services.settings import require_settings
from counter_app.services.tracking import FUTURE_TOLERANCE
from counter_app.store.db import write_transaction
from counter_app.store.models import Complaint, Dossier, Procedure
from counter_app.store.sequences import next_value
from counter_app.sync import outbox

# A product default (not a figure from the law we could confirm): ten working days.
COMPLAINT_WORKING_DAYS = 10
MAX_CONTENT = 4000

CHANNELS = {
    "counter": "Trực tiếp tại quầy",
    "phone": "Điện thoại",
    "mail": "Thư, đơn gửi qua bưu chính",
    "email": "Thư điện tử",
    "portal": "Cổng dịch vụ công",
}
STATES = {
    "received": "Đã tiếp nhận",
    "assigned": "Đang xử lý",
    "answered": "Đã trả lời",
    "closed": "Đã kết thúc",
}
# What each step may follow.
_FROM = {
    "assigned": {"received", "assigned"},
    "answered": {"received", "assigned"},
    "closed": {"answered"},
}


@dataclass(frozen=True)
class ComplaintInput:
    sender_name: str
    content: str
    channel: str = "counter"
    sender_contact: str = ""
    dossier_code: str = ""
    procedure_code: str = ""
    received_at: datetime | None = None


@dataclass(frozen=True)
class ComplaintInfo:
    code: str
    received_at: datetime
    sender_name: str
    sender_contact: str
    dossier_code: str
    procedure_code: str
    channel: str
    content: str
    status: str
    assignee: str
    due_at: datetime
    answer: str
    answered_at: datetime | None
    closed_at: datetime | None

    @property
    def status_name(self) -> str:
        return STATES[self.status]

    @property
    def channel_name(self) -> str:
        return CHANNELS[self.channel]

    def overdue(self, now: datetime) -> bool:
        done = self.answered_at
        return (done or now) > self.due_at

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "received_at": iso(self.received_at),
            "sender_name": self.sender_name,
            "sender_contact": self.sender_contact,
            "dossier_code": self.dossier_code or None,
            "procedure_code": self.procedure_code or None,
            "channel": self.channel,
            "content": self.content,
            "status": self.status,
            "status_name": self.status_name,
            "assignee": self.assignee,
            "due_at": iso(self.due_at),
            "answer": self.answer,
            "answered_at": iso(self.answered_at) if self.answered_at else None,
            "closed_at": iso(self.closed_at) if self.closed_at else None,
        }


def _paragraphs(field: str, label: str, value: str, *, limit: int) -> str:
    """Multi-line text (content, answer): each line cleaned, paragraphs kept."""
    lines = [
        clean_text(field, line, required=False, max_len=limit, label=label)
        for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ]
    text = "\n".join(lines).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    if not text.strip():
        raise ValidationError.single(field, f"{label} không được để trống.")
    if len(text) > limit:
        raise ValidationError.single(field, f"{label} dài quá {limit} ký tự.")
    return text


def _info(row: Complaint, dossier_code: str) -> ComplaintInfo:
    return ComplaintInfo(
        code=row.code,
        received_at=row.received_at,
        sender_name=row.sender_name,
        sender_contact=row.sender_contact,
        dossier_code=dossier_code,
        procedure_code=row.procedure_code,
        channel=row.channel,
        content=row.content,
        status=row.status,
        assignee=row.assignee,
        due_at=row.due_at,
        answer=row.answer,
        answered_at=row.answered_at,
        closed_at=row.closed_at,
    )


def _select() -> Any:
    return Complaint.select(Complaint, Dossier.code.alias("dossier_code")).join(
        Dossier, join_type=JOIN.LEFT_OUTER, on=(Complaint.dossier == Dossier.id)
    )


def _row_info(row: Complaint) -> ComplaintInfo:
    return _info(row, getattr(row, "dossier_code", None) or "")


def get_complaint(ctx: CounterContext, code: str) -> ComplaintInfo:
    row = _select().where(Complaint.code == code.strip().upper()).objects().first()
    if row is None:
        raise NotFoundError(f"Không tìm thấy phản ánh, kiến nghị có số '{code.strip()}'.")
    return _row_info(row)


def receive_complaint(ctx: CounterContext, data: ComplaintInput) -> ComplaintInfo:
    settings = require_settings(ctx)
    operator = current_operator(ctx)
    now = now_vn().replace(microsecond=0)
    errors: list[ValidationError] = []

    def check(field: str, label: str, value: str, required: bool, limit: int) -> str:
        try:
            return clean_text(field, value, required=required, max_len=limit, label=label)
        except ValidationError as err:
            errors.append(err)
            return ""

    name = check("sender_name", "Họ tên người phản ánh", data.sender_name, True, 200)
    contact = check(
        "sender_contact", "Địa chỉ, điện thoại liên hệ", data.sender_contact, False, 300
    )
    try:
        content = _paragraphs(
            "content", "Nội dung phản ánh, kiến nghị", data.content, limit=MAX_CONTENT
        )
    except ValidationError as err:
        errors.append(err)
        content = ""
    if data.channel not in CHANNELS:
        errors.append(
            ValidationError.single("channel", "Hình thức tiếp nhận phản ánh không hợp lệ.")
        )
    received = now if data.received_at is None else to_vn(data.received_at).replace(microsecond=0)
    if received > now + FUTURE_TOLERANCE:
        errors.append(
            ValidationError.single("received_at", "Thời điểm nhận không được sau hiện tại.")
        )
    dossier = None
    if data.dossier_code.strip():
        dossier = Dossier.get_or_none(Dossier.code == data.dossier_code.strip().upper())
        if dossier is None:
            errors.append(
                ValidationError.single(
                    "dossier_code", f"Không có hồ sơ mã '{data.dossier_code.strip()}'."
                )
            )
    procedure_code = data.procedure_code.strip()
    if procedure_code and not Procedure.select().where(Procedure.code == procedure_code).exists():
        errors.append(
            ValidationError.single("procedure_code", f"Không có thủ tục mã '{procedure_code}'.")
        )
    if dossier is not None and not procedure_code:
        procedure_code = dossier.procedure.code
    if errors:
        raise ValidationError.merge(errors)
    due = compute_due(
        received, COMPLAINT_WORKING_DAYS, TimeUnit.WORKING_DAYS, None, work_calendar(ctx)
    )
    with write_transaction():
        # Numbered per station, like the register books: stations working offline never
        # hand out the same number.
        number = next_value(f"complaint:{received.year}:{settings.station}")
        code = f"PAKN-{received:%y}-M{settings.station}-{number:04d}"
        Complaint.create(
            code=code,
            received_at=received,
            sender_name=name,
            sender_key=fold(name),
            sender_contact=contact,
            dossier=dossier.id if dossier is not None else None,
            procedure_code=procedure_code,
            channel=data.channel,
            content=content,
            content_key=fold(content),
            status="received",
            due_at=due,
            actor=operator.full_name,
        )
        payload = {
            "code": code,
            "status": "received",
            "received_at": iso(received),
            "due_at": iso(due),
        }
        outbox.enqueue("complaint.received", code, payload)
        audit.record(operator.username, "complaint.received", code, due_at=iso(due))
    return get_complaint(ctx, code)


def _step(ctx: CounterContext, code: str, target: str, **changes: Any) -> ComplaintInfo:
    require_settings(ctx)
    operator = current_operator(ctx)
    now = now_vn().replace(microsecond=0)
    with write_transaction():
        row = Complaint.get_or_none(Complaint.code == code.strip().upper())
        if row is None:
            raise NotFoundError(f"Không tìm thấy phản ánh, kiến nghị có số '{code.strip()}'.")
        if row.status not in _FROM[target]:
            raise ConflictError(
                f"Phản ánh {row.code} đang “{STATES[row.status]}”; "
                f"không chuyển sang “{STATES[target]}” được."
            )
        for key, value in changes.items():
            setattr(row, key, value)
        if target == "answered":
            row.answered_at = now
        if target == "closed":
            row.closed_at = now
        row.status = target
        row.save()
        payload = {"code": row.code, "status": target, "at": iso(now)}
        outbox.enqueue(f"complaint.{target}", row.code, payload)
        audit.record(operator.username, f"complaint.{target}", row.code)
    return get_complaint(ctx, code)


def assign_complaint(ctx: CounterContext, code: str, assignee: str) -> ComplaintInfo:
    who = clean_text("assignee", assignee, required=True, max_len=200, label="Người, bộ phận xử lý")
    return _step(ctx, code, "assigned", assignee=who)


def answer_complaint(ctx: CounterContext, code: str, answer: str) -> ComplaintInfo:
    text = _paragraphs("answer", "Nội dung trả lời", answer, limit=MAX_CONTENT)
    return _step(ctx, code, "answered", answer=text)


def close_complaint(ctx: CounterContext, code: str) -> ComplaintInfo:
    return _step(ctx, code, "closed")


def list_complaints(
    ctx: CounterContext,
    text: str = "",
    *,
    status: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[ComplaintInfo]:
    """Newest first; ``text`` matches the code, the sender or the content, ignoring marks."""
    query = _select()
    key = fold(text)
    if key:
        like = f"%{key}%"
        query = query.where(
            (Complaint.code == text.strip().upper())
            | (Complaint.sender_key**like)
            | (Complaint.content_key**like)
        )
    if status is not None:
        query = query.where(Complaint.status == status)
    rows = (
        query.order_by(Complaint.received_at.desc(), Complaint.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_row_info(row) for row in rows.objects()]


def open_complaint_count(ctx: CounterContext) -> int:
    return int(
        Complaint.select(fn.COUNT(Complaint.id))
        .where(Complaint.status.in_(("received", "assigned")))
        .scalar()
    )
