"""A counter ready for work, for tests and test worker processes: set up as station N of
UBND xã An Hòa, with an operator signed in."""

from __future__ import annotations

import os
from pathlib import Path

from counter_app.services.context import CounterContext, open_counter
from counter_app.services.settings import load_settings, save_settings

AGENCY_CODE = "000.00.17.H26"
CLERK_FULL_NAME = "Trần Thị Mai"


def ready_counter(
    home: str | os.PathLike[str] | Path, *, station: int = 1, **engine: object
) -> CounterContext:
    """Open (creating and setting up if needed) the counter in ``home``."""
    ctx = open_counter(home, **engine)
    if load_settings(ctx) is not None:
        return ctx
    save_settings(
        ctx,
        agency_code=AGENCY_CODE,
        agency_name="UBND xã An Hòa",
        place_name="An Hòa",
        station=station,
        clerk_name=CLERK_FULL_NAME,
    )
    return ctx
