"""First-time content of a new database: the shipped catalogue and yearly calendars."""

from __future__ import annotations

import json
import logging

from counter_app.domain.calendar import shipped_year_calendars
from counter_app.domain.catalogue import parse_catalogue
from counter_app.resources import resource_path
from counter_app.services.calendars import reset_cache, store_year
from counter_app.services.catalogue import apply_specs
from counter_app.services.context import CounterContext
from counter_app.store.db import write_transaction
from counter_app.store.models import CalendarYear, Procedure

log = logging.getLogger(__name__)


def seed_if_empty(ctx: CounterContext) -> bool:
    """Load the shipped seed into an empty database, in one transaction. True if it did."""
    need_catalogue = not Procedure.select().exists()
    known_years = {row.year for row in CalendarYear.select(CalendarYear.year)}
    new_years = [y for n, y in sorted(shipped_year_calendars().items()) if n not in known_years]
    if not need_catalogue and not new_years:
        return False
    with write_transaction():
        if need_catalogue:
            seed = json.loads(resource_path("catalogue", "seed.json").read_text("utf-8"))
            summary = apply_specs(parse_catalogue(seed))
            log.info("catalogue seeded: %s", summary)
        for year in new_years:
            store_year(year, "shipped")
    reset_cache()
    return True
