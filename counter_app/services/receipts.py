"""The receipt and appointment slip (Mẫu 01) of a dossier: build, render, record the print."""

from __future__ import annotations

from pathlib import Path

from counter_app.documents.receipt import ReceiptData, ReceiptDocument, ReceiptFee, write_receipt
from counter_app.domain.clock import now_vn
from counter_app.domain.identity import id_label
from counter_app.errors import KnownError
from counter_app.services import audit
from counter_app.services.accounts import current_operator
from counter_app.services.catalogue import spec_of
from counter_app.services.context import CounterContext
from counter_app.services.dossiers import find_row
from counter_app.services.dto import InstallationSettings
from counter_app.services.settings import require_settings
from counter_app.store.db import write_transaction
from counter_app.store.models import Dossier, DossierDocument, Printout

FORM_RECEIPT = "mau01"


def _delivery_text(delivery: str, counter_name: str) -> str:
    if delivery == "post":
        return "Dịch vụ bưu chính công ích (gửi về địa chỉ người nộp)"
    return counter_name


def receipt_data(ctx: CounterContext, code: str, *, reprint: bool) -> ReceiptData:
    by = ctx.operator.full_name if ctx.operator else ""
    return _build(require_settings(ctx), find_row(code), reprint=reprint, printed_by=by)


def _build(
    settings: InstallationSettings, row: Dossier, *, reprint: bool, printed_by: str = ""
) -> ReceiptData:
    spec = spec_of(row.procedure)
    documents = (
        DossierDocument.select()
        .where(DossierDocument.dossier == row.id)
        .order_by(DossierDocument.position)
    )
    return ReceiptData(
        agency_name=settings.agency_name.upper(),
        place_name=settings.place_name,
        receipt_number=f"{row.register_number:04d}/TNHS",
        dossier_code=row.code,
        applicant_name=row.applicant_name,
        applicant_address=row.address,
        applicant_phone=row.phone,
        applicant_email=row.email,
        applicant_id_label=id_label(row.applicant_kind, row.id_number, row.tax_code),
        procedure_code=spec.code,
        procedure_name=spec.name,
        documents=tuple(ReceiptDocument(d.name, d.kind, d.count) for d in documents),
        dossier_sets=row.dossier_sets,
        processing_time_text=spec.time_text,
        received_at=row.received_at,
        due_at=row.due_at,
        result_delivery=_delivery_text(row.result_delivery, settings.counter_name),
        fees=tuple(ReceiptFee(f.amount, f.description) for f in spec.fees),
        register_book=row.register_book,
        register_number=row.register_number,
        clerk_name=row.clerk_name,
        reprint=reprint,
        printed_at=now_vn() if reprint else None,
        printed_by=printed_by if reprint else "",
    )


def issue_receipt(ctx: CounterContext, code: str, *, out: Path | None = None) -> Path:
    """Render the receipt to PDF (a reprint once one was issued) and record the printout.

    The printout is reserved first, under the write lock, so two prints at once can never
    both come out as the original; a render that fails gives its reservation back.
    """
    row = find_row(code)
    operator = current_operator(ctx)
    with write_transaction():
        earlier = (
            Printout.select()
            .where((Printout.dossier == row.id) & (Printout.form == FORM_RECEIPT))
            .count()
        )
        reprint = earlier > 0
        if out is None:
            suffix = f"-in-lai-{earlier}" if reprint else ""
            out = ctx.paths.receipts / f"{row.code}{suffix}.pdf"
        printout = Printout.create(
            dossier=row.id,
            form=FORM_RECEIPT,
            at=now_vn(),
            actor=operator.full_name,
            reprint=reprint,
            path=str(out),
        )
    try:
        data = _build(require_settings(ctx), row, reprint=reprint, printed_by=operator.full_name)
        path = write_receipt(data, out)
    except BaseException as err:
        with write_transaction():
            printout.delete_instance()
        if isinstance(err, OSError):
            reason = err.strerror or str(err)
            raise KnownError(f"Không ghi được tệp giấy tiếp nhận {out}: {reason}") from err
        raise
    with write_transaction():
        audit.record(operator.username, "receipt.reprint" if reprint else "receipt.print", row.code)
    return path
