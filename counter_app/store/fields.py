"""Column types peewee lacks: Vietnam-time moments and JSON text."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from peewee import TextField

from counter_app.domain.clock import iso, parse_iso


class MomentField(TextField):
    """An aware moment stored as ISO 8601 text with the +07:00 offset.

    One fixed offset for every row keeps text order equal to time order, so indexes and
    ``ORDER BY`` work on the column as it is.
    """

    def db_value(self, value: datetime | None) -> str | None:
        return None if value is None else iso(value)

    def python_value(self, value: str | None) -> datetime | None:
        return None if value is None else parse_iso(value)


class DayField(TextField):
    """A calendar date stored as YYYY-MM-DD."""

    def db_value(self, value: date | None) -> str | None:
        return None if value is None else value.isoformat()

    def python_value(self, value: str | None) -> date | None:
        return None if value is None else date.fromisoformat(value)


class JsonField(TextField):
    def db_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)
