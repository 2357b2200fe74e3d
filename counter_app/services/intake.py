"""Receiving a dossier at the counter: validate, number, due date, one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from peewee import SQL

from counter_app.domain.catalogue import DOCUMENT_KINDS
from counter_app.domain.clock import iso, now_vn, to_vn
from counter_app.domain.deadlines import compute_due, effective_receipt
from counter_app.domain.dossier_code import format_code, station_number
from counter_app.domain.identity import ApplicantInput, validate_applicant
from counter_app.domain.parties import COUNTER_PARTY
from counter_app.domain.status import FINAL, Status
from counter_app.domain.text import clean_line, find_refused_char, fold
from counter_app.errors import ConflictError, ValidationError
from counter_app.services import audit
from counter_app.services.accounts import current_operator, require_role
from counter_app.services.calendars import work_calendar
from counter_app.services.catalogue import current_row, spec_of
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import detail_of, get_dossier, summary_of
from counter_app.services.dto import DocumentLine, DossierDetail, DossierSummary, HistoryEntry
from counter_app.services.settings import require_settings
from counter_app.store.db import write_transaction
from counter_app.store.models import Dossier, DossierDocument, Procedure, StatusHistory
from counter_app.store.sequences import next_value
from counter_app.sync import outbox

RESULT_DELIVERY = ("counter", "post")
MAX_SETS = 99
MAX_NOTE = 500
# A PC clock a little ahead of the clerk's watch must not refuse a dossier entered "now".
FUTURE_TOLERANCE = timedelta(minutes=5)
# Paper dossiers are entered after an outage of hours or days; anything older is a typo
# (and a date a century back would reuse a YYMMDD code).
BACKDATE_LIMIT = timedelta(days=90)


@dataclass(frozen=True)
class IntakeRequest:
    procedure_code: str
    applicant: ApplicantInput
    # What was handed over; None means every document the procedure lists.
    documents: tuple[DocumentLine, ...] | None = None
    dossier_sets: int = 1
    result_delivery: str = "counter"
    # Given only when entering a dossier received on paper during an outage.
    received_at: datetime | None = None
    note: str = ""
    # Drawn when the intake form opens: the same form sent twice (a double press, a retry
    # after an error) gets the dossier already saved instead of a second one.
    submission_id: str = ""
    # The clerk saw the open dossiers of the same person and procedure and goes on.
    allow_duplicate: bool = False


class DuplicateDossierError(ConflictError):
    """The applicant already has an open dossier of this procedure (nothing was saved)."""

    def __init__(self, message: str, matches: list[DossierSummary]) -> None:
        super().__init__(message)
        self.matches = matches


@dataclass(frozen=True)
class DuePreview:
    received_at: datetime
    counted_from: datetime
    due_at: datetime
    time_text: str


def preview_due(
    ctx: CounterContext, procedure_code: str, received_at: datetime | None = None
) -> DuePreview:
    """The due date a dossier of this procedure received at ``received_at`` would get."""
    spec = spec_of(current_row(procedure_code))
    received = to_vn(received_at) if received_at else now_vn()
    calendar = work_calendar(ctx)
    due = compute_due(received, spec.time_value, spec.time_unit, spec.cutoff, calendar)
    return DuePreview(received, effective_receipt(received, calendar), due, spec.time_text)


def _same_applicant(applicant: ApplicantInput) -> Any:
    """Same CCCD, same tax code, or the same name (folded: marks, tone placement, case and
    composed/combining input do not matter) with the same date of birth."""
    id_number = "".join(ch for ch in applicant.id_number if ch.isdigit())
    tax_code = "".join(ch for ch in applicant.tax_code if ch.isalnum() or ch == "-")
    test = None
    # The literal "<> ''" lets SQLite use the partial indexes on these columns.
    if id_number:
        test = (Dossier.id_number == id_number) & (Dossier.id_number != SQL("''"))
    if tax_code:
        by_tax = (Dossier.tax_code == tax_code) & (Dossier.tax_code != SQL("''"))
        test = by_tax if test is None else test | by_tax
    key = fold(applicant.name)
    if key and applicant.dob is not None:
        by_name = (Dossier.applicant_key == key) & (Dossier.dob == applicant.dob)
        test = by_name if test is None else test | by_name
    return test


def find_open_duplicates(
    ctx: CounterContext, procedure_code: str, applicant: ApplicantInput
) -> list[DossierSummary]:
    """Open dossiers (not refused, withdrawn or returned) of the same procedure and the
    same applicant, newest first."""
    test = _same_applicant(applicant)
    if test is None:
        return []
    code = procedure_code.strip().upper()
    rows = (
        Dossier.select(Dossier, Procedure)
        .join(Procedure)
        .where(test & (Procedure.code == code) & Dossier.status.not_in(sorted(FINAL)))
        .order_by(Dossier.id.desc())
        .limit(10)
    )
    return [summary_of(row, row.procedure) for row in rows]


def _duplicate_error(matches: list[DossierSummary]) -> DuplicateDossierError:
    listed = "; ".join(
        f"{m.code} (nhận {m.received_at:%d/%m/%Y}, {m.status_name.lower()})" for m in matches[:3]
    )
    return DuplicateDossierError(
        f"Người nộp này đã có hồ sơ cùng thủ tục đang giải quyết: {listed}. "
        "Kiểm tra lại trước khi tiếp nhận thêm hồ sơ mới.",
        matches,
    )


def already_received(submission_id: str) -> Dossier | None:
    if not submission_id:
        return None
    return Dossier.get_or_none(Dossier.submission_id == submission_id)


def _validate_documents(lines: tuple[DocumentLine, ...]) -> tuple[DocumentLine, ...]:
    if not lines:
        raise ValidationError.single(
            "documents", "Thành phần hồ sơ: chưa đánh dấu giấy tờ nào công dân đã nộp."
        )
    cleaned = []
    for index, line in enumerate(lines, start=1):
        if find_refused_char(line.name) is not None or not clean_line(line.name):
            raise ValidationError.single(
                "documents", f"Thành phần hồ sơ: tên giấy tờ thứ {index} không hợp lệ."
            )
        if line.kind not in DOCUMENT_KINDS:
            raise ValidationError.single(
                "documents",
                f"Thành phần hồ sơ: giấy tờ thứ {index} phải là bản chính hoặc bản sao.",
            )
        if not 1 <= line.count <= 999:
            raise ValidationError.single(
                "documents",
                f"Thành phần hồ sơ: số lượng của giấy tờ thứ {index} phải từ 1 đến 999.",
            )
        cleaned.append(DocumentLine(clean_line(line.name), line.kind, line.count))
    return tuple(cleaned)


def _validate_received_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    received = to_vn(value).replace(microsecond=0)
    if received > now + FUTURE_TOLERANCE:
        raise ValidationError.single(
            "received_at", "Thời gian nhận hồ sơ không được sau thời điểm hiện tại."
        )
    if received < now - BACKDATE_LIMIT:
        raise ValidationError.single(
            "received_at",
            f"Thời gian nhận hồ sơ không được sớm hơn {BACKDATE_LIMIT.days} ngày trước.",
        )
    return received


def receive(ctx: CounterContext, request: IntakeRequest) -> DossierDetail:
    """Receive one dossier. Everything it writes commits together, or nothing does.

    A request whose ``submission_id`` was saved already returns that dossier unchanged. A
    person with an open dossier of the same procedure is refused with
    DuplicateDossierError unless ``allow_duplicate``. Entering a dossier received earlier
    on paper (``received_at``) is for a supervisor.
    """
    settings = require_settings(ctx)
    operator = current_operator(ctx)
    if request.received_at is not None:
        require_role(
            ctx, "supervisor", "dossier.intake.backdated", "nhập hồ sơ với thời gian nhận đã qua"
        )
    procedure = current_row(request.procedure_code)
    spec = spec_of(procedure)
    now = now_vn().replace(microsecond=0)

    errors: list[ValidationError] = []
    applicant = None
    try:
        applicant = validate_applicant(request.applicant, today=now.date())
    except ValidationError as err:
        errors.append(err)
    documents: tuple[DocumentLine, ...] = ()
    try:
        requested = request.documents
        if requested is None:
            requested = tuple(DocumentLine(d.name, d.kind, d.count) for d in spec.documents)
        documents = _validate_documents(requested)
    except ValidationError as err:
        errors.append(err)
    received = now
    try:
        received = _validate_received_at(request.received_at, now)
    except ValidationError as err:
        errors.append(err)
    if not 1 <= request.dossier_sets <= MAX_SETS:
        errors.append(
            ValidationError.single("dossier_sets", f"Số lượng hồ sơ phải từ 1 đến {MAX_SETS} bộ.")
        )
    if request.result_delivery not in RESULT_DELIVERY:
        errors.append(
            ValidationError.single(
                "result_delivery", "Nơi nhận kết quả phải là tại quầy hoặc qua bưu chính."
            )
        )
    note = clean_line(request.note)
    if find_refused_char(request.note) is not None or len(note) > MAX_NOTE:
        errors.append(
            ValidationError.single("note", "Ghi chú chứa ký tự không hợp lệ hoặc quá dài.")
        )
    if errors or applicant is None:
        raise ValidationError.merge(errors)

    due = compute_due(received, spec.time_value, spec.time_unit, spec.cutoff, work_calendar(ctx))
    backdated = request.received_at is not None
    submission = request.submission_id.strip()[:64]
    with write_transaction():
        earlier = already_received(submission)
        if earlier is not None:
            return get_dossier(ctx, earlier.code)
        if not request.allow_duplicate:
            matches = find_open_duplicates(ctx, procedure.code, request.applicant)
            if matches:
                raise _duplicate_error(matches)
        day = received.strftime("%Y-%m-%d")
        sequence = next_value(f"code:{settings.agency_code}:{day}:{settings.station}")
        code = format_code(
            settings.agency_code, received, station_number(settings.station, sequence)
        )
        register_number = next_value(f"register:{received.year}:{settings.station}")
        dossier = Dossier.create(
            code=code,
            agency_code=settings.agency_code,
            station=settings.station,
            procedure=procedure,
            applicant_kind=applicant.kind.value,
            applicant_name=applicant.name,
            applicant_key=fold(applicant.name),
            id_number=applicant.id_number,
            tax_code=applicant.tax_code,
            dob=applicant.dob,
            sex=applicant.sex.value if applicant.sex else None,
            address=applicant.address,
            phone=applicant.phone,
            email=applicant.email,
            received_at=received,
            recorded_at=now,
            due_at=due,
            status=int(Status.RECEIVED),
            result_delivery=request.result_delivery,
            dossier_sets=request.dossier_sets,
            register_book=f"{received.year}-M{settings.station}",
            register_number=register_number,
            clerk_name=operator.full_name,
            entered_late=backdated,
            note=note,
            holder=COUNTER_PARTY,
            first_due_at=due,
            submission_id=submission or None,
        )
        DossierDocument.insert_many(
            [
                {
                    "dossier": dossier.id,
                    "position": position,
                    "name": line.name,
                    "kind": line.kind,
                    "count": line.count,
                }
                for position, line in enumerate(documents, start=1)
            ]
        ).execute()
        first_step = HistoryEntry(
            from_status=None,
            to_status=int(Status.RECEIVED),
            at=now,
            actor=operator.full_name,
            note="Nhập hồ sơ nhận trên giấy" if backdated else "Tiếp nhận tại quầy",
        )
        StatusHistory.create(
            dossier=dossier,
            from_status=first_step.from_status,
            to_status=first_step.to_status,
            at=first_step.at,
            actor=first_step.actor,
            note=first_step.note,
        )
        # Built from what was just written: re-reading it would double the cost of a save.
        detail = detail_of(dossier, procedure, documents, (first_step,))
        outbox.enqueue("dossier.received", code, detail.to_json())
        audit.record(
            operator.username,
            "dossier.intake.backdated" if backdated else "dossier.intake",
            code,
            procedure=spec.code,
            procedure_version=procedure.version,
            received_at=iso(received),
            recorded_at=iso(now),
            due_at=iso(due),
        )
    return detail
