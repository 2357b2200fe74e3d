"""What the district sends down: status decisions, catalogue versions, yearly calendars.

Each is a ``FeedEntry`` that stations pull after their cursor. Writers lock the feed
first (PostgreSQL: ``LOCK TABLE … EXCLUSIVE``; SQLite: the write lock ``BEGIN IMMEDIATE``
takes), so ids are committed in the order they were given: a station that already read
id 12 can never miss an id 11 that committed after it.
"""

from __future__ import annotations

import json
from typing import Any

from counter_app.domain.calendar import parse_year_calendar
from counter_app.domain.catalogue import parse_catalogue
from counter_app.domain.clock import iso, now_vn
from counter_app.domain.status import require_legal_move, status_name
from counter_app.errors import ConflictError, NotFoundError
from counter_app.hub.db import hub_db, is_postgres
from counter_app.hub.forwarding import enqueue_forward
from counter_app.hub.ingest import add_hub_history
from counter_app.hub.models import FeedEntry, HubDossier, HubEvent, HubProcedure
from counter_app.hub.stations import StationRef
from counter_app.resources import resource_path

DISTRICT_ACTOR = "Bộ phận xử lý (huyện)"
# What a processing body decides. Receiving, refusing, withdrawing and returning happen in
# front of the citizen at the counter, with the forms and details only the counter has.
DISTRICT_STATUSES = frozenset({4, 5, 6, 8, 9})


def _lock_feed() -> None:
    if is_postgres():
        hub_db.execute_sql("LOCK TABLE hub_feed IN EXCLUSIVE MODE")


def set_status(
    code: str, status: int, *, note: str = "", actor: str = "", unit: str = ""
) -> dict[str, Any]:
    """Record a decision upstream (e.g. 9 Đã xử lý xong) and queue it for the station."""
    code = code.strip().upper()
    actor = actor.strip() or DISTRICT_ACTOR
    note = note.strip()
    with hub_db.atomic():
        _lock_feed()
        query = HubDossier.select().where(HubDossier.code == code)
        row = (query.for_update() if is_postgres() else query).first()
        if row is None:
            raise NotFoundError(f"Huyện chưa có hồ sơ {code}.")
        if status not in DISTRICT_STATUSES:
            allowed = ", ".join(map(str, sorted(DISTRICT_STATUSES)))
            raise ConflictError(
                f"Huyện chỉ ghi được các trạng thái {allowed}; "
                f"“{status_name(status)}” được ghi tại quầy một cửa."
            )
        require_legal_move(code, row.status, status, note)
        now = now_vn()
        entry = {"from": row.status, "to": status, "at": iso(now), "actor": actor, "note": note}
        payload = {"code": code, **entry, "unit": unit}
        add_hub_history(code, entry)
        HubEvent.create(
            code=code, kind="hub.status", source="hub", item_id=None, payload=payload, hub_at=now
        )
        row.status = status
        row.updated_at = now
        row.revision += 1
        row.save()
        FeedEntry.create(
            kind="status",
            agency_code=row.agency_code,
            station=row.station,
            ref=code,
            payload=payload,
            at=now,
        )
        enqueue_forward(code)
    return payload


def ensure_catalogue() -> None:
    """A new hub knows the shipped catalogue (the one every station starts with)."""
    with hub_db.atomic():
        if HubProcedure.select().exists():
            return
        seed = json.loads(resource_path("catalogue", "seed.json").read_text("utf-8"))
        for spec in parse_catalogue(seed):
            HubProcedure.create(code=spec.code, version=1, data=spec.to_json())


def publish_catalogue(data: Any) -> dict[str, int]:
    """A new catalogue (the import format): stored, and sent to every station."""
    specs = parse_catalogue(data)
    created = changed = unchanged = 0
    with hub_db.atomic():
        _lock_feed()
        for spec in specs:
            row = HubProcedure.get_or_none(HubProcedure.code == spec.code)
            if row is None:
                HubProcedure.create(code=spec.code, version=1, data=spec.to_json())
                created += 1
            elif row.data != spec.to_json():
                row.data = spec.to_json()
                row.version += 1
                row.save()
                changed += 1
            else:
                unchanged += 1
        entry = FeedEntry.create(
            kind="catalogue",
            agency_code=None,
            station=None,
            ref=f"{len(specs)} thủ tục",
            payload=[spec.to_json() for spec in specs],
            at=now_vn(),
        )
    return {"feed_id": entry.id, "created": created, "changed": changed, "unchanged": unchanged}


def publish_calendar(data: Any) -> dict[str, Any]:
    """A year's official days off and swapped working days, sent to every station."""
    year = parse_year_calendar(data)
    with hub_db.atomic():
        _lock_feed()
        entry = FeedEntry.create(
            kind="calendar",
            agency_code=None,
            station=None,
            ref=str(year.year),
            payload=year.to_json(),
            at=now_vn(),
        )
    return {"feed_id": entry.id, "year": year.year}


def changes_after(
    station: StationRef, cursor: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """The feed entries for ``station`` after ``cursor``, and whether more follow."""
    mine = FeedEntry.agency_code.is_null() | (
        (FeedEntry.agency_code == station.agency_code)
        & (FeedEntry.station.is_null() | (FeedEntry.station == station.station))
    )
    rows = list(
        FeedEntry.select()
        .where((FeedEntry.id > cursor) & mine)
        .order_by(FeedEntry.id)
        .limit(limit + 1)
    )
    more = len(rows) > limit
    return [
        {"id": r.id, "kind": r.kind, "ref": r.ref, "payload": r.payload, "at": iso(r.at)}
        for r in rows[:limit]
    ], more
