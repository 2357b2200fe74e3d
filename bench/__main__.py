"""Run every benchmark: ``python -m bench`` (add ``--quick`` for fewer runs)."""

from __future__ import annotations

import json
import sys

from bench import (
    bench_intake,
    bench_receipt,
    bench_report,
    bench_search,
    bench_startup,
    bench_sync,
)


def main() -> None:
    quick = "--quick" in sys.argv
    results = [
        bench_intake.run(dossiers=20_000 if quick else 100_000, runs=100 if quick else 300),
        bench_receipt.run(runs=50 if quick else 200),
        bench_report.run(runs=5 if quick else 20),
        bench_startup.run(runs=3 if quick else 10),
        bench_search.run(dossiers=100_000 if quick else 1_000_000, rounds=5 if quick else 20),
        *bench_sync.run(count=2_000 if quick else 10_000, per_station=200 if quick else 1_000),
    ]
    print("\n" + json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
