"""The station ↔ hub protocol, shared by both ends: paths, limits, item shape, hashing.

An item is one outbox row: ``{"id", "seq", "kind", "ref", "created_at", "payload"}``. ``id``
is the station's uuid for the item (the dedupe key), ``seq`` its outbox position (the hub
applies a station's items in this order). The payload hash is over canonical JSON, so the
same payload always hashes the same whichever end computes it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

API = "/api/v1"
PUSH_PATH = f"{API}/push"
CHANGES_PATH = f"{API}/changes"
HELLO_PATH = f"{API}/hello"
DOSSIERS_PATH = f"{API}/dossiers"
AUDIT_PATH = f"{API}/audit"

MAX_BODY_BYTES = 8 * 1024 * 1024  # on the wire (gzip)
MAX_INFLATED_BYTES = 64 * 1024 * 1024  # after gunzip: a zip bomb stops here
MAX_ITEMS_PER_PUSH = 1000
PUSH_BATCH = 250  # what the client sends per request
CHANGES_PAGE = 200


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(
        "utf-8"
    )


def payload_hash(payload: Any) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def encode_body(value: Any) -> bytes:
    """Request and response bodies: compact JSON, gzipped (level 6: the link is slow, the
    PC is old; higher levels cost CPU for a few percent)."""
    return gzip.compress(canonical_json(value), compresslevel=6, mtime=0)


class BadBody(ValueError):
    """A body that is not what the protocol says (message in Vietnamese)."""


def decode_json(raw: bytes, *, gzipped: bool) -> Any:
    if gzipped:
        try:
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = decompressor.decompress(raw, MAX_INFLATED_BYTES)
            if decompressor.unconsumed_tail:
                raise BadBody(
                    f"Nội dung giải nén vượt quá {MAX_INFLATED_BYTES // (1024 * 1024)} MB."
                )
        except BadBody:
            raise
        except Exception as err:
            raise BadBody(f"Nội dung gzip hỏng: {err}.") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadBody(f"Nội dung không phải JSON UTF-8 hợp lệ: {err}.") from None


@dataclass(frozen=True)
class Item:
    id: str
    seq: int
    kind: str
    ref: str
    created_at: str
    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "kind": self.kind,
            "ref": self.ref,
            "created_at": self.created_at,
            "payload": self.payload,
        }


def parse_items(raw: Any, *, limit: int | None = MAX_ITEMS_PER_PUSH) -> list[Item]:
    """The items of a push body or a bundle; BadBody names the first bad field."""
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise BadBody("Thiếu danh sách “items”.")
    items = raw["items"]
    if limit is not None and len(items) > limit:
        raise BadBody(f"Tối đa {limit} mục mỗi lần gửi, nhận được {len(items)}.")
    parsed: list[Item] = []
    for index, obj in enumerate(items):
        where = f"items[{index}]"
        if not isinstance(obj, dict):
            raise BadBody(f"{where}: phải là một đối tượng JSON.")
        for key, kind in (("id", str), ("kind", str), ("ref", str), ("created_at", str)):
            if not isinstance(obj.get(key), kind) or not obj[key]:
                raise BadBody(f"{where}.{key}: thiếu hoặc sai kiểu.")
        if len(obj["id"]) > 64:
            raise BadBody(f"{where}.id: dài quá 64 ký tự.")
        seq = obj.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise BadBody(f"{where}.seq: phải là số nguyên dương.")
        if not isinstance(obj.get("payload"), dict):
            raise BadBody(f"{where}.payload: phải là một đối tượng JSON.")
        parsed.append(
            Item(obj["id"], seq, obj["kind"], obj["ref"], obj["created_at"], obj["payload"])
        )
    return parsed
