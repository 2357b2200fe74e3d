"""Counters ready for work, for tests and test worker processes: set up as station N of
UBND xã An Hòa, with an admin, a supervisor and a clerk, and the supervisor signed in."""

from __future__ import annotations

import os
from pathlib import Path

from counter_app.services.accounts import create_operator, has_operators, sign_in
from counter_app.services.context import CounterContext, open_counter
from counter_app.services.settings import first_run

AGENCY_CODE = "000.00.17.H26"
# The accounts every test counter has; they share one password.
PASSWORD = "mat-khau-thu-2026"
ADMIN = "quantri"
SUPERVISOR = "mai"
CLERK = "lan"
CLERK_FULL_NAME = "Trần Thị Mai"  # the supervisor, who receives dossiers in most tests
JUNIOR_FULL_NAME = "Nguyễn Thị Lan"


def set_up_counter(
    ctx: CounterContext,
    *,
    station: int = 1,
    agency_code: str = AGENCY_CODE,
    full_name: str = CLERK_FULL_NAME,
) -> CounterContext:
    """First-run set-up of an opened counter, then the supervisor signs in."""
    first_run(
        ctx,
        agency_code=agency_code,
        agency_name="UBND xã An Hòa",
        place_name="An Hòa",
        station=station,
        admin_username=ADMIN,
        admin_full_name="Quản trị viên",
        admin_password=PASSWORD,
    )
    create_operator(ctx, SUPERVISOR, full_name, "supervisor", PASSWORD)
    create_operator(ctx, CLERK, JUNIOR_FULL_NAME, "clerk", PASSWORD)
    sign_in(ctx, SUPERVISOR, PASSWORD)
    return ctx


def sign_in_as(ctx: CounterContext, username: str = SUPERVISOR) -> CounterContext:
    sign_in(ctx, username, PASSWORD)
    return ctx


def ready_counter(
    home: str | os.PathLike[str] | Path, *, station: int = 1, **engine: object
) -> CounterContext:
    """Open the counter in ``home`` (setting it up the first time) with the supervisor
    signed in."""
    ctx = open_counter(home, **engine)
    if has_operators(ctx):
        return sign_in_as(ctx)
    return set_up_counter(ctx, station=station)


def act_as(ctx: CounterContext, full_name: str, role: str = "supervisor") -> CounterContext:
    """Sign in as the operator called ``full_name`` (created by the admin the first time):
    for tests where several clerks receive dossiers."""
    from counter_app.domain.text import fold
    from counter_app.services.accounts import list_operators

    known = {p.full_name: p.username for p in list_operators(ctx)}
    if full_name not in known:
        sign_in(ctx, ADMIN, PASSWORD)
        username = ".".join(fold(full_name).split())[:32]
        create_operator(ctx, username, full_name, role, PASSWORD)
        known[full_name] = username
    sign_in(ctx, known[full_name], PASSWORD)
    return ctx
