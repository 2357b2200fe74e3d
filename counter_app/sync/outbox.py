"""The outbox: every committed change gets a row, in the same transaction, for the sync.

Rows are pushed upstream in ``id`` order (commit order), each under its own ``item_id`` so
the hub can tell a resend from a new item.
"""

from __future__ import annotations

import uuid
from typing import Any

from counter_app.domain.clock import now_vn
from counter_app.store.models import Outbox


def enqueue(kind: str, entity_ref: str, payload: dict[str, Any]) -> Outbox:
    """Add one change; call inside the transaction that makes the change."""
    return Outbox.create(
        item_id=str(uuid.uuid4()),
        kind=kind,
        entity_ref=entity_ref,
        payload=payload,
        created_at=now_vn(),
    )
