"""Checking a station's audit trail from afar: each sync reports the chain's head.

The hub keeps every head it was told. On the next sync it asks the station for the hash of
the row it knew last (it sends only that row's id, never the hash), and compares: a
station whose history was edited and re-hashed since cannot give the old hash back. A head
that went backwards (rows removed, or a restore from an older backup) is flagged too, so
the district sees it and can ask why.
"""

from __future__ import annotations

from typing import Any

from counter_app.domain.clock import iso, now_vn
from counter_app.hub.models import AuditHead
from counter_app.hub.stations import StationRef

FIRST, OK, REWRITTEN = "first", "ok", "rewritten"


class BadHead(ValueError):
    """The report is not what the protocol says (message in Vietnamese)."""


def _last(station: StationRef) -> AuditHead | None:
    row: AuditHead | None = (
        AuditHead.select()
        .where(AuditHead.station_id == station.id)
        .order_by(AuditHead.id.desc())
        .first()
    )
    return row


def known_id(station: StationRef) -> int | None:
    last = _last(station)
    return None if last is None else int(last.audit_id)


def _pair(value: Any, name: str) -> tuple[int, str | None]:
    if not isinstance(value, dict) or not isinstance(value.get("id"), int):
        raise BadHead(f"Thiếu hoặc sai '{name}' (cần id và hash).")
    digest = value.get("hash")
    if digest is not None and not (isinstance(digest, str) and len(digest) == 64):
        raise BadHead(f"'{name}.hash' phải là chuỗi SHA-256.")
    return int(value["id"]), digest


def record_head(station: StationRef, body: Any) -> dict[str, Any]:
    """Store the reported head with its verdict. ``body``: ``{"head": {"id", "hash"},
    "at_known": {"id", "hash" | null} | null}``."""
    if not isinstance(body, dict):
        raise BadHead("Nội dung phải là một đối tượng JSON.")
    head_id, head_hash = _pair(body.get("head"), "head")
    if head_hash is None:
        raise BadHead("'head.hash' là bắt buộc.")
    last = _last(station)
    verdict, detail = FIRST, ""
    if last is not None:
        at = body.get("at_known")
        at_id, at_hash = _pair(at, "at_known") if at is not None else (-1, None)
        if at_id != last.audit_id:
            verdict, detail = REWRITTEN, f"máy không trả lời cho dòng {last.audit_id}"
        elif at_hash is None:
            verdict, detail = REWRITTEN, f"dòng {last.audit_id} không còn trong nhật ký của máy"
        elif at_hash != last.hash:
            verdict, detail = REWRITTEN, f"dòng {last.audit_id} đã khác so với lần báo trước"
        elif head_id < last.audit_id:
            verdict, detail = REWRITTEN, "nhật ký ngắn lại so với lần báo trước"
        else:
            verdict = OK
    AuditHead.create(
        station_id=station.id,
        audit_id=head_id,
        hash=head_hash,
        received_at=now_vn(),
        verdict=verdict,
        detail=detail,
    )
    return {"verdict": verdict, "detail": detail}


def audit_summary(station_id: int) -> dict[str, Any]:
    """For ``hub stations``: the last head and whether any report was flagged."""
    rows = AuditHead.select().where(AuditHead.station_id == station_id)
    last = rows.order_by(AuditHead.id.desc()).first()
    flagged = rows.where(AuditHead.verdict == REWRITTEN).order_by(AuditHead.id.desc()).first()
    return {
        "audit_head": None if last is None else {"id": last.audit_id, "hash": last.hash},
        "audit_verdict": None if last is None else last.verdict,
        "audit_rewritten_at": iso(flagged.received_at) if flagged else None,
        "audit_rewritten_detail": flagged.detail if flagged else "",
    }
