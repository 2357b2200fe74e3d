"""Garbage collection around start-up.

Start-up creates a few hundred thousand objects that live as long as the process (modules,
classes, Qt wrappers). Collecting while they are made, and scanning them again in every
full collection and at exit, is wasted work: about 40 ms of start-up and exit
(bench/bench_startup.py). ``counter-app`` pauses collection before it imports Qt; once the
window is up, everything alive is moved out of the collector's sight (``gc.freeze``) and
collection resumes.
"""

from __future__ import annotations

import gc


def settle_after_startup() -> None:
    """Freeze what start-up built and resume collection, if start-up paused it.

    A process that did not pause (the test suite) is left as it is: freezing there would
    keep every test's garbage alive.
    """
    if gc.isenabled():
        return
    gc.freeze()
    gc.enable()
