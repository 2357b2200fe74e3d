"""Reading dossiers back: one in full, or the list of a day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import timeliness
from counter_app.errors import NotFoundError
from counter_app.services.context import CounterContext
from counter_app.services.dto import (
    DocumentLine,
    DossierDetail,
    DossierSummary,
    DueChangeEntry,
    HandoverEntry,
    HistoryEntry,
    NoticeEntry,
    ReturnInfo,
)
from counter_app.store.models import (
    Dossier,
    DossierDocument,
    DossierReturn,
    DueChange,
    Handover,
    Notice,
    Procedure,
    StatusHistory,
)


def summary_of(row: Dossier, procedure: Procedure) -> DossierSummary:
    return DossierSummary(
        code=row.code,
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        applicant_name=row.applicant_name,
        received_at=row.received_at,
        due_at=row.due_at,
        status=row.status,
    )


def find_row(code: str) -> Dossier:
    """The dossier row with its procedure version joined, or NotFoundError."""
    row = (
        Dossier.select(Dossier, Procedure)
        .join(Procedure)
        .where(Dossier.code == code.strip().upper())
        .first()
    )
    if row is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ có mã '{code.strip()}'.")
    return row


def detail_of(
    row: Dossier,
    procedure: Procedure,
    documents: tuple[DocumentLine, ...],
    history: tuple[HistoryEntry, ...],
) -> DossierDetail:
    return DossierDetail(
        summary=summary_of(row, procedure),
        procedure_version=procedure.version,
        applicant_kind=row.applicant_kind,
        id_number=row.id_number,
        tax_code=row.tax_code,
        dob=row.dob,
        sex=row.sex,
        address=row.address,
        phone=row.phone,
        email=row.email,
        documents=documents,
        dossier_sets=row.dossier_sets,
        result_delivery=row.result_delivery,
        register_book=row.register_book,
        register_number=row.register_number,
        clerk_name=row.clerk_name,
        recorded_at=row.recorded_at,
        entered_late=bool(row.entered_late),
        history=history,
        holder=row.holder,
        first_due_at=row.first_due_at,
        paused_at=row.paused_at,
        resolved_at=row.resolved_at,
        returned_at=row.returned_at,
    )


def get_dossier(ctx: CounterContext, code: str) -> DossierDetail:
    row = find_row(code)
    documents = (
        DossierDocument.select()
        .where(DossierDocument.dossier == row.id)
        .order_by(DossierDocument.position)
    )
    history = (
        StatusHistory.select().where(StatusHistory.dossier == row.id).order_by(StatusHistory.id)
    )
    detail = detail_of(
        row,
        row.procedure,
        tuple(DocumentLine(d.name, d.kind, d.count) for d in documents),
        tuple(HistoryEntry(h.from_status, h.to_status, h.at, h.actor, h.note) for h in history),
    )
    return replace(detail, **_tracking_of(row))


def _tracking_of(row: Dossier) -> dict[str, Any]:
    """Hand-overs, due-date changes, notices and the return of one dossier."""
    handovers = Handover.select().where(Handover.dossier == row.id).order_by(Handover.position)
    changes = DueChange.select().where(DueChange.dossier == row.id).order_by(DueChange.id)
    notices = Notice.select().where(Notice.dossier == row.id).order_by(Notice.id)
    ret = DossierReturn.get_or_none(DossierReturn.dossier == row.id)
    return {
        "handovers": tuple(
            HandoverEntry(
                h.position,
                h.from_party,
                h.to_party,
                h.at,
                h.giver,
                h.taker,
                h.step_due_at,
                h.result,
                h.note,
            )
            for h in handovers
        ),
        "due_changes": tuple(
            DueChangeEntry(
                c.kind, c.at, c.old_due_at, c.new_due_at, c.paused_from, c.reason, c.actor
            )
            for c in changes
        ),
        "notices": tuple(notice_entry(n) for n in notices),
        "returned": (
            ReturnInfo(
                ret.at,
                ret.receiver_kind,
                ret.receiver_name,
                ret.receiver_id_number,
                ret.channel,
                ret.rating,
                ret.comment,
                ret.actor,
                timeliness(ret.at, row.due_at).value,
            )
            if ret is not None
            else None
        ),
    }


def notice_entry(n: Notice) -> NoticeEntry:
    return NoticeEntry(
        id=n.id,
        form=n.form,
        number=n.number,
        at=n.at,
        reason=n.reason,
        documents=tuple(DocumentLine(d["name"], d["kind"], int(d["count"])) for d in n.documents),
        due_at=n.due_at,
        new_due_at=n.new_due_at,
        officer_name=n.officer_name,
        officer_phone=n.officer_phone,
        actor=n.actor,
    )


def received_on(ctx: CounterContext, day: date, *, limit: int = 500) -> list[DossierSummary]:
    """Dossiers received on ``day`` (Vietnam time), newest first."""
    start = datetime.combine(day, time(0, 0), tzinfo=VN_TZ)
    end = start + timedelta(days=1)
    rows = (
        Dossier.select(Dossier, Procedure)
        .join(Procedure)
        .where((Dossier.received_at >= start) & (Dossier.received_at < end))
        .order_by(Dossier.received_at.desc(), Dossier.id.desc())
        .limit(limit)
    )
    return [summary_of(row, row.procedure) for row in rows]
