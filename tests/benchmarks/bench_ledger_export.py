"""How long the project ledger export takes and how much memory it holds, against bare openpyxl
write-only mode writing the same rows of values.

A report, not a test: it prints a table and one JSON line and always exits 0. Both sides get the
same synthetic rows, shaped exactly like the ledger query's ``.values()`` rows, and write a real
xlsx to a temporary file. The database side is not measured here: its query count is fixed and
asserted in tests/reports (5 and 50 projects, same count) and its rows arrive in chunks.

Time comes from one interleaved pass (see ``paired``); memory is tracemalloc's peak for each side
on its own, in parallel worker processes because tracing makes Python several times slower.

    cd /work/main && DJANGO_SETTINGS_MODULE=renovation.settings.test \
        .venv/bin/python tests/benchmarks/bench_ledger_export.py [--sizes 10000,100000] [--runs 1]

Aims: at most 1.5× bare openpyxl's time; peak memory flat from 10,000 to 100,000 rows.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Run as a script, Python puts this folder on the path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renovation.settings.test")

import django

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.utils import translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from renovation.reports.exports import ProjectFilters, project_ledger_queryset  # noqa: E402
from renovation.reports.sheets import write_project_ledger  # noqa: E402

TIME_AIM = 1.5
STATUSES = ("approved", "tendering", "under_construction", "accepted")


def ledger_keys() -> list[str]:
    """The keys of a real ledger row, read from the query (not run: no database needed)."""
    query = project_ledger_queryset(AnonymousUser(), ProjectFilters()).query
    return [*query.values_select, *query.annotation_select]


def synthetic_rows(count: int) -> Iterator[dict[str, Any]]:
    """Ledger rows as the database hands them over: Decimals, dates, codes, some gaps."""
    start = date(2026, 3, 1)
    for n in range(count):
        planned = start + timedelta(days=n % 200)
        yield {
            "code": f"RA-2026-{n:06d}",
            "name": f"幸福小区{n}号改造",
            "plan_year": 2026,
            "status": STATUSES[n % 4],
            "budget_central": Decimal("500000.00") + n,
            "budget_provincial": Decimal("120000.00"),
            "budget_city": Decimal("300000.50"),
            "budget_resident": Decimal("0.00"),
            "budget_other": Decimal("15000.00"),
            "progress": Decimal(n % 10001) / 100,
            "planned_start": planned,
            "planned_end": planned + timedelta(days=270),
            "actual_start": planned + timedelta(days=14) if n % 3 else None,
            "actual_end": None,
            "construction_unit": "瑞安市建筑工程有限公司",
            "supervising_engineer": "温州建设监理有限公司",
            "budget_total": Decimal("935000.50") + n,
            "contract_amount": Decimal("880000.00") + n,
            "paid": Decimal("264000.00") + n % 1000,
            "issues_reported": n % 7,
            "issues_open": n % 3,
            "issues_overdue": n % 2,
            "street": ("安阳街道", "玉海街道", "锦湖街道")[n % 3],
            "community": f"社区{n % 40}",
            "neighbourhood_name": f"幸福小区{n}号",
            "built_year": 1980 + n % 20,
            "building_count": 6 + n % 10,
            "household_count": 120 + n % 400,
            "floor_area": Decimal("15000.00") + n % 5000,
            "management_type": "community",
        }


def ours(count: int) -> None:
    with tempfile.TemporaryFile() as target:
        write_project_ledger(target, synthetic_rows(count), filters="计划年度：2026")


def bare(count: int) -> None:
    """What anyone would write first: append each row's values, save."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("ledger")
    for row in synthetic_rows(count):
        sheet.append(list(row.values()))
    with tempfile.TemporaryFile() as target:
        book.save(target)


CONTENDERS: dict[str, Callable[[int], None]] = {"ledger export": ours, "bare openpyxl": bare}


def paired(count: int) -> dict[str, float]:
    """Seconds for each side, from one pass in which every row goes to bare openpyxl and then on
    to the real export: load on the machine, CPU clock changes and the like hit both alike."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("ledger")
    spent = 0.0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal spent
        for row in synthetic_rows(count):
            started = time.perf_counter()
            sheet.append(list(row.values()))
            spent += time.perf_counter() - started
            yield row

    gc.collect()
    with tempfile.TemporaryFile() as ours_file, tempfile.TemporaryFile() as bare_file:
        started = time.perf_counter()
        write_project_ledger(ours_file, rows(), filters="计划年度：2026")
        total = time.perf_counter() - started
        started = time.perf_counter()
        book.save(bare_file)
        saved = time.perf_counter() - started
    return {"ledger export": total - spent, "bare openpyxl": spent + saved}


def peak_memory(side: str, count: int) -> int:
    """Peak bytes Python allocated while one side wrote ``count`` rows on its own."""
    translation.activate("zh-hans")
    gc.collect()
    tracemalloc.start()
    try:
        CONTENDERS[side](count)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def memory_table(sizes: list[int]) -> dict[tuple[str, int], int]:
    """Each side and size in a worker of its own: tracing slows Python several times over, and
    memory, unlike time, does not mind the workers running side by side."""
    jobs = [(side, size) for size in sizes for side in CONTENDERS]
    context = multiprocessing.get_context("fork")  # workers inherit the set-up Django
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=context) as pool:
        peaks = list(pool.map(peak_memory, *zip(*jobs, strict=True)))
    return dict(zip(jobs, peaks, strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="row counts, comma-separated")
    parser.add_argument("--runs", type=int, default=1, help="timed runs per size (default 1)")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    runs = max(1, arguments.runs)

    # The exported columns: the query's, less the key used to add the construction units per chunk
    # (from the contracts), plus those units.
    keys = [*(key for key in ledger_keys() if key != "pk"), "construction_unit"]
    drift = set(keys) ^ set(next(synthetic_rows(1)))
    if drift:
        print(f"the synthetic rows no longer match the ledger query: {sorted(drift)}")
        return 0

    translation.activate("zh-hans")
    paired(200)  # warm-up: imports, style tables, first allocations
    print(f"{len(keys)} columns; {runs} interleaved timed run(s) per size, then one traced run per side and size")
    timings = {size: [paired(size) for _ in range(runs)] for size in sizes}
    peaks = memory_table(sizes)

    report: dict[str, Any] = {"benchmark": "ledger_export", "columns": len(keys), "runs": runs, "sizes": {}}
    print(f"{'rows':>8} {'side':<14}{'median s':>10}{'peak MiB':>10}")
    for size in sizes:
        entry: dict[str, Any] = {}
        for side in CONTENDERS:
            median = statistics.median(run[side] for run in timings[size])
            peak = peaks[(side, size)] / 2**20
            entry[side] = {"median_s": round(median, 2), "peak_mib": round(peak, 2)}
            print(f"{size:>8} {side:<14}{median:10.2f}{peak:10.2f}")
        ratio = statistics.median(run["ledger export"] / run["bare openpyxl"] for run in timings[size])
        entry["ratio_time"] = round(ratio, 2)
        print(f"{size:>8} {'ratio':<14}{ratio:10.2f}{'':10}   (aim <= {TIME_AIM})")
        report["sizes"][str(size)] = entry

    smallest, largest = str(min(sizes)), str(max(sizes))
    if smallest != largest:
        for side in CONTENDERS:
            growth = report["sizes"][largest][side]["peak_mib"] / report["sizes"][smallest][side]["peak_mib"]
            report.setdefault("memory_growth", {})[side] = round(growth, 2)
            print(f"peak memory, {side}: {largest} rows against {smallest}: ×{growth:.2f}   (aim: flat, ×1)")
    report["ratio_time"] = report["sizes"][largest]["ratio_time"]
    report["aim"] = {"ratio_time": TIME_AIM, "memory_growth": 1.0}
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
