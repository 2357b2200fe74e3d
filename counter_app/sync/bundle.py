"""Sync without any network: a checksummed file of everything the hub has not acknowledged.

The clerk writes it to a USB stick (``counter-app sync export``); the district loads it
(``counter-app hub import``) through the same dedupe as an online push, so a bundle
imported twice, or imported and then also pushed online, changes nothing the second time.
Items stay unacknowledged at the counter until an online sync: the hub then answers them
as replays and the outbox empties.

File: gzip of ``{"bundle": {...}, "sha256": "<hex of the canonical JSON of bundle>"}``.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.documents.output import write_atomic
from counter_app.domain.clock import iso, now_vn
from counter_app.errors import KnownError
from counter_app.services import audit
from counter_app.services.context import CounterContext
from counter_app.services.settings import require_settings
from counter_app.store.db import write_transaction
from counter_app.store.models import Outbox
from counter_app.sync.engine import item_of
from counter_app.sync.protocol import MAX_INFLATED_BYTES, BadBody, Item, canonical_json, parse_items

FORMAT = "counter-app-bundle"
FORMAT_VERSION = 1


class BundleError(KnownError):
    """The file is not a bundle, or it was damaged or altered on the way."""


@dataclass(frozen=True)
class Bundle:
    agency_code: str
    station: int
    created_at: str
    items: list[Item]


def export_bundle(ctx: CounterContext, out: Path, *, actor: str) -> dict[str, Any]:
    """Write every unacknowledged item, in order, to ``out`` (atomically)."""
    settings = require_settings(ctx)
    rows = list(Outbox.select().where(Outbox.acked_at.is_null()).order_by(Outbox.id))
    body = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "agency_code": settings.agency_code,
        "station": settings.station,
        "created_at": iso(now_vn()),
        "items": [item_of(row).to_json() for row in rows],
    }
    digest = hashlib.sha256(canonical_json(body)).hexdigest()
    data = gzip.compress(canonical_json({"bundle": body, "sha256": digest}), mtime=0)
    try:
        write_atomic(data, Path(out))
    except OSError as err:
        raise BundleError(f"Không ghi được tệp {out}: {err}") from err
    with write_transaction():
        audit.record(actor, "sync.export", "", items=len(rows), sha256=digest)
    return {"path": str(out), "items": len(rows), "sha256": digest, "bytes": len(data)}


def read_bundle(path: Path) -> Bundle:
    """Read and verify a bundle; BundleError says what is wrong with it."""
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read(MAX_INFLATED_BYTES + 1)
    except FileNotFoundError:
        raise BundleError(f"Không tìm thấy tệp {path}.") from None
    except (OSError, EOFError) as err:
        raise BundleError(f"Tệp {path} không phải gói đồng bộ hoặc đã hỏng ({err}).") from None
    if len(raw) > MAX_INFLATED_BYTES:
        raise BundleError(f"Tệp {path} quá lớn để là một gói đồng bộ.")
    try:
        outer = json.loads(raw.decode("utf-8"))
        body = outer["bundle"]
        claimed = outer["sha256"]
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise BundleError(f"Tệp {path} không đúng định dạng gói đồng bộ ({err}).") from None
    if hashlib.sha256(canonical_json(body)).hexdigest() != claimed:
        raise BundleError(
            f"Tệp {path} đã bị thay đổi hoặc hỏng (mã kiểm tra không khớp); không nạp gì cả."
        )
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise BundleError(f"Tệp {path} không phải gói đồng bộ của phần mềm Một Cửa.")
    if body.get("version") != FORMAT_VERSION:
        raise BundleError(f"Gói đồng bộ phiên bản {body.get('version')} chưa được hỗ trợ.")
    try:
        items = parse_items({"items": body.get("items")}, limit=None)
    except BadBody as err:
        raise BundleError(f"Gói đồng bộ có mục sai: {err}") from None
    station = body.get("station")
    if not isinstance(station, int) or not isinstance(body.get("agency_code"), str):
        raise BundleError("Gói đồng bộ thiếu mã đơn vị hoặc số máy.")
    return Bundle(body["agency_code"], station, str(body.get("created_at", "")), items)
