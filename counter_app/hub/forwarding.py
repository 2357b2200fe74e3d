"""Forwarding dossiers to the provincial system, with retries, after the hub committed them.

Every change to a dossier queues its code (once: a code already waiting is not queued
again); the forwarder sends the dossier's latest state built by ``hub/national.py``. The
queue lives in the hub's database, so a restart or a long provincial outage loses nothing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from counter_app.domain.clock import now_vn
from counter_app.hub.db import hub_db
from counter_app.hub.models import ForwardItem, HubDossier, HubEvent, HubProcedure

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 50  # after this the item stays visible as given up, for a person to look at


def enqueue_forward(code: str) -> None:
    """Queue ``code`` for the province; call inside the transaction that changed it."""
    waiting = ForwardItem.get_or_none(
        (ForwardItem.code == code) & ForwardItem.sent_at.is_null() & ~ForwardItem.given_up
    )
    if waiting is None:
        ForwardItem.create(code=code, created_at=now_vn())


@dataclass(frozen=True)
class ForwardTarget:
    url: str
    token: str | None = None
    ca_file: str | None = None
    unit_name: str = ""


@dataclass(frozen=True)
class ForwardReport:
    sent: int
    failed: int
    waiting: int

    def to_json(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "waiting": self.waiting}


def payload_for(code: str, unit_name: str) -> tuple[dict[str, Any], int]:
    """The national payload of ``code`` and the revision of the dossier it describes."""
    from counter_app.hub.national import national_payload

    row = HubDossier.get(HubDossier.code == code)
    events = [
        {"kind": e.kind, "payload": e.payload, "source": e.source, "hub_at": e.hub_at.isoformat()}
        for e in HubEvent.select().where(HubEvent.code == code).order_by(HubEvent.id)
    ]
    procedure = HubProcedure.get_or_none(HubProcedure.code == row.procedure_code)
    payload = national_payload(
        row.detail, events, unit_name=unit_name, procedure=procedure.data if procedure else None
    )
    return payload, row.revision


def forward_pending(
    target: ForwardTarget, *, limit: int = 500, attempts: int = 3, backoff_s: float = 0.5
) -> ForwardReport:
    """Send what waits (oldest first). Each item is marked sent only after the province
    answered 2xx; a failure keeps it queued with the error."""
    from counter_app.hub.upstream_client import send_with_retries

    sent = failed = 0
    with hub_db.connection_context():
        queue = list(
            ForwardItem.select()
            .where(ForwardItem.sent_at.is_null() & ~ForwardItem.given_up)
            .order_by(ForwardItem.id)
            .limit(limit)
        )
        for item in queue:
            payload, version = payload_for(item.code, target.unit_name)
            result = send_with_retries(
                target.url,
                payload,
                token=target.token,
                attempts=attempts,
                backoff_s=backoff_s,
                ca_file=target.ca_file,
            )
            with hub_db.atomic():
                current = HubDossier.get(HubDossier.code == item.code).revision
                if result.ok and current != version:
                    # The dossier changed while we sent: its newer state goes next round.
                    ForwardItem.update(attempts=ForwardItem.attempts + 1).where(
                        ForwardItem.id == item.id
                    ).execute()
                elif result.ok:
                    ForwardItem.update(sent_at=now_vn(), attempts=ForwardItem.attempts + 1).where(
                        ForwardItem.id == item.id
                    ).execute()
                    sent += 1
                else:
                    total = item.attempts + result.attempts
                    ForwardItem.update(
                        attempts=total,
                        last_error=(result.error or "")[:2000],
                        given_up=total >= MAX_ATTEMPTS,
                    ).where(ForwardItem.id == item.id).execute()
                    failed += 1
                    log.warning("forward of %s failed: %s", item.code, result.error)
        waiting = (
            ForwardItem.select()
            .where(ForwardItem.sent_at.is_null() & ~ForwardItem.given_up)
            .count()
        )
    return ForwardReport(sent, failed, int(waiting))


class Forwarder(threading.Thread):
    """Drains the queue every ``interval_s`` while the hub serves."""

    def __init__(self, target: ForwardTarget, interval_s: float = 30.0) -> None:
        super().__init__(name="hub-forwarder", daemon=True)
        self.target = target
        self.interval_s = interval_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                forward_pending(self.target)
            except Exception:  # keep forwarding whatever one round hit; it is logged
                log.exception("forwarding round failed")
            self._stop_event.wait(self.interval_s)

    def stop(self) -> None:
        self._stop_event.set()
