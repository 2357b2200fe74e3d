"""The audit trail's hash chain: each row's hash covers the row and the hash before it.

A row is hashed from the text exactly as stored (``at``, ``detail`` JSON), so verifying
never depends on how a later version of the app would serialise the same values. The row
id is part of the hash: a row moved, removed or inserted out of place breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainRow:
    id: int
    at: str
    actor: str
    action: str
    object_ref: str
    detail: str  # the stored JSON text
    prev_hash: str
    hash: str


def row_hash(
    prev_hash: str, row_id: int, at: str, actor: str, action: str, object_ref: str, detail: str
) -> str:
    body = json.dumps(
        [prev_hash, row_id, at, actor, action, object_ref, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    row_id: int
    reason: str


def first_break(
    rows: Iterable[ChainRow], prev_hash: str = GENESIS, prev_id: int = 0
) -> ChainBreak | None:
    """The first row that does not follow from the one before it, or None.

    Ids are given without gaps (the writer takes the last id + 1 under the write lock), so
    a gap is a removed row even when the hashes after it were recomputed.
    """
    for row in rows:
        if row.id != prev_id + 1:
            missing = (
                f"dòng {prev_id + 1}"
                if row.id == prev_id + 2
                else f"các dòng {prev_id + 1}–{row.id - 1}"
            )
            reason = (
                f"thiếu {missing} (đã bị xóa)"
                if row.id > prev_id
                else "số thứ tự dòng không tăng dần (dòng bị chèn)"
            )
            return ChainBreak(row.id, reason)
        if row.prev_hash != prev_hash:
            return ChainBreak(
                row.id,
                "không nối với dòng liền trước: dòng trước đã bị sửa, hoặc dòng này bị chèn "
                "hay thay thế",
            )
        expected = row_hash(
            row.prev_hash, row.id, row.at, row.actor, row.action, row.object_ref, row.detail
        )
        if row.hash != expected:
            return ChainBreak(row.id, "nội dung dòng đã bị sửa (mã băm không khớp)")
        prev_hash, prev_id = row.hash, row.id
    return None
