"""How fast calibration and bands are: one fit of 12 weeks of daily data, and the bands' cost per
plan.

Run: ``python benchmarks/calibrate.py``. Prints figures only (no assertions, no thresholds);
targets: calibrate ≤ 1 s for 12 weeks of daily weights (and weekly thigh measures), bands ≤ 20 ms
added to a plan.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure this checkout, not an installed copy

from benchmarks.synthetic_log import bulker, synthetic_log  # noqa: E402
from benchmarks.whatif import median_time  # noqa: E402
from planner.jobs.calibrate import calibrate  # noqa: E402
from planner.jobs.planning import solve  # noqa: E402
from planner.model.profile import load_profile  # noqa: E402
from planner.science import bands, calibration, effect  # noqa: E402

SAMPLES = ROOT / "sample_profiles"
REPEAT = 5
BAND_RUNS = 50


def main() -> None:
    profile, plan = bulker()
    log = synthetic_log(profile, plan, -150.0, 1.3, 84, thigh_every=7, seed=1)
    fit = median_time(lambda: calibration.fit(profile, plan, log), REPEAT)
    print(f"calibrate fit, 12 weeks of daily weights + 13 thigh measures: {fit * 1000:.0f} ms "
          f"(median of {REPEAT}; target ≤ 1000 ms)")
    whole = median_time(lambda: calibrate(profile, log, plan), 3)
    print(f"calibrate job (fit + the plan solved before and after): {whole * 1000:.0f} ms")
    overheads = []
    for path in sorted(SAMPLES.glob("*.yaml")):
        athlete = load_profile(path)
        plan = solve(athlete)  # the block, as every plan is
        load = effect.plan_load(athlete, [s for d in plan.days for s in d.sessions])
        overheads.append(median_time(lambda: bands.projection_band(
            athlete, bands.week_inputs(athlete, plan.weeks or []), load, plan.projection),
            BAND_RUNS))
    print(f"bands per plan ({len(overheads)} sample athletes, their horizons): median "
          f"{statistics.median(overheads) * 1000:.1f} ms, worst {max(overheads) * 1000:.1f} ms "
          f"(target ≤ 20 ms)")


if __name__ == "__main__":
    main()
