"""The counter's sync settings and sync state, kept in the ``setting`` table.

Settings: the hub's address, this station's token, an optional pinned CA file. State:
the pull cursor (written in the same transaction as the changes it covers), the last
sync, the last error and the measured clock offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from counter_app.domain.clock import iso, now_vn, parse_iso
from counter_app.errors import ValidationError
from counter_app.services import audit
from counter_app.services.context import CounterContext
from counter_app.store.db import write_transaction
from counter_app.store.models import Outbox, Setting, SyncIssue

HUB_URL = "sync.hub_url"
TOKEN = "sync.token"
CA_FILE = "sync.ca_file"
CURSOR = "sync.cursor"
LAST_SYNC = "sync.last_sync_at"
LAST_OK = "sync.last_ok_at"
LAST_ERROR = "sync.last_error"
CLOCK_OFFSET = "sync.clock_offset_s"

CLOCK_WARNING_S = 300  # DOMAIN/issue: beyond 5 minutes the clerk is warned


def get(key: str, default: str = "") -> str:
    row = Setting.get_or_none(Setting.key == key)
    return default if row is None else str(row.value)


def put(key: str, value: str) -> None:
    """Write one state value; call inside the transaction it belongs to."""
    Setting.replace(key=key, value=value).execute()


def cursor() -> int:
    return int(get(CURSOR, "0") or 0)


@dataclass(frozen=True)
class SyncConfig:
    hub_url: str
    token: str
    ca_file: str | None


def load_config() -> SyncConfig | None:
    url, token = get(HUB_URL), get(TOKEN)
    if not url or not token:
        return None
    return SyncConfig(url, token, get(CA_FILE) or None)


def configure(ctx: CounterContext, hub_url: str, token: str, ca_file: str | None) -> SyncConfig:
    """The hub settings changed by an operator: a supervisor's action (audited)."""
    from counter_app.services.accounts import require_role

    operator = require_role(ctx, "supervisor", "settings.sync", "đổi máy chủ đồng bộ")
    return save_config(hub_url, token, ca_file, actor=operator.username)


def save_config(hub_url: str, token: str, ca_file: str | None, *, actor: str) -> SyncConfig:
    """Store the hub's address and this station's token (settings screen, ``sync setup``)."""
    url = hub_url.strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ValidationError.single(
            "hub_url", f"Địa chỉ máy chủ huyện “{hub_url}” không hợp lệ (ví dụ https://…)."
        )
    if not token.strip():
        raise ValidationError.single("token", "Thiếu mã truy cập (token) do huyện cấp.")
    with write_transaction():
        put(HUB_URL, url)
        put(TOKEN, token.strip())
        put(CA_FILE, (ca_file or "").strip())
        audit.record(actor, "settings.sync", "", hub_url=url, pinned_ca=bool(ca_file))
    return SyncConfig(url, token.strip(), (ca_file or "").strip() or None)


@dataclass(frozen=True)
class SyncStatus:
    """What the status area shows."""

    configured: bool
    hub_url: str
    last_sync_at: datetime | None
    last_ok_at: datetime | None
    last_error: str
    pending: int
    rejected: int  # items the hub refused that no clerk has dismissed yet
    issues: int  # open issues, both directions
    clock_offset_s: int | None

    @property
    def clock_warning(self) -> bool:
        return self.clock_offset_s is not None and abs(self.clock_offset_s) > CLOCK_WARNING_S

    def to_json(self) -> dict[str, Any]:
        return {
            "configured": self.configured,
            "hub_url": self.hub_url,
            "last_sync_at": iso(self.last_sync_at) if self.last_sync_at else None,
            "last_ok_at": iso(self.last_ok_at) if self.last_ok_at else None,
            "last_error": self.last_error or None,
            "pending": self.pending,
            "rejected": self.rejected,
            "issues": self.issues,
            "clock_offset_s": self.clock_offset_s,
            "clock_warning": self.clock_warning,
        }


def _moment(key: str) -> datetime | None:
    text = get(key)
    return parse_iso(text) if text else None


def sync_status() -> SyncStatus:
    offset = get(CLOCK_OFFSET)
    return SyncStatus(
        configured=load_config() is not None,
        hub_url=get(HUB_URL),
        last_sync_at=_moment(LAST_SYNC),
        last_ok_at=_moment(LAST_OK),
        last_error=get(LAST_ERROR),
        pending=int(Outbox.select().where(Outbox.acked_at.is_null()).count()),
        rejected=int(
            SyncIssue.select()
            .where((SyncIssue.direction == "push") & SyncIssue.dismissed_at.is_null())
            .count()
        ),
        issues=int(SyncIssue.select().where(SyncIssue.dismissed_at.is_null()).count()),
        clock_offset_s=int(offset) if offset else None,
    )


def _issue_json(row: SyncIssue) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": iso(row.at),
        "direction": row.direction,
        "dossier_code": row.dossier_code,
        "message": row.message,
        "dismissed": row.dismissed_at is not None,
    }


def issues_for(code: str) -> list[dict[str, Any]]:
    """What went wrong syncing this dossier (shown in its window, dismissed or not: a
    refused intake never reached the district, whoever has seen the message)."""
    return [
        _issue_json(row)
        for row in SyncIssue.select().where(SyncIssue.dossier_code == code).order_by(SyncIssue.id)
    ]


def recent_issues(limit: int = 200) -> list[dict[str, Any]]:
    """The open issues, newest first (the sync window's list)."""
    rows = (
        SyncIssue.select()
        .where(SyncIssue.dismissed_at.is_null())
        .order_by(SyncIssue.id.desc())
        .limit(limit)
    )
    return [_issue_json(row) for row in rows]


def dismiss_issues(ids: list[int], *, actor: str) -> int:
    """A clerk has seen these issues (and settled them with the district): they leave the
    open list and the status bar; the dossier keeps them. One transaction, audited."""
    if not ids:
        return 0
    with write_transaction():
        count = int(
            SyncIssue.update(dismissed_at=now_vn(), dismissed_by=actor)
            .where(SyncIssue.id.in_(ids) & SyncIssue.dismissed_at.is_null())
            .execute()
        )
        audit.record(actor, "sync.issues_dismissed", "", count=count)
    return count
