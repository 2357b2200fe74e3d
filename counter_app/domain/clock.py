"""Vietnam time. Every moment the product records or prints is in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now_vn() -> datetime:
    """The current moment, aware, in Vietnam time."""
    return datetime.now(VN_TZ)


def to_vn(moment: datetime) -> datetime:
    """An aware moment converted to Vietnam time; a naive one is taken as Vietnam time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def iso(moment: datetime) -> str:
    """ISO 8601 with the +07:00 offset, to the second."""
    return to_vn(moment).replace(microsecond=0).isoformat()


def parse_iso(text: str) -> datetime:
    """Parse ISO 8601; a value without offset is Vietnam time. Raises ValueError."""
    return to_vn(datetime.fromisoformat(text.strip()))
