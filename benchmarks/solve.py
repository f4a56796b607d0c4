"""How fast the solver plans: p50/p95 solve time and status counts over the sample profiles and
over generated athletes (the batch benchmark's seed-2024 roster, which the tests never see), and
the exhaustive search on the reduced oracle instances for comparison.

    python benchmarks/solve.py [--repeat 3] [--samples N] [--generated 50] [--oracle 6]

Prints figures only (targets on a 2-core machine: p50 ≤ 50 ms, p95 ≤ 200 ms, every status
OPTIMAL). Timings on a shared machine are noisy: run it when the machine is quiet.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's planner and benchmarks, not an installed copy

import tempfile  # noqa: E402

from benchmarks.athletes import oracle_profile, write_roster  # noqa: E402
from benchmarks.oracle import PARAMS, enumerate_best  # noqa: E402
from planner.jobs.planning import solve  # noqa: E402
from planner.jobs.roster import read_roster  # noqa: E402
from planner.model.profile import Profile, load_profile, parse_profile  # noqa: E402
from planner.solve.solver import Pins, SolverParams, solve_core  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def generated_athletes(n: int) -> list[Profile]:
    """The first ``n`` athletes of the batch benchmark's roster (seed 2024)."""
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        write_roster(roster, n)
        return [parse_profile(e.data, e.source) for e in read_roster([roster]) if e.data]


def measure(label: str, profiles: list[Profile], repeat: int) -> None:
    core_ms, full_ms, statuses = [], [], Counter()
    for profile in profiles:
        for _ in range(repeat):
            t0 = time.perf_counter()
            solve_core(profile, profile.horizon_weeks, SolverParams(), Pins())
            core_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            plan = solve(profile)
            full_ms.append((time.perf_counter() - t0) * 1000)
            statuses[plan.solver.status if plan.solver else "NONE"] += 1
    print(f"{label}: {len(profiles)} × {repeat} solves")
    print(f"  solve (week + calories):          p50 {percentile(core_ms, .5):7.1f} ms   "
          f"p95 {percentile(core_ms, .95):7.1f} ms   max {max(core_ms):7.1f} ms")
    print(f"  plan (+ re-score, explanation, earliest week when unreached):"
          f" p50 {percentile(full_ms, .5):7.1f} ms   p95 {percentile(full_ms, .95):7.1f} ms")
    print(f"  statuses: {dict(statuses)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="solves per profile")
    parser.add_argument("--generated", type=int, default=50,
                        help="generated athletes (seed-2024 roster) to solve too")
    parser.add_argument("--oracle", type=int, default=6, help="reduced instances to enumerate")
    parser.add_argument("--samples", type=int, default=None,
                        help="only the first N sample profiles [default: all]")
    args = parser.parse_args()

    samples = [load_profile(p) for p in sorted((ROOT / "sample_profiles").glob("*.yaml"))]
    samples = samples[:args.samples] if args.samples is not None else samples
    measure("sample profiles", samples, args.repeat)
    if args.generated:
        measure("generated athletes", generated_athletes(args.generated), args.repeat)

    if args.oracle:
        solver_ms, search_ms = [], []
        for seed in range(args.oracle):
            profile = oracle_profile(seed)
            t0 = time.perf_counter()
            enumerate_best(profile)
            search_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            solve_core(profile, profile.horizon_weeks, PARAMS, Pins())
            solver_ms.append((time.perf_counter() - t0) * 1000)
        print(f"reduced oracle instances: {args.oracle}")
        print(f"  exhaustive search: median {statistics.median(search_ms):8.1f} ms")
        print(f"  solver:            median {statistics.median(solver_ms):8.1f} ms")


if __name__ == "__main__":
    main()
