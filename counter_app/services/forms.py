"""The legal forms after intake as PDF files: notices (Mẫu 02–05), the process control slip
(Mẫu 06) and the register (Mẫu 07). Each print is recorded (printout + audit row) once the
file is safely on disk."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from counter_app.documents.control_slip import ControlSlipData, HandoverLine, render_control_slip
from counter_app.documents.notices import NoticeData, render_notice
from counter_app.documents.output import write_pdf
from counter_app.documents.receipt import ReceiptDocument
from counter_app.documents.register import RegisterData, RegisterRow, render_register
from counter_app.domain.clock import VN_TZ, now_vn
from counter_app.domain.parties import COUNTER_PARTY
from counter_app.errors import KnownError, NotFoundError, ValidationError
from counter_app.services import audit
from counter_app.services.accounts import current_operator
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import find_row
from counter_app.services.dto import CHANNELS
from counter_app.services.settings import require_settings
from counter_app.store.db import write_transaction
from counter_app.store.models import Dossier, Handover, Notice, Printout, Procedure

MAX_REGISTER_DAYS = 366
FORM_NAMES = {
    "02": "yeu-cau-bo-sung",
    "03": "tu-choi",
    "04": "xin-loi-hen-lai",
    "05": "dung-giai-quyet",
    "06": "phieu-kiem-soat",
}


def _write(pdf: bytes, path: Path) -> Path:
    try:
        return write_pdf(pdf, path)
    except OSError as err:
        raise KnownError(f"Không ghi được tệp {path}: {err.strerror or err}") from err


def _record(ctx: CounterContext, row: Dossier, form: str, path: Path) -> None:
    operator = current_operator(ctx)
    with write_transaction():
        earlier = (
            Printout.select()
            .where((Printout.dossier == row.id) & (Printout.form == f"mau{form}"))
            .count()
        )
        Printout.create(
            dossier=row.id,
            form=f"mau{form}",
            at=now_vn(),
            actor=operator.full_name,
            reprint=earlier > 0,
            path=str(path),
        )
        audit.record(operator.username, f"form.{form}.print", row.code)


def _default_path(ctx: CounterContext, code: str, form: str, suffix: str = "") -> Path:
    return ctx.paths.receipts / f"{code}-mau{form}-{FORM_NAMES[form]}{suffix}.pdf"


def notice_pdf(ctx: CounterContext, notice_id: int, *, out: Path | None = None) -> Path:
    """Render Mẫu 02/03/04/05 as it was issued (its number, date, reason and dates)."""
    settings = require_settings(ctx)
    notice = Notice.get_or_none(Notice.id == notice_id)
    if notice is None:
        raise NotFoundError(f"Không tìm thấy phiếu số {notice_id}.")
    row = find_row(notice.dossier.code)
    data = NoticeData(
        form=notice.form,
        agency_name=settings.agency_name.upper(),
        place_name=settings.place_name,
        number=notice.number,
        issued_at=notice.at,
        dossier_code=row.code,
        applicant_name=row.applicant_name,
        applicant_address=row.address,
        applicant_phone=row.phone,
        procedure_name=row.procedure.name,
        received_at=row.received_at,
        due_at=notice.due_at,
        reason=notice.reason,
        documents=tuple(
            ReceiptDocument(d["name"], d["kind"], int(d["count"])) for d in notice.documents
        ),
        new_due_at=notice.new_due_at,
        officer_name=notice.officer_name,
        officer_phone=notice.officer_phone,
    )
    path = out or _default_path(ctx, row.code, notice.form, f"-{notice.id}")
    _write(render_notice(data), path)
    _record(ctx, row, notice.form, path)
    return path


def latest_notice_id(ctx: CounterContext, code: str, form: str) -> int:
    row = find_row(code)
    notice = (
        Notice.select(Notice.id)
        .where((Notice.dossier == row.id) & (Notice.form == form))
        .order_by(Notice.id.desc())
        .first()
    )
    if notice is None:
        raise NotFoundError(f"Hồ sơ {row.code} chưa có phiếu Mẫu {form}.")
    return int(notice.id)


def control_slip_pdf(ctx: CounterContext, code: str, *, out: Path | None = None) -> Path:
    """Mẫu 06 with every hand-over so far (blank rows left for the next ones)."""
    settings = require_settings(ctx)
    row = find_row(code)
    steps = list(Handover.select().where(Handover.dossier == row.id).order_by(Handover.position))
    bodies = [s.to_party for s in steps if s.to_party != COUNTER_PARTY]
    data = ControlSlipData(
        agency_name=settings.agency_name.upper(),
        place_name=settings.place_name,
        number=f"{row.register_number:04d}/PKS",
        issued_at=now_vn(),
        dossier_code=row.code,
        applicant_name=row.applicant_name,
        procedure_name=row.procedure.name,
        received_at=row.received_at,
        due_at=row.due_at,
        processing_body=bodies[0] if bodies else "",
        coordinating_bodies=tuple(dict.fromkeys(bodies[1:])),
        handovers=tuple(
            HandoverLine(
                from_party=s.from_party,
                to_party=s.to_party,
                at=s.at,
                result=s.result,
                note=s.note,
                giver=s.giver,
                taker=s.taker,
            )
            for s in steps
        ),
    )
    path = out or _default_path(ctx, row.code, "06")
    _write(render_control_slip(data), path)
    _record(ctx, row, "06", path)
    return path


def register_data(ctx: CounterContext, date_from: date, date_to: date) -> RegisterData:
    """The register (Mẫu 07) of the dossiers received in [date_from, date_to]."""
    if date_from > date_to:
        raise ValidationError.single("date_from", "Từ ngày phải trước hoặc bằng đến ngày.")
    if (date_to - date_from).days >= MAX_REGISTER_DAYS:
        raise ValidationError.single(
            "date_to", f"Sổ theo dõi in tối đa {MAX_REGISTER_DAYS} ngày một lần."
        )
    settings = require_settings(ctx)
    start = datetime.combine(date_from, time(0), tzinfo=VN_TZ)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=VN_TZ)
    rows = list(
        Dossier.select(Dossier, Procedure)
        .join(Procedure)
        .where((Dossier.received_at >= start) & (Dossier.received_at < end))
        .order_by(Dossier.received_at, Dossier.id)
    )
    ids = [r.id for r in rows]
    sent: dict[int, datetime] = {}
    back: dict[int, datetime] = {}
    body: dict[int, str] = {}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        steps = (
            Handover.select(Handover.dossier, Handover.to_party, Handover.at)
            .where(Handover.dossier.in_(chunk))
            .order_by(Handover.dossier, Handover.position)
        )
        for step in steps:
            key = int(step.__data__["dossier"])  # the id, without loading the dossier again
            if step.to_party != COUNTER_PARTY:
                sent.setdefault(key, step.at)
                body.setdefault(key, step.to_party)
            else:
                back[key] = step.at
    return RegisterData(
        agency_name=settings.agency_name.upper(),
        place_name=settings.place_name,
        book=f"{date_from.year}-M{settings.station}",
        date_from=date_from,
        date_to=date_to,
        printed_at=now_vn(),
        rows=tuple(
            RegisterRow(
                number=n,
                dossier_code=r.code,
                procedure_name=r.procedure.name,
                applicant_name=r.applicant_name,
                address_phone=", ".join(x for x in (r.address, r.phone) if x),
                processing_body=body.get(r.id, ""),
                received_at=r.received_at,
                due_at=r.due_at,
                sent_at=sent.get(r.id),
                result_received_at=back.get(r.id) or r.resolved_at,
                returned_at=r.returned_at,
                delivery=CHANNELS.get(r.result_delivery, r.result_delivery),
                note=_register_note(r),
            )
            for n, r in enumerate(rows, start=1)
        ),
    )


def _register_note(row: Dossier) -> str:
    if row.status in (3, 7, 8):
        return {3: "Từ chối", 7: "Rút hồ sơ", 8: "Dừng xử lý"}[row.status]
    if row.first_due_at is not None and row.due_at != row.first_due_at:
        return f"Hẹn lại: {row.due_at:%d/%m/%Y}"
    return ""


def register_pdf(ctx: CounterContext, date_from: date, date_to: date, out: Path) -> Path:
    data = register_data(ctx, date_from, date_to)
    path = _write(render_register(data), out)
    with write_transaction():
        audit.record(
            current_operator(ctx).username,
            "form.07.print",
            "",
            date_from=date_from.isoformat(),
            date_to=date_to.isoformat(),
            rows=len(data.rows),
        )
    return path
