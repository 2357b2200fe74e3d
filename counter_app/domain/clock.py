"""Vietnam time. Every moment the product records or prints is in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Tests (and training sessions) start the clock at a chosen moment: the suite's dates then
# stay inside the limits that are relative to "now" (e.g. 90 days of back-dating) for
# ever. The clock still runs from there, so the order of events is kept.
TEST_NOW_ENV = "COUNTER_APP_TEST_NOW"
_anchor: tuple[str, datetime, float] | None = None


def now_vn() -> datetime:
    """The current moment, aware, in Vietnam time."""
    fake = os.environ.get(TEST_NOW_ENV)
    if not fake:
        return datetime.now(VN_TZ)
    global _anchor
    if _anchor is None or _anchor[0] != fake:
        _anchor = (fake, parse_iso(fake), time.monotonic())
    return _anchor[1] + timedelta(seconds=time.monotonic() - _anchor[2])


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
