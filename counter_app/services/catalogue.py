"""The procedure catalogue: list, search, import (as new versions), export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from counter_app.domain.catalogue import (
    DocumentSpec,
    FeeSpec,
    ProcedureSpec,
    parse_catalogue,
    parse_cutoff,
)
from counter_app.domain.clock import now_vn
from counter_app.domain.text import fold
from counter_app.domain.timeunits import TimeUnit
from counter_app.errors import NotFoundError
from counter_app.services import audit
from counter_app.services.accounts import require_role
from counter_app.services.context import CounterContext
from counter_app.services.dto import DocumentLine, ProcedureInfo
from counter_app.store.db import write_transaction
from counter_app.store.models import Procedure


@dataclass(frozen=True)
class ImportSummary:
    created: int
    new_versions: int
    unchanged: int

    def to_json(self) -> dict[str, int]:
        return {
            "created": self.created,
            "new_versions": self.new_versions,
            "unchanged": self.unchanged,
        }


def spec_of(row: Procedure) -> ProcedureSpec:
    cutoff: time | None = parse_cutoff(row.code, row.cutoff)
    return ProcedureSpec(
        code=row.code,
        name=row.name,
        field=row.field,
        time_value=row.time_value,
        time_unit=TimeUnit(row.time_unit),
        cutoff=cutoff,
        fees=tuple(FeeSpec(int(f["amount"]), str(f["description"])) for f in row.fees),
        documents=tuple(
            DocumentSpec(str(d["name"]), str(d["kind"]), int(d["count"])) for d in row.documents
        ),
        result=row.result,
        legal_basis=row.legal_basis,
        level=row.level,
        source=row.source,
    )


def info_of(row: Procedure) -> ProcedureInfo:
    spec = spec_of(row)
    return ProcedureInfo(
        code=spec.code,
        version=row.version,
        name=spec.name,
        field=spec.field,
        time_value=spec.time_value,
        time_unit=spec.time_unit.value,
        time_text=spec.time_text,
        cutoff=spec.cutoff.strftime("%H:%M") if spec.cutoff else None,
        documents=tuple(DocumentLine(d.name, d.kind, d.count) for d in spec.documents),
        fees=tuple((f.amount, f.description) for f in spec.fees),
        result=spec.result,
    )


def _current_rows() -> list[Procedure]:
    query = Procedure.select().where(Procedure.is_current == True)  # noqa: E712
    return list(query.order_by(Procedure.field, Procedure.code))


def list_procedures(ctx: CounterContext) -> list[ProcedureInfo]:
    return [info_of(row) for row in _current_rows()]


def search_procedures(ctx: CounterContext, query: str, *, limit: int = 50) -> list[ProcedureInfo]:
    """Procedures whose name, field or code contain every word typed, marks and đ ignored.

    Names that start with the query come first, then those with a word starting with it.
    """
    key = fold(query)
    words = key.split()
    scored: list[tuple[int, str, Procedure]] = []
    for row in _current_rows():
        haystack = f"{row.name_key} {fold(row.field)} {row.code.lower()}"
        if not all(word in haystack for word in words):
            continue
        name_key = row.name_key.removeprefix("thu tuc ")
        if row.code.lower().startswith(key) or name_key.startswith(key):
            rank = 0
        elif f" {key}" in f" {name_key}":
            rank = 1
        else:
            rank = 2
        scored.append((rank, row.name_key, row))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [info_of(row) for _, _, row in scored[:limit]]


def current_row(code: str) -> Procedure:
    row = (
        Procedure.select()
        .where((Procedure.code == code.strip().upper()) & (Procedure.is_current == True))  # noqa: E712
        .first()
    )
    if row is None:
        raise NotFoundError(f"Không tìm thấy thủ tục có mã '{code.strip()}' trong danh mục.")
    return row


def get_procedure(ctx: CounterContext, code: str) -> ProcedureInfo:
    return info_of(current_row(code))


def _store(spec: ProcedureSpec, version: int) -> None:
    data = spec.to_json()
    Procedure.create(
        code=spec.code,
        version=version,
        name=spec.name,
        name_key=fold(spec.name),
        field=spec.field,
        level=spec.level,
        time_value=spec.time_value,
        time_unit=spec.time_unit.value,
        cutoff=data["cutoff"],
        result=spec.result,
        legal_basis=spec.legal_basis,
        documents=data["documents"],
        fees=data["fees"],
        source=spec.source,
        is_current=True,
        created_at=now_vn(),
    )


def apply_specs(specs: list[ProcedureSpec]) -> ImportSummary:
    """Store specs as new procedures or new versions; call inside a transaction."""
    created = new_versions = unchanged = 0
    for spec in specs:
        latest = (
            Procedure.select()
            .where(Procedure.code == spec.code)
            .order_by(Procedure.version.desc())
            .first()
        )
        if latest is None:
            _store(spec, 1)
            created += 1
        elif spec_of(latest).to_json() == spec.to_json() and latest.is_current:
            unchanged += 1
        else:
            Procedure.update(is_current=False).where(Procedure.code == spec.code).execute()
            _store(spec, latest.version + 1)
            new_versions += 1
    return ImportSummary(created, new_versions, unchanged)


def import_catalogue(ctx: CounterContext, data: Any) -> ImportSummary:
    """Import a whole file in one transaction: all procedures or, on any error, none.
    A supervisor's action (the catalogue sets every due date)."""
    operator = require_role(ctx, "supervisor", "catalogue.import", "nhập danh mục thủ tục")
    specs = parse_catalogue(data)
    with write_transaction():
        summary = apply_specs(specs)
        audit.record(operator.username, "catalogue.import", "", **summary.to_json())
    return summary


def export_catalogue(ctx: CounterContext) -> list[dict[str, Any]]:
    """The import format, plus each procedure's current ``version`` (ignored on import)."""
    return [{**spec_of(row).to_json(), "version": row.version} for row in _current_rows()]
