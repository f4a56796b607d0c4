"""Planning one athlete: the solver's week, re-scored by the full effect model, with the
explanation of why it looks as it does (the one place the solver and the explanation meet)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

from planner.jobs.fixes import with_fix
from planner.model.errors import NoSafePlanError
from planner.model.plan import Plan, SolverInfo
from planner.model.profile import Profile
from planner.report.explain import explain
from planner.science.block import block_input
from planner.science.scoring import score
from planner.solve.instance import Pins, SolverParams
from planner.solve.solver import (
    closer_calories_missing,
    earliest_reachable_week,
    solve_core,
)


def solve(profile: Profile, params: SolverParams | None = None, pins: Pins | None = None,
          weeks: int | None = None, start: date | None = None) -> Plan:
    """Solve for the profile's goal and return the plan — the block built from the solver's
    working week (``planner.science.block``), re-scored day by day by the full effect model.
    ``start``: the block's weeks get dates, week 1 from the first Monday on or after it."""
    params = params or SolverParams()
    pins = pins or Pins()
    weeks = profile.horizon_weeks if weeks is None else weeks
    t0 = time.perf_counter()
    try:
        core = solve_core(profile, weeks, params, pins)
    except NoSafePlanError as e:
        if params.suggest_fix and pins == Pins():
            raise with_fix(profile, e, params) from None
        raise
    inst = core.inst
    params = replace(params, relaxed=inst.relaxed)  # the shape rules that gave way stay given way
    plan_in = block_input(profile, core.choice.plan_input(inst.protein), weeks, start)
    first = score(profile, plan_in)  # its earliest week: this plan's own, kept up
    earliest = first.goal_status.earliest_week
    if not first.goal_reached:
        # the closest plan, kept up, bounds the search over all safe plans
        earliest = (earliest_reachable_week(profile, params, pins, weeks, earliest,
                                            core.choice.week)
                    if params.find_earliest_week else None)
    lines = explain(inst, core.choice, first, earliest, closer_calories_missing(inst, core.choice))
    wall = (time.perf_counter() - t0) * 1000
    info = SolverInfo(status=core.status, wall_ms=round(wall, 1),
                      objective={k: round(v, 1) for k, v in core.choice.terms.items()})
    status = first.goal_status.model_copy(update={"earliest_week": earliest})
    return first.model_copy(update={"explanation": lines, "solver": info, "goal_status": status})
