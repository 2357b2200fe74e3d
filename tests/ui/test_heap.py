"""Start-up pauses the garbage collector; once the window is up collection must run again."""

from __future__ import annotations

import gc

from ui.heap import settle_after_startup


def test_a_paused_collector_is_resumed_with_start_up_objects_frozen() -> None:
    gc.disable()
    try:
        settle_after_startup()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_running_collector_is_left_alone() -> None:
    before = gc.get_freeze_count()
    settle_after_startup()
    assert gc.isenabled()
    assert gc.get_freeze_count() == before
