"""One sync round: push the outbox in order, then pull the hub's changes.

Exactly once, whatever the network does:
- the outbox is read in commit order and sent in batches; an item is marked acknowledged
  only after the hub answered for it, in one transaction per batch, so a sync cut off
  anywhere resumes at the first unacknowledged item;
- a lost answer means a resend; the hub recognises every item by its id and answers as
  the first time; nothing is applied twice;
- an item the hub refuses is settled with its reason (shown on the dossier) and does not
  hold back the items after it.
Progress goes to a plain callback; ``cancelled`` is polled between requests.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from counter_app.domain.clock import iso, now_vn
from counter_app.errors import KnownError
from counter_app.services import audit
from counter_app.services.context import CounterContext
from counter_app.store.db import write_transaction
from counter_app.store.models import Outbox, SyncIssue
from counter_app.sync import state
from counter_app.sync.client import Answer, HubClient, SyncNetworkError
from counter_app.sync.protocol import (
    AUDIT_PATH,
    CHANGES_PAGE,
    CHANGES_PATH,
    PUSH_BATCH,
    PUSH_PATH,
    Item,
)
from counter_app.sync.pull import SYNC_ACTOR, apply_change

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncProgress:
    phase: str  # "push" | "pull" | "retry" (done = attempt, total = retries allowed)
    done: int
    total: int | None  # None while the pull does not know how many follow


class _Cancelled(Exception):
    """The clerk cancelled while a failed request waited to be retried."""


@dataclass
class SyncReport:
    pushed: int = 0
    rejected: int = 0
    pulled: int = 0
    pending: int = 0
    requests: int = 0
    retries: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0
    clock_offset_s: int | None = None
    cancelled: bool = False
    error: str = ""
    audit_verdict: str | None = None  # the hub's view of this station's audit chain
    offsets: list[float] = field(default_factory=list, repr=False)

    @property
    def clock_warning(self) -> bool:
        return self.clock_offset_s is not None and abs(self.clock_offset_s) > state.CLOCK_WARNING_S

    def to_json(self) -> dict[str, Any]:
        return {
            "pushed": self.pushed,
            "pulled": self.pulled,
            "pending": self.pending,
            "rejected": self.rejected,
            "clock_offset_s": self.clock_offset_s,
            "clock_warning": self.clock_warning,
            "cancelled": self.cancelled,
            "error": self.error or None,
            "audit_verdict": self.audit_verdict,
            "requests": self.requests,
            "retries": self.retries,
            "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received,
        }


Progress = Callable[[SyncProgress], None]


def item_of(row: Outbox) -> Item:
    return Item(row.item_id, row.id, row.kind, row.entity_ref, iso(row.created_at), row.payload)


def client_for(config: state.SyncConfig, *, timeout_s: float = 30.0) -> HubClient:
    offset = state.get(state.CLOCK_OFFSET)
    return HubClient(
        config.hub_url,
        config.token,
        ca_file=config.ca_file,
        timeout_s=timeout_s,
        clock_offset_hint=int(offset) if offset else None,
    )


class _Link:
    """The client with in-round retries: a flaky link (one answer in three lost) should not
    need the clerk to press "Đồng bộ" again for every lost answer. A resend is always safe:
    the hub answers a repeated item as it did the first time."""

    def __init__(
        self,
        client: HubClient,
        report: SyncReport,
        cancelled: Callable[[], bool],
        retries: int,
        backoff_s: float,
        progress: Progress | None,
    ) -> None:
        self.client = client
        self.report = report
        self.cancelled = cancelled
        self.retries = retries
        self.backoff_s = backoff_s
        self.progress = progress

    def call(
        self, method: str, path: str, *, body: Any = None, params: dict[str, Any] | None = None
    ) -> Answer:
        attempt = 0
        while True:
            try:
                answer = self.client.request(method, path, body=body, params=params)
            except SyncNetworkError:
                self.report.retries += 1
                if self.cancelled():
                    raise _Cancelled from None
                if attempt >= self.retries:
                    raise
                attempt += 1
                if self.progress:
                    self.progress(SyncProgress("retry", attempt, self.retries))
                self._wait(self.backoff_s * (2 ** (attempt - 1)))
                if self.cancelled():
                    raise _Cancelled from None
                continue
            self.report.requests += 1
            self.report.bytes_sent += answer.bytes_sent
            self.report.bytes_received += answer.bytes_received
            if answer.clock_offset is not None:
                self.report.offsets.append(answer.clock_offset.total_seconds())
            return answer

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.cancelled():
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def run_sync(
    ctx: CounterContext,
    client: HubClient,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    batch: int = PUSH_BATCH,
    actor: str | None = None,
    retries: int = 3,
    backoff_s: float = 0.5,
) -> SyncReport:
    """Push, then pull. A request that fails is retried ``retries`` times (waiting
    ``backoff_s``, doubling); then the round ends with ``error`` set, and what was
    acknowledged before stays acknowledged."""
    report = SyncReport()
    started = now_vn()
    link = _Link(client, report, cancelled, retries, backoff_s, progress)
    try:
        _push(link, report, progress, cancelled, batch)
        if not report.cancelled:
            _pull(ctx, link, report, progress, cancelled)
        if not report.cancelled:
            _report_audit_head(ctx, link, report)
    except _Cancelled:
        report.cancelled = True
    except KnownError as err:
        report.error = err.message
        log.warning("sync stopped: %s", err.message)
    report.pending = int(Outbox.select().where(Outbox.acked_at.is_null()).count())
    if report.offsets:
        report.clock_offset_s = round(statistics.median(report.offsets))
    with write_transaction():
        state.put(state.LAST_SYNC, iso(started))
        state.put(state.LAST_ERROR, report.error)
        if not report.error and not report.cancelled:
            state.put(state.LAST_OK, iso(now_vn()))
        if report.clock_offset_s is not None:
            state.put(state.CLOCK_OFFSET, str(report.clock_offset_s))
        audit.record(
            actor or (ctx.operator.username if ctx.operator else SYNC_ACTOR),
            "sync.run",
            "",
            pushed=report.pushed,
            pulled=report.pulled,
            rejected=report.rejected,
            pending=report.pending,
            ok=not report.error,
        )
    return report


def _report_audit_head(ctx: CounterContext, link: _Link, report: SyncReport) -> None:
    """Tell the hub where this station's audit chain stands, answering for the row the hub
    knew last, so a history edited and re-hashed since is seen at the district."""
    known = link.call("GET", AUDIT_PATH).data.get("known_id")
    at_known = None
    if isinstance(known, int):
        at_known = {"id": known, "hash": audit.hash_at(ctx, known)}
    body = {"head": audit.chain_head(ctx).to_json(), "at_known": at_known}
    verdict = link.call("POST", AUDIT_PATH, body=body).data.get("verdict")
    report.audit_verdict = verdict if isinstance(verdict, str) else None
    if report.audit_verdict == "rewritten":
        log.warning("the hub found this station's audit chain rewritten")


def _push(
    link: _Link,
    report: SyncReport,
    progress: Progress | None,
    cancelled: Callable[[], bool],
    batch: int,
) -> None:
    total = int(Outbox.select().where(Outbox.acked_at.is_null()).count())
    done = 0
    if progress:
        progress(SyncProgress("push", 0, total))
    while True:
        if cancelled():
            report.cancelled = True
            return
        rows = list(
            Outbox.select().where(Outbox.acked_at.is_null()).order_by(Outbox.id).limit(batch)
        )
        if not rows:
            return
        items = [item_of(row) for row in rows]
        body = {"items": [item.to_json() for item in items]}
        answer = link.call("POST", PUSH_PATH, body=body)
        results = answer.data.get("results")
        if not isinstance(results, list) or [r.get("id") for r in results] != [i.id for i in items]:
            raise KnownError("Máy chủ huyện trả lời không khớp các mục đã gửi; sẽ gửi lại sau.")
        _settle(rows, results, report)
        done += len(rows)
        if progress:
            progress(SyncProgress("push", done, max(total, done)))


def _settle(rows: list[Outbox], results: list[dict[str, Any]], report: SyncReport) -> None:
    """Mark a batch acknowledged, with each refusal kept on its dossier: one transaction."""
    now = now_vn()
    accepted = [
        row.id for row, r in zip(rows, results, strict=True) if r.get("outcome") == "accepted"
    ]
    with write_transaction():
        for start in range(0, len(accepted), 500):
            Outbox.update(acked_at=now, error=None).where(
                Outbox.id.in_(accepted[start : start + 500])
            ).execute()
        report.pushed += len(accepted)
        for row, result in zip(rows, results, strict=True):
            if result.get("outcome") == "accepted":
                continue
            message = str(result.get("error") or "Huyện không nhận mục này.")
            Outbox.update(acked_at=now, error=message).where(Outbox.id == row.id).execute()
            SyncIssue.create(
                at=now,
                direction="push",
                dossier_code=row.entity_ref if row.kind.startswith("dossier.") else "",
                item_id=row.item_id,
                message=message,
            )
            report.rejected += 1


def _pull(
    ctx: CounterContext,
    link: _Link,
    report: SyncReport,
    progress: Progress | None,
    cancelled: Callable[[], bool],
) -> None:
    while True:
        if cancelled():
            report.cancelled = True
            return
        after = state.cursor()
        answer = link.call("GET", CHANGES_PATH, params={"after": after, "limit": CHANGES_PAGE})
        changes = answer.data.get("changes")
        if not isinstance(changes, list):
            raise KnownError("Máy chủ huyện trả lời thiếu danh sách thay đổi; sẽ thử lại sau.")
        for change in changes:
            if apply_change(ctx, change) not in ("already",):
                report.pulled += 1
            if progress:
                progress(SyncProgress("pull", report.pulled, None))
        if not answer.data.get("more") or not changes:
            return
