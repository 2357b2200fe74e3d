"""SIGKILL campaign: a counter doing intakes is killed at random moments, again and again.

After every kill the database on disk must hold every dossier the worker reported as
saved, exactly as reported (fingerprint), every dossier whole (documents, first status,
outbox row, audit row, search index row), day codes and register numbers without gaps or
repeats, the audit hash chain unbroken, and pass ``PRAGMA integrity_check``. The next
round restarts on the same data and first sends again the request the kill interrupted:
a dossier that had committed comes back, never a second one.

``COUNTER_APP_CRASH_KILLS`` sets the number of kills (default: a short run for CI);
``COUNTER_APP_CAMPAIGN_SEED`` the seed (the plan of kills and every applicant follow from
it); ``COUNTER_APP_CAMPAIGN_REPORT`` a JSON file that receives the totals. The README
describes the long run (hundreds of kills).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from random import Random

import pytest

from counter_app.domain.clock import VN_TZ
from tests.support.intake_worker import (
    SETTING_UP,
    RoundSpec,
    Totals,
    campaign_clock,
    env_int,
    finish_cleanly,
    random_kill,
    report,
    run_campaign,
)

SEED = env_int("COUNTER_APP_CAMPAIGN_SEED", 20261125)
KILLS = env_int("COUNTER_APP_CRASH_KILLS", 60)
START = datetime(2026, 1, 5, 7, 40, tzinfo=VN_TZ)  # a Monday


def plan_round(rng: Random) -> RoundSpec:
    seed = rng.randrange(2**31)
    options: tuple[str, ...] = ()
    if rng.random() < 0.3:  # checkpoints every few intakes, so kills fall inside them too
        options = ("--autocheckpoint", str(rng.choice((10, 40, 150))))
    return RoundSpec(seed, options, random_kill(rng))


@pytest.mark.slow
def test_every_intake_reported_saved_survives_sigkill(tmp_path: Path) -> None:
    rng = Random(SEED)
    specs = [plan_round(rng) for _ in range(KILLS)]
    specs[0] = RoundSpec(specs[0].seed, specs[0].options, SETTING_UP)
    home = tmp_path / "home"
    totals = Totals("crash", SEED)
    try:
        ledger = run_campaign(home, specs, totals, start=START, log=tmp_path / "worker.log")
        finish_cleanly(home, (), ledger, start=campaign_clock(START, KILLS))
    finally:
        report(totals)

    assert totals.kills == KILLS
    assert totals.lost == 0
    assert totals.found == totals.acknowledged > KILLS  # the campaign did real work
