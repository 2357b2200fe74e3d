"""Power-cut campaign: the counter runs on a VFS that keeps unsynced writes in memory
(``tests.support.powercut_vfs``), and each cut throws them away, as a power failure does.

Cuts come three ways: SIGKILL from outside at a random moment (as in the crash campaign),
the worker cutting its own power at a seeded file operation (reproducible: inside a WAL
append, between a commit's write and its sync, halfway through a checkpoint's sync), and
either of those with some unsynced writes already on disk ("leak": the OS flushed some
dirty pages early, in any order). With the app's ``synchronous=FULL`` no dossier it
acknowledged may be lost and nothing may be half-written (the same checks as the crash
campaign, after every cut).

The control runs the same worker with ``synchronous=OFF`` and ``NORMAL``: it must lose
acknowledged dossiers, or the simulator proves nothing.

``COUNTER_APP_POWERCUT_CUTS`` sets the number of cuts (default: a short run for CI);
``COUNTER_APP_CAMPAIGN_SEED`` and ``COUNTER_APP_CAMPAIGN_REPORT`` as in the crash campaign.
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from random import Random

import pytest

from counter_app.domain.clock import VN_TZ
from tests.support.intake_worker import (
    REPO,
    SETTING_UP,
    KillPlan,
    RoundSpec,
    Totals,
    campaign_clock,
    env_int,
    finish_cleanly,
    random_kill,
    report,
    run_campaign,
    worker_command,
    worker_env,
)
from tests.support.powercut_vfs import BLOCK, Overlay

SEED = env_int("COUNTER_APP_CAMPAIGN_SEED", 20261125)
CUTS = env_int("COUNTER_APP_POWERCUT_CUTS", 40)
START = datetime(2026, 3, 2, 7, 40, tzinfo=VN_TZ)  # a Monday
POWERCUT = ("--vfs", "powercut")
# About 80 file operations per intake (WAL appends, one sync), a few more on opening.
OPS_PER_INTAKE = 80
LEAK = "0.3"


def plan_cut(rng: Random) -> RoundSpec:
    seed = rng.randrange(2**31)
    options = [*POWERCUT]
    if rng.random() < 0.25:
        options += ["--leak", LEAK]
    if rng.random() < 0.4:  # checkpoints every few intakes, so cuts fall inside them too
        options += ["--autocheckpoint", str(rng.choice((10, 40, 150)))]
    if rng.random() < 0.4:
        return RoundSpec(seed, tuple(options), random_kill(rng))
    intakes = rng.choice((0, 1, 2, 3, 5, 8, 13, 21))
    cut_at = rng.randint(1, OPS_PER_INTAKE * (intakes + 1))
    return RoundSpec(seed, (*options, "--cut-at", str(cut_at)), None)


@pytest.mark.slow
def test_no_acknowledged_dossier_is_lost_to_a_power_cut(tmp_path: Path) -> None:
    rng = Random(SEED)
    specs = [plan_cut(rng) for _ in range(CUTS)]
    specs[0] = RoundSpec(specs[0].seed, POWERCUT, SETTING_UP)
    home = tmp_path / "home"
    totals = Totals("powercut", SEED)
    totals.notes = {
        "self_cuts": sum(spec.plan is None for spec in specs),
        "with_leak": sum("--leak" in spec.options for spec in specs),
        "frequent_checkpoints": sum("--autocheckpoint" in spec.options for spec in specs),
    }
    try:
        ledger = run_campaign(home, specs, totals, start=START, log=tmp_path / "worker.log")
        finish_cleanly(home, POWERCUT, ledger, start=campaign_clock(START, CUTS))
    finally:
        report(totals)

    assert totals.kills == CUTS
    assert totals.lost == 0
    assert totals.found == totals.acknowledged > CUTS


@pytest.mark.parametrize("synchronous", ["off", "normal"])
def test_control_without_syncs_loses_acknowledged_dossiers(
    tmp_path: Path, synchronous: str
) -> None:
    """The same worker, VFS and cuts, with the syncs SQLite skips at OFF (every one) or
    NORMAL (a commit's): acknowledged dossiers are lost. The store stays consistent (no
    leak here: nothing unsynced reaches the disk), only the acknowledgements lie."""
    home = tmp_path / "home"
    setup = subprocess.run(
        worker_command(home, *POWERCUT, "--count", "0"),
        cwd=REPO,
        env=worker_env(START),
        capture_output=True,
        timeout=120,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    rng = Random(SEED)
    specs = [
        RoundSpec(
            rng.randrange(2**31),
            (*POWERCUT, "--synchronous", synchronous),
            KillPlan(saves=6, fraction=0.0),
        )
        for _ in range(3)
    ]
    totals = Totals(f"powercut-control-{synchronous}", SEED)
    try:
        run_campaign(home, specs, totals, start=START, log=tmp_path / "worker.log", allow_loss=True)
    finally:
        report(totals)

    assert totals.acknowledged >= 18
    assert totals.lost > 0, "the power-cut simulator lost nothing: it does not simulate"


def test_the_overlay_behaves_as_the_file_and_reaches_it_only_on_sync(tmp_path: Path) -> None:
    """Random writes (past the end too), truncations and extensions, reads anywhere: the
    overlay reads back exactly what a plain file would hold, reports its size, leaves the
    real file as it was until the sync, and then writes exactly that."""
    rng = Random(SEED)
    path = tmp_path / "file"
    path.write_bytes(rng.randbytes(3 * BLOCK + 100))
    model = bytearray(path.read_bytes())
    on_disk = bytes(model)
    file = Overlay(str(path))
    try:
        for step in range(1, 1501):
            choice = rng.random()
            if choice < 0.5:
                offset = rng.randrange(len(model) + 2 * BLOCK)
                data = rng.randbytes(rng.randrange(1, 2 * BLOCK + 50))
                file.write(memoryview(data), offset)
                model.extend(bytes(max(0, offset - len(model))))
                model[offset : offset + len(data)] = data
            elif choice < 0.65:
                size = rng.randrange(len(model) + BLOCK)
                file.truncate(size)
                del model[size:]
                model.extend(bytes(size - len(model)))
            else:
                offset = rng.randrange(len(model) + BLOCK)
                amount = rng.randrange(1, 3 * BLOCK)
                assert file.read(amount, offset) == bytes(model[offset : offset + amount])
            assert file.size == len(model)
            if step % 100 == 0:
                assert path.read_bytes() == on_disk  # nothing reached the file before the sync
                file.write_out()
                on_disk = bytes(model)
                assert path.read_bytes() == on_disk
    finally:
        file.close()
