"""Speed of what-ifs and sweeps (issue 6): a 5-scenario what-if and 20-point sweeps.

Run: python benchmarks/whatif.py [PROFILE] [--repeat N]
Prints the median wall time of each over N runs (default 3). The machine's other load counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure this checkout, not an installed copy

from planner.jobs.planning import solve  # noqa: E402
from planner.jobs.seek import SEEK_PARAMS, parse_sweep, rescore, seek_profile, sweep  # noqa: E402
from planner.jobs.whatif import parse_scenarios, whatif  # noqa: E402
from planner.model.profile import load_profile  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "sample_profiles" / "dana_reyes.yaml"
SCENARIOS = ["more food: calories=+200", "no weekend: availability.sat=0, availability.sun=0",
             "no sprints: exclude=sprints", "3 squats: squats_lunges=3", "16 weeks: horizon_weeks=16"]


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile", nargs="?", default=str(SAMPLE))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    profile = load_profile(args.profile)
    specs = parse_scenarios(SCENARIOS, [], profile)
    print(f"profile {profile.name}; {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.2f}; median of {args.repeat}")
    one = median_time(lambda: solve(profile), args.repeat)
    print(f"  one plan (legplan plan)                      {one:6.2f} s")
    wi = median_time(lambda: whatif(profile, specs), args.repeat)
    print(f"  what-if, baseline + 5 scenarios              {wi:6.2f} s")
    wi1 = median_time(lambda: whatif(profile, specs, jobs=1), args.repeat)
    print(f"  what-if, same, one thread                    {wi1:6.2f} s")
    sp = seek_profile(profile, 1.0)
    plan = solve(sp, SEEK_PARAMS)
    cal = parse_sweep("calories=1900..2850:50")  # 20 points
    t_cal = median_time(lambda: sweep(sp, plan, cal), args.repeat)
    print(f"  calorie sweep, 20 points (week fixed)        {t_cal:6.3f} s")
    one_point = median_time(lambda: rescore(sp, plan, 2300), args.repeat)
    print(f"  one calorie point, full re-score             {one_point * 1000:6.1f} ms")
    kinds = parse_sweep("squats_lunges=0..4")
    t_kind = median_time(lambda: sweep(sp, plan, kinds), args.repeat)
    print(f"  squats_lunges sweep, 5 counts (re-solved)    {t_kind:6.2f} s")


if __name__ == "__main__":
    main()
