"""Stations and their tokens. A token is shown once; the hub keeps only its SHA-256.

Tokens are 256 random bits, so a plain hash is enough (no password stretching): there is
nothing to guess, and a stolen hub database does not give a usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from counter_app.domain.clock import now_vn
from counter_app.domain.dossier_code import validate_agency_code, validate_station
from counter_app.errors import NotFoundError
from counter_app.hub.db import hub_db
from counter_app.hub.models import Station

TOKEN_PREFIX = "mcs_"


@dataclass(frozen=True)
class StationRef:
    """Who is talking: the authenticated station."""

    id: int
    agency_code: str
    station: int


def hash_token(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def add_station(agency_code: str, station: int, label: str = "") -> tuple[StationRef, str]:
    """Register a station; returns it and its token (the only time the token is seen)."""
    agency = validate_agency_code(agency_code)
    number = validate_station(station)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with hub_db.atomic():
        row = Station.create(
            agency_code=agency,
            station=number,
            token_hash=hash_token(token),
            label=label,
            created_at=now_vn(),
        )
    return StationRef(row.id, agency, number), token


def revoke_station(agency_code: str, station: int) -> int:
    """Revoke every live token of the station; returns how many were revoked."""
    with hub_db.atomic():
        count = (
            Station.update(revoked_at=now_vn())
            .where(
                (Station.agency_code == agency_code.strip().upper())
                & (Station.station == station)
                & Station.revoked_at.is_null()
            )
            .execute()
        )
    if not count:
        raise NotFoundError(f"Không có máy {station} nào của đơn vị {agency_code} đang hoạt động.")
    return int(count)


def authenticate(token: str) -> StationRef | None:
    """The station a live token belongs to, or None."""
    if not token:
        return None
    row = Station.get_or_none(
        (Station.token_hash == hash_token(token)) & Station.revoked_at.is_null()
    )
    if row is None:
        return None
    return StationRef(row.id, row.agency_code, row.station)


def note_contact(ref: StationRef, offset_s: int | None) -> None:
    """Remember when the station last talked to us, and its clock offset if it told us."""
    values: dict[str, object] = {"last_seen_at": now_vn()}
    if offset_s is not None:
        values["clock_offset_s"] = offset_s
    Station.update(**values).where(Station.id == ref.id).execute()


def list_stations() -> list[dict[str, object]]:
    from counter_app.domain.clock import iso
    from counter_app.hub.audit_heads import audit_summary

    return [
        {
            "agency_code": row.agency_code,
            "station": row.station,
            "label": row.label,
            "created_at": iso(row.created_at),
            "revoked": row.revoked_at is not None,
            "last_seen_at": iso(row.last_seen_at) if row.last_seen_at else None,
            "clock_offset_s": row.clock_offset_s,
            **audit_summary(row.id),
        }
        for row in Station.select().order_by(Station.agency_code, Station.station, Station.id)
    ]
