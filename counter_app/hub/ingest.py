"""Applying what stations push: exactly once, in order, each item judged on its own.

A batch is one transaction: every item's effect and its ``PushedItem`` row (the answer it
got) commit together before the hub answers, so an answer lost on the way back is
recovered by a resend, which finds the row and gets the same answer. Two requests racing
with the same items (a station killed and restarted mid-sync) collide on the primary key;
the loser's transaction is rolled back and run again, and then finds the winner's rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import IntegrityError

from counter_app.domain.clock import iso, now_vn, parse_iso
from counter_app.domain.status import STATUS_NAMES
from counter_app.hub.db import hub_db, is_postgres
from counter_app.hub.forwarding import enqueue_forward
from counter_app.hub.models import (
    ForwardItem,
    HubDossier,
    HubEvent,
    HubProcedure,
    HubStatusEntry,
    PushedItem,
)
from counter_app.hub.stations import StationRef
from counter_app.sync.protocol import Item, payload_hash

log = logging.getLogger(__name__)

ACCEPTED = "accepted"
REJECTED = "rejected"

# A supervisor's corrections at the counter (services/corrections.py): the applicant's
# details amended (laid over the hub's copy of the intake record), a dossier entered by
# mistake cancelled (it ends in 7, like a withdrawal, and keeps this event to tell them apart).
AMENDED = "dossier.amended"
CANCELLED = "dossier.cancelled"
CANCEL_STATUS = 7
# The applicant as the intake record holds it (``DossierDetail.to_json()["applicant"]``).
APPLICANT_KEYS = (
    "kind",
    "name",
    "id_number",
    "tax_code",
    "dob",
    "sex",
    "address",
    "phone",
    "email",
)


@dataclass(frozen=True)
class ItemResult:
    id: str
    outcome: str
    error: str = ""
    replay: bool = False

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "outcome": self.outcome}
        if self.error:
            data["error"] = self.error
        if self.replay:
            data["replay"] = True
        return data


class Refused(Exception):
    """This item cannot be applied; the reason is stored and sent back (Vietnamese)."""


def agency_of(code: str) -> str:
    return code.rsplit("-", 2)[0] if code.count("-") >= 2 else ""


@dataclass
class _Batch:
    """What one batch looks up once instead of per item."""

    station: StationRef
    via: str
    seen: dict[str, tuple[str, str, str, int, str]]  # id -> hash, outcome, error, station, agency
    known_procedures: set[str]
    new_rows: list[dict[str, Any]]


def apply_items(station: StationRef, items: list[Item], *, via: str) -> list[ItemResult]:
    """Apply a batch; returns one result per item, in order. Commits before returning."""
    for attempt in range(3):
        try:
            with hub_db.atomic():
                return _apply_batch(station, items, via)
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("push from %s/%s raced another; retrying", station.agency_code, station.id)
    raise AssertionError("unreachable")


def _apply_batch(station: StationRef, items: list[Item], via: str) -> list[ItemResult]:
    ids = [item.id for item in items]
    seen = {
        row.item_id: (row.payload_hash, row.outcome, row.error, row.station, row.agency_code)
        for row in PushedItem.select().where(PushedItem.item_id.in_(ids))
    }
    wanted = {str(i.payload.get("procedure_code")) for i in items if i.kind == "dossier.received"}
    known = {
        row.code
        for row in HubProcedure.select(HubProcedure.code).where(HubProcedure.code.in_(wanted))
    }
    batch = _Batch(station, via, seen, known, [])
    results = [_apply_one(batch, item) for item in items]
    for start in range(0, len(batch.new_rows), 100):
        PushedItem.insert_many(batch.new_rows[start : start + 100]).execute()
    return results


def _apply_one(batch: _Batch, item: Item) -> ItemResult:
    station = batch.station
    digest = payload_hash(item.payload)
    seen = batch.seen.get(item.id)
    if seen is not None:
        if seen[0] != digest or seen[4] != station.agency_code or seen[3] != station.station:
            return ItemResult(
                item.id,
                REJECTED,
                f"Mã mục {item.id} đã được dùng cho một nội dung khác; mục này không được nhận.",
            )
        return ItemResult(item.id, seen[1], seen[2], replay=True)
    # Every check runs before the first write, so a refused item leaves nothing behind.
    try:
        _apply_effect(batch, item)
        outcome, error = ACCEPTED, ""
    except Refused as why:
        outcome, error = REJECTED, str(why)
    batch.seen[item.id] = (digest, outcome, error, station.station, station.agency_code)
    batch.new_rows.append(
        {
            "item_id": item.id,
            "agency_code": station.agency_code,
            "station": station.station,
            "seq": item.seq,
            "kind": item.kind,
            "ref": item.ref,
            "payload_hash": digest,
            "outcome": outcome,
            "error": error,
            "via": batch.via,
            "received_at": now_vn(),
        }
    )
    return ItemResult(item.id, outcome, error)


def _apply_effect(batch: _Batch, item: Item) -> None:
    station = batch.station
    if item.kind.startswith("complaint."):
        _check_agency(station, item.ref, what="Phản ánh")
        _event(item.ref, item)
        return
    if not item.kind.startswith("dossier."):
        raise Refused(f"Loại mục “{item.kind}” không được hỗ trợ.")
    _check_agency(station, item.ref, what="Hồ sơ")
    if item.kind == "dossier.received":
        _receive(batch, item)
    else:
        _progress(item)


def _check_agency(station: StationRef, code: str, *, what: str) -> None:
    owner = agency_of(code)
    if owner != station.agency_code:
        raise Refused(
            f"{what} {code} thuộc đơn vị “{owner or '?'}”, không phải đơn vị của máy này "
            f"({station.agency_code})."
        )


def _moment(payload: dict[str, Any], key: str) -> datetime:
    value = payload.get(key)
    try:
        return parse_iso(str(value))
    except (ValueError, TypeError):
        raise Refused(f"Trường {key} “{value}” không phải thời điểm ISO 8601.") from None


def _status(value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value not in STATUS_NAMES:
        raise Refused(f"Trường {key} “{value}” không phải mã trạng thái 1–10.")
    return value


def _history_rows(code: str, entries: Any, *, source: str, after: int) -> list[dict[str, Any]]:
    """Validated status-history rows, numbered after position ``after`` (not yet written)."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise Refused("Trường history phải là một danh sách.")
    rows = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise Refused(f"history[{index}] phải là một đối tượng.")
        from_status = entry.get("from")
        rows.append(
            {
                "code": code,
                "position": after + index + 1,
                "from_status": None if from_status is None else _status(from_status, "from"),
                "to_status": _status(entry.get("to"), "history.to"),
                "at": _moment(entry, "at"),
                "actor": str(entry.get("actor") or ""),
                "note": str(entry.get("note") or ""),
                "source": source,
            }
        )
    return rows


def _write_history(rows: list[dict[str, Any]]) -> None:
    if rows:
        HubStatusEntry.insert_many(rows).execute()


def _receive(batch: _Batch, item: Item) -> None:
    p = item.payload
    code = item.ref
    if p.get("code") != code:
        raise Refused(f"Mã hồ sơ trong nội dung ({p.get('code')}) khác mã của mục ({code}).")
    procedure = str(p.get("procedure_code") or "")
    if procedure not in batch.known_procedures:
        raise Refused(f"Thủ tục “{procedure}” không có trong danh mục của huyện.")
    if HubDossier.select().where(HubDossier.code == code).exists():
        raise Refused(
            f"Mã hồ sơ {code} đã có ở huyện từ một lần tiếp nhận khác "
            "(hai máy cấp trùng số?). Hãy báo quản trị."
        )
    status = _status(p.get("status"), "status")
    received_at, due_at = _moment(p, "received_at"), _moment(p, "due_at")
    history = _history_rows(code, p.get("history"), source="station", after=0)
    now = now_vn()
    HubDossier.insert(
        code=code,
        agency_code=batch.station.agency_code,
        station=batch.station.station,
        procedure_code=procedure,
        status=status,
        received_at=received_at,
        due_at=due_at,
        returned_at=None,
        detail=p,
        hub_received_at=now,
        updated_at=now,
        revision=1,
    ).execute()
    _write_history(history)
    ForwardItem.insert(code=code, created_at=now).execute()  # a new dossier: none waits yet


def _progress(item: Item) -> None:
    p = item.payload
    code = item.ref
    row = _locked_dossier(code)
    if row is None:
        raise Refused(
            f"Hồ sơ {code} chưa có ở huyện (bản tiếp nhận bị từ chối hoặc chưa tới), "
            "nên bước này không ghi được."
        )
    status = _status(p.get("status"), "status")
    due_at = _moment(p, "due_at")
    returned_at = _moment(p, "returned_at") if item.kind == "dossier.returned" else None
    done = HubStatusEntry.select().where(HubStatusEntry.code == code).count()
    history = _history_rows(code, p.get("history"), source="station", after=done)
    detail = _amended_detail(row, p) if item.kind == AMENDED else None
    if item.kind == CANCELLED:
        _check_cancel(p, status, history)
    _event(code, item)
    _write_history(history)
    row.status = status
    row.due_at = due_at
    if returned_at is not None:
        row.returned_at = returned_at
    if detail is not None:
        row.detail = detail
    row.updated_at = now_vn()
    row.revision += 1
    row.save()
    enqueue_forward(code)


def _amended_detail(row: HubDossier, p: dict[str, Any]) -> dict[str, Any]:
    """The hub's intake record with the applicant as the station amended it."""
    applicant = p.get("applicant")
    if not isinstance(applicant, dict) or set(applicant) != set(APPLICANT_KEYS):
        raise Refused(
            "Trường applicant phải là một đối tượng có đủ các khóa: "
            + ", ".join(APPLICANT_KEYS)
            + "."
        )
    for key in APPLICANT_KEYS:
        value = applicant[key]
        if value is not None and not isinstance(value, str):
            raise Refused(f"applicant.{key} phải là chuỗi ký tự hoặc null.")
    name = applicant["name"]
    if not name or not name.strip():
        raise Refused("applicant.name (họ tên người nộp) không được để trống.")
    if p.get("applicant_name") != name:
        raise Refused("Trường applicant_name phải trùng applicant.name.")
    detail = dict(row.detail) if isinstance(row.detail, dict) else {}
    known = detail.get("applicant") or {}
    if isinstance(known, dict) and known.get("kind") not in (None, applicant["kind"]):
        raise Refused(
            f"applicant.kind “{applicant['kind']}” khác loại người nộp khi tiếp nhận "
            f"(“{known.get('kind')}”); việc sửa không đổi được loại người nộp."
        )
    detail["applicant"] = {key: applicant[key] for key in APPLICANT_KEYS}
    detail["applicant_name"] = name
    return detail


def _check_cancel(p: dict[str, Any], status: int, history: list[dict[str, Any]]) -> None:
    if status != CANCEL_STATUS or not any(h["to_status"] == CANCEL_STATUS for h in history):
        raise Refused(
            f"Mục hủy hồ sơ phải đưa hồ sơ về trạng thái {CANCEL_STATUS} và có bước đó trong "
            "history."
        )
    reason = p.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise Refused("Mục hủy hồ sơ phải có lý do (reason).")


def _locked_dossier(code: str) -> HubDossier | None:
    query = HubDossier.select().where(HubDossier.code == code)
    if is_postgres():
        query = query.for_update()
    row: HubDossier | None = query.first()
    return row


def _event(code: str, item: Item) -> None:
    HubEvent.create(
        code=code,
        kind=item.kind,
        source="station",
        item_id=item.id,
        payload=item.payload,
        hub_at=now_vn(),
    )


def add_hub_history(code: str, entry: dict[str, Any]) -> None:
    """A step the district recorded (``hub set-status``)."""
    done = HubStatusEntry.select().where(HubStatusEntry.code == code).count()
    _write_history(_history_rows(code, [entry], source="hub", after=done))


def dossier_json(row: HubDossier) -> dict[str, Any]:
    return {
        "code": row.code,
        "agency_code": row.agency_code,
        "station": row.station,
        "procedure_code": row.procedure_code,
        "status": row.status,
        "received_at": iso(row.received_at),
        "due_at": iso(row.due_at),
        "returned_at": iso(row.returned_at) if row.returned_at else None,
        "hub_received_at": iso(row.hub_received_at),
        "updated_at": iso(row.updated_at),
    }
