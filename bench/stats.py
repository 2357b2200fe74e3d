"""Timing helpers: medians and percentiles, printed beside a baseline from the same run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    name: str
    seconds: list[float]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


def measure(name: str, func: Callable[[], object], *, runs: int, warmup: int = 3) -> Sample:
    for _ in range(warmup):
        func()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        seconds.append(time.perf_counter() - start)
    return Sample(name, seconds)


def report(title: str, subject: Sample, baseline: Sample, target: str) -> dict[str, object]:
    ratio = subject.p50_ms / baseline.p50_ms if baseline.p50_ms else float("inf")
    print(f"\n== {title}")
    print(f"   {subject.name:<48} p50 {subject.p50_ms:8.2f} ms   p95 {subject.p95_ms:8.2f} ms")
    print(f"   {baseline.name:<48} p50 {baseline.p50_ms:8.2f} ms   p95 {baseline.p95_ms:8.2f} ms")
    print(f"   ratio (p50) {ratio:5.2f}x    target: {target}")
    return {
        "title": title,
        "subject_p50_ms": round(subject.p50_ms, 3),
        "subject_p95_ms": round(subject.p95_ms, 3),
        "baseline_p50_ms": round(baseline.p50_ms, 3),
        "ratio": round(ratio, 3),
        "target": target,
    }
