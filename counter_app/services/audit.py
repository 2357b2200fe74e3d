"""Append-only record of who did what. Refers to dossiers by code, never by name or ID."""

from __future__ import annotations

from typing import Any

from counter_app.domain.clock import now_vn
from counter_app.store.models import AuditLog


def record(actor: str, action: str, object_ref: str = "", **detail: Any) -> None:
    """Call inside the transaction of the action being recorded."""
    AuditLog.create(at=now_vn(), actor=actor, action=action, object_ref=object_ref, detail=detail)
