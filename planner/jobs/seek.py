"""Goal-seeking: the least-change safe plan that moves the thigh by DELTA cm by week N — or, when
none does, the earliest week one would and the best achievable by N — and response curves.

Seeking replaces the profile's goal by "reach DELTA": goal ``bulkier`` with
``target_thigh_change_cm = DELTA`` for a gain, ``leaner`` with it for a loss (0 would be maintain,
which has no direction to seek). The solver then minimises, in this order, the shortfall, the
training load and the calorie change from maintenance — "least change" — with no safety margin
beyond the target (``SEEK_PARAMS``). The chosen week's calories are then trimmed with the full
daily model to the intake closest to maintenance that still reaches DELTA, so one calorie step
less (``CALORIE_STEP`` towards maintenance) does not; the answer shows that step, and one session
fewer of each kind, re-scored.

Sweeps (``--sweep``):

* ``calories=LO..HI[:STEP]`` — absolute kcal/d, or ``+a..+b`` / ``-a..+b`` relative to the seek
  plan's calories; STEP defaults to 50. The seek plan's **week is held fixed** and every intake is
  re-scored by the full model (so the curve isolates the calories, and a 20-point sweep costs
  milliseconds instead of 20 solves). Intakes that break a guardrail are kept and marked.
* ``<kind>=LO..HI`` — sessions of that kind a week (0-7); every count is pinned and the rest of
  the plan re-solved (counts no safe week holds are marked with the conflicting rules).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from planner.jobs.common import (
    MAX_SESSIONS_A_WEEK,
    holds_intake,
    intake_offsets,
    parallel_map,
    solve_or_conflict,
)
from planner.jobs.planning import solve
from planner.model.errors import InputError, NoSafePlanError
from planner.model.plan import (
    CALORIE_STEP,
    MAX_CALORIES,
    MAX_WEEKS,
    DayPlan,
    Plan,
    PlanInput,
)
from planner.model.profile import KINDS, Profile, parse_profile
from planner.model.scenarios import LeverStep, Outcome, SeekResult, Sweep, SweepPoint
from planner.science import guardrails
from planner.science.block import block_input
from planner.science.scoring import score
from planner.solve.instance import Pins, SolverParams

SEEK_PARAMS = SolverParams(margin_cm=0.0)
DEFAULT_CALORIE_SWEEP_STEP = 50
MAX_SWEEP_POINTS = 200


@dataclass(frozen=True)
class SweepSpec:
    lever: str
    text: str
    low: int
    high: int
    step: int
    relative: bool

    def values(self, base_calories: int) -> list[int]:
        offset = base_calories if self.relative else 0
        return list(range(self.low + offset, self.high + offset + 1, self.step))


def seek_profile(profile: Profile, delta_cm: float, weeks: int | None = None) -> Profile:
    """The profile with its goal replaced by "thigh changes by ``delta_cm`` by week ``weeks``"."""
    if delta_cm == 0:
        raise InputError("--thigh-cm", [("thigh-cm", "0 cm is goal maintain, which has no "
                                         "direction to seek; give a gain (1.5) or a loss (-1)")])
    data = profile.model_dump()
    data.update(goal="bulkier" if delta_cm > 0 else "leaner", target_thigh_change_cm=delta_cm,
                horizon_weeks=weeks or profile.horizon_weeks)
    return parse_profile(data, "--thigh-cm/--weeks")


def parse_sweep(text: str) -> SweepSpec:
    """``calories=LO..HI[:STEP]`` (absolute, or ``+a..+b`` relative) or ``<kind>=LO..HI``."""
    m = re.fullmatch(r"\s*(\w+)\s*=\s*([+-]?\d+)\s*\.\.\s*([+-]?\d+)\s*(?::\s*(\d+))?\s*", text)
    if m is None:
        raise InputError("--sweep", [(text, "expected calories=LO..HI[:STEP] or KIND=LO..HI, "
                                            "e.g. calories=2000..2600:50 or squats_lunges=0..4")])
    lever, lo, hi, step = m.group(1), m.group(2), m.group(3), m.group(4)
    relative = lo[0] in "+-" or hi[0] in "+-"
    low, high = int(lo), int(hi)
    if lever == "calories":
        step_n = int(step) if step else DEFAULT_CALORIE_SWEEP_STEP
        if not relative and not 0 < low <= high <= MAX_CALORIES:
            raise InputError("--sweep", [(text, f"absolute calories need 0 < LO ≤ HI ≤ "
                                                f"{MAX_CALORIES}")])
        if relative and not -MAX_CALORIES < low <= high < MAX_CALORIES:
            raise InputError("--sweep", [(text, f"relative calories need -{MAX_CALORIES} < LO ≤ "
                                                f"HI < +{MAX_CALORIES}")])
    elif lever in KINDS:
        step_n = int(step) if step else 1
        if relative or not 0 <= low <= high <= MAX_SESSIONS_A_WEEK:
            raise InputError("--sweep", [(text, f"sessions a week need 0 ≤ LO ≤ HI ≤ "
                                                f"{MAX_SESSIONS_A_WEEK}")])
    else:
        raise InputError("--sweep", [(text, f"unknown lever {lever!r}: calories or a session kind "
                                            f"({', '.join(KINDS)})")])
    if low > high or step_n < 1 or (high - low) // step_n + 1 > MAX_SWEEP_POINTS:
        raise InputError("--sweep", [(text, f"need LO ≤ HI, STEP ≥ 1 and at most "
                                            f"{MAX_SWEEP_POINTS} points")])
    return SweepSpec(lever, text.strip(), low, high, step_n, relative)


def check_sweep_range(spec: SweepSpec, base_calories: int) -> None:
    """A calorie sweep relative to the seek plan must stay on intakes a plan can hold
    (1-10000 kcal/d): checked once the plan's calories are known, before any point is scored."""
    if spec.lever != "calories":
        return
    values = spec.values(base_calories)
    if values and not (holds_intake(values[0]) and holds_intake(values[-1])):
        raise InputError("--sweep", [(spec.text, (
            f"from the seek plan's {base_calories} kcal/d this sweeps {values[0]} to "
            f"{values[-1]} kcal/d; intakes must be {intake_offsets(base_calories)}"))])


def plan_input(profile: Profile, plan: Plan, calories: int | None = None,
               days: list[DayPlan] | None = None) -> PlanInput:
    """The plan's working week (or ``days``) at ``calories``; for a block, the block built from
    them again (``planner.science.block``: the same progression, its start date kept)."""
    week = PlanInput(calories_per_day=plan.calories_per_day if calories is None else calories,
                     protein_g_per_day=plan.protein_g_per_day,
                     days=plan.days if days is None else days)
    if not plan.weeks:
        return week
    return block_input(profile, week, len(plan.weeks), plan.weeks[0].start_date)


def rescore(profile: Profile, plan: Plan, calories: int | None = None,
            days: list[DayPlan] | None = None) -> Plan:
    """The plan (its block, built from its week or ``days``) at ``calories``, re-scored by the
    full model."""
    return score(profile, plan_input(profile, plan, calories, days), find_earliest=False)


def safe(plan: Plan) -> bool:
    return all(g.ok for g in plan.guardrails)


def trim_calories(profile: Profile, plan: Plan) -> Plan | None:
    """The plan's week at the intake closest to maintenance (whole steps) that reaches the goal
    with every guardrail kept, re-scored by the full model (None: no intake does)."""
    maintenance = plan.projection.maintenance_kcal_per_day
    low, high = guardrails.calorie_bounds(profile, maintenance)
    grid = range(int(math.ceil(low / CALORIE_STEP)) * CALORIE_STEP,
                 int(math.floor(high / CALORIE_STEP)) * CALORIE_STEP + 1, CALORIE_STEP)
    # closest to maintenance first; on a tie, the side the goal moves towards
    toward = 1 if profile.goal == "bulkier" else -1
    for calories in sorted(grid, key=lambda c: (abs(c - maintenance), -toward * c)):
        candidate = rescore(profile, plan, calories)
        if candidate.goal_reached and safe(candidate):
            return candidate
    return None


def one_step_less(profile: Profile, plan: Plan) -> tuple[str | None, list[LeverStep]]:
    """Each lever one step less, re-scored: calories one step towards maintenance, and one session
    fewer of each kind the plan holds. The key lever is calories when the plan eats away from
    maintenance, else the kind whose loss costs the most thigh."""
    steps = []
    maintenance = plan.projection.maintenance_kcal_per_day
    gap = plan.calories_per_day - maintenance
    if abs(gap) >= CALORIE_STEP / 2:
        towards = -CALORIE_STEP if gap > 0 else CALORIE_STEP
        less = rescore(profile, plan, plan.calories_per_day + towards)
        steps.append(LeverStep(lever="calories", change=f"calories {towards:+d} kcal/d",
                               thigh_cm_change=less.projection.thigh_circumference_cm_change,
                               goal_reached=less.goal_reached))
    for kind in KINDS:
        holding = [d for d in plan.days if any(s.kind == kind for s in d.sessions)]
        if not holding:
            continue
        drop = holding[-1].day
        days = [DayPlan(day=d.day, sessions=[s for s in d.sessions if not (
            d.day == drop and s.kind == kind)]) for d in plan.days]
        less = rescore(profile, plan, days=days)
        steps.append(LeverStep(lever=kind, change=f"one {kind} session fewer ({drop})",
                               thigh_cm_change=less.projection.thigh_circumference_cm_change,
                               goal_reached=less.goal_reached))
    if not steps:
        return None, steps
    if steps[0].lever == "calories":
        return "calories", steps
    target = plan.projection.thigh_circumference_cm_change
    worst = max(steps, key=lambda s: abs(target - s.thigh_cm_change))
    return worst.lever, steps


def sweep(profile: Profile, plan: Plan, spec: SweepSpec, params: SolverParams = SEEK_PARAMS,
          jobs: int | None = None) -> Sweep:
    """The response curve of one lever around ``plan`` (see the module docstring)."""
    values = spec.values(plan.calories_per_day)
    if spec.lever == "calories":
        check_sweep_range(spec, plan.calories_per_day)
        points = []
        for value in values:
            scored = rescore(profile, plan, value)
            broken = [g.name for g in scored.guardrails if not g.ok]
            points.append(SweepPoint(value=value, outcome=Outcome.of(scored), safe=not broken,
                                     broken_rules=broken))
        return Sweep(lever="calories", spec=spec.text, method="week fixed, re-scored",
                     points=points)

    no_earliest = replace(params, find_earliest_week=False)  # a sweep point shows no week

    def point(value: int) -> SweepPoint:
        solved = solve_or_conflict(profile, Pins(kind_counts=((spec.lever, value),)),
                                   no_earliest)
        if isinstance(solved, NoSafePlanError):
            return SweepPoint(value=value, safe=False, broken_rules=solved.conflicting_rules)
        return SweepPoint(value=value, outcome=Outcome.of(solved), safe=safe(solved))

    return Sweep(lever=spec.lever, spec=spec.text, method="re-solved with the value pinned",
                 points=parallel_map(point, values, jobs))


def seek(profile: Profile, delta_cm: float, weeks: int | None = None,
         sweeps: list[SweepSpec] | None = None, params: SolverParams = SEEK_PARAMS,
         jobs: int | None = None) -> SeekResult:
    """Seek the least-change safe plan reaching ``delta_cm`` by week ``weeks`` (see module doc).

    Raises NoSafePlanError when the profile has no safe plan at all.
    """
    sp = seek_profile(profile, delta_cm, weeks)
    horizon = sp.horizon_weeks
    plan = solve(sp, params).without_timing()
    notes = []
    trimmed = trim_calories(sp, plan)
    if trimmed is not None and trimmed.calories_per_day != plan.calories_per_day:
        notes.append(f"calories trimmed with the full model from {plan.calories_per_day} to "
                     f"{trimmed.calories_per_day} kcal/d: the least that reaches the target "
                     "with this week")
        # the solver's explanation names its own calories: the re-score explains the new ones
        plan = score(sp, plan_input(sp, trimmed), solver=plan.solver)
    for s in sweeps or []:  # before any of the work below
        check_sweep_range(s, plan.calories_per_day)
    reached = plan.goal_reached
    earliest = plan.goal_status.earliest_week
    key, steps = one_step_less(sp, plan) if reached else (None, [])
    if not reached:
        notes.append(f"no safe plan reaches {delta_cm:+g} cm by week {horizon}; "
                     + (f"the earliest week one does is {earliest}" if earliest is not None
                        else f"none does within {MAX_WEEKS} weeks")
                     + f"; the closest plan by week {horizon} is shown")
    curves = [sweep(sp, plan, s, params, jobs) for s in (sweeps or [])]
    if any(c.method == "week fixed, re-scored" for c in curves):
        notes.append("calorie sweeps hold this plan's week fixed and re-score each intake with "
                     "the full model; session sweeps re-solve with each count pinned")
    return SeekResult(
        athlete=profile.name, units=profile.units, target_thigh_change_cm=delta_cm, weeks=horizon,
        reached=reached, best_thigh_change_cm=plan.projection.thigh_circumference_cm_change,
        earliest_week=earliest, key_lever=key, one_step_less=steps, notes=notes,
        outcome=Outcome.of(plan), plan=plan, sweeps=curves,
    )
