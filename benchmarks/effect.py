"""How fast the effect model is: one 12-week projection, and plans scored per second.

Run: ``python benchmarks/effect.py``. Prints figures only (no assertions, no thresholds); the
target for one 12-week projection is under 1 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure this checkout, not an installed copy

from planner.model.plan import PlanInput  # noqa: E402
from planner.model.profile import DAYS, Profile, load_profile  # noqa: E402
from planner.model.sessions import CATALOGUE, allowed_kinds, squat_load_for  # noqa: E402
from planner.science import effect, scoring  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "sample_profiles"
PROJECTION_RUNS = 2000
SCORE_SECONDS = 3.0


def profiles() -> list[Profile]:
    """The sample athletes, or generated ones when there are none."""
    found = sorted(SAMPLES.glob("*.yaml")) if SAMPLES.is_dir() else []
    if found:
        return [load_profile(p) for p in found]
    return [
        Profile(name=f"generated {i}", sex=sex, age=20 + 5 * i, height_cm=160 + 4 * i,
                weight_kg=55 + 6 * i, goal=goal, recent_weekly_run_minutes=90,
                availability={d: 60 for d in DAYS}, facilities=["hills", "barbell"])
        for i, (sex, goal) in enumerate(
            [("female", "bulkier"), ("male", "leaner"), ("female", "maintain"), ("male", "bulkier")])
    ]


def simple_plan(profile: Profile) -> PlanInput:
    """One session of each allowed kind on the athlete's first free days, at maintenance."""
    days: list[dict] = []
    free = [d for d, m in profile.minutes.items() if m >= 45]
    sessions = []
    for day, kind in zip(free, allowed_kinds(profile)):
        spec = CATALOGUE[kind]
        dose = spec.doses()[len(spec.doses()) // 2]
        session = {"kind": kind, "minutes": spec.minutes_for(dose)}
        if spec.dose_field in ("reps", "sets"):
            session[spec.dose_field] = dose
        if kind == "squats_lunges":
            session["load"] = squat_load_for(profile)
        days.append({"day": day, "sessions": [session]})
        sessions.append(session)
    load = effect.week_load(
        [(s["kind"], s["minutes"], s.get("reps") or s.get("sets") or s["minutes"], s.get("load"))
         for s in sessions], profile.fast_twitch_pct)
    calories = round(effect.maintenance_kcal(profile, load))
    return PlanInput.model_validate({"calories_per_day": calories, "days": days})


def time_projection(profile: Profile) -> list[float]:
    """[ms] wall time of each of ``PROJECTION_RUNS`` 12-week projections."""
    load = effect.week_load([("squats_lunges", 50, 12, "barbell"), ("sprints", 34, 8, None),
                             ("long_run", 60, 60, None)], profile.fast_twitch_pct)
    calories = effect.maintenance_kcal(profile, load)
    times = []
    for _ in range(PROJECTION_RUNS):
        start = time.perf_counter()
        effect.project(profile, calories, load, 12)
        times.append((time.perf_counter() - start) * 1000)
    return times


def score_rate(cases: list[tuple[Profile, PlanInput]]) -> tuple[int, float]:
    """(plans scored, seconds) scoring the cases round-robin for about ``SCORE_SECONDS``."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < SCORE_SECONDS:
        for profile, plan in cases:
            scoring.score(profile, plan)
            count += 1
    return count, time.perf_counter() - start


def main() -> None:
    athletes = profiles()
    times = time_projection(athletes[0])
    print(f"one 12-week projection: median {statistics.median(times):.3f} ms, "
          f"p90 {statistics.quantiles(times, n=10)[-1]:.3f} ms over {len(times)} runs "
          f"(target < 1 ms)")
    cases = [(p, simple_plan(p)) for p in athletes]
    count, seconds = score_rate(cases)
    source = "sample_profiles/" if (SAMPLES.is_dir() and any(SAMPLES.glob("*.yaml"))) else "generated"
    print(f"planner.science.scoring.score: {count / seconds:.0f} plans/s in-process "
          f"({count} plans over {len(cases)} {source} profiles in {seconds:.1f} s)")


if __name__ == "__main__":
    main()
