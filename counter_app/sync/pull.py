"""Applying what the hub sends down. Each change commits with the cursor that covers it,
so a sync cut off anywhere resumes at the first change not yet applied, and a change
delivered twice (an answer lost after we applied it) is applied once (``hub_change``).

A district status the dossier cannot take here (the counter moved it meanwhile) is not
forced: it is kept as a sync issue on the dossier for the clerk to settle, and the cursor
moves on so one dossier never blocks the rest.
"""

from __future__ import annotations

import logging
from typing import Any

from counter_app.domain.calendar import parse_year_calendar
from counter_app.domain.catalogue import parse_catalogue
from counter_app.domain.clock import now_vn, parse_iso
from counter_app.domain.status import status_name, transition_error
from counter_app.errors import KnownError
from counter_app.services import audit
from counter_app.services.calendars import reset_cache, store_year, work_calendar
from counter_app.services.catalogue import apply_specs
from counter_app.services.context import CounterContext
from counter_app.services.tracking import move_status
from counter_app.store.db import write_transaction
from counter_app.store.models import Dossier, HubChange, SyncIssue
from counter_app.sync import state

log = logging.getLogger(__name__)

SYNC_ACTOR = "Đồng bộ"


def apply_change(ctx: CounterContext, change: dict[str, Any]) -> str:
    """Apply one hub change with its cursor, in one transaction. Returns the outcome."""
    change_id = int(change["id"])
    kind = str(change.get("kind", ""))
    calendar_changed = False
    with write_transaction():
        if HubChange.get_or_none(HubChange.change_id == change_id) is not None:
            outcome = "already"
        else:
            try:
                with ctx.db.atomic():  # savepoint: a bad change leaves nothing half-applied
                    outcome = _apply(ctx, kind, change)
            except (KnownError, ValueError, KeyError, TypeError) as err:
                message = getattr(err, "message", None) or str(err)
                SyncIssue.create(
                    at=now_vn(),
                    direction="pull",
                    dossier_code=str(change.get("ref", "")) if kind == "status" else "",
                    message=f"Không áp dụng được thay đổi {change_id} ({kind}) từ huyện: {message}",
                )
                outcome = "issue"
            calendar_changed = kind == "calendar" and outcome == "applied"
            HubChange.create(
                change_id=change_id,
                kind=kind,
                ref=str(change.get("ref", "")),
                applied_at=now_vn(),
                outcome=outcome,
            )
        if change_id > state.cursor():
            state.put(state.CURSOR, str(change_id))
    if calendar_changed:
        reset_cache()
    return outcome


def _apply(ctx: CounterContext, kind: str, change: dict[str, Any]) -> str:
    payload = change["payload"]
    if kind == "status":
        return _apply_status(ctx, payload)
    if kind == "catalogue":
        summary = apply_specs(parse_catalogue(payload))
        audit.record(SYNC_ACTOR, "sync.pull.catalogue", "", **summary.to_json())
        return "applied"
    if kind == "calendar":
        year = parse_year_calendar(payload)
        store_year(year, "hub")
        audit.record(SYNC_ACTOR, "sync.pull.calendar", str(year.year))
        return "applied"
    raise ValueError(f"loại thay đổi “{kind}” không được hỗ trợ")


def _apply_status(ctx: CounterContext, payload: dict[str, Any]) -> str:
    code = str(payload["code"])
    target = int(payload["to"])
    row = Dossier.get_or_none(Dossier.code == code)
    if row is None:
        raise KnownError(f"quầy không có hồ sơ {code}")
    if row.status == target:
        return "same"
    problem = transition_error(row.status, target)
    if problem is not None:
        raise KnownError(
            f"hồ sơ đang “{status_name(row.status)}” ở quầy; huyện báo "
            f"“{status_name(target)}” ({problem})"
        )
    unit = str(payload.get("unit") or "")
    actor = str(payload.get("actor") or "Huyện") + (f" ({unit})" if unit else "")
    change = move_status(
        row,
        target,
        at=parse_iso(str(payload["at"])),
        actor=actor,
        note=str(payload.get("note") or ""),
        cal=work_calendar(ctx),
        origin="hub",
    )
    row.__dict__.pop("_new_history", None)  # pulled steps are not pushed back
    audit.record(SYNC_ACTOR, "sync.pull.status", code, **change)
    return "applied"
