"""The exhaustive oracle: every plan of a reduced instance, enumerated and scored by the full model.

Reduced instances (``benchmarks.athletes.oracle_profile``): 2-3 available days, two dose levels
per kind, a 100-kcal calorie grid. Every week is enumerated (each day: rest, one session, or a
long run plus one hard session), the structural rules are checked by the independent checker's
rule functions (``week_keeps_rules``), and every calorie value on the grid is scored by the full
model (``objective.exact_terms``: the same terms the solver minimises, computed exactly, not from
its surrogate). ``tests/test_solver_oracle.py`` checks the solver against it;
``benchmarks/solve.py`` times both.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from planner.model.profile import Profile
from planner.solve.instance import Option, Pins, SolverParams, prepare
from planner.solve.objective import (
    PLACEMENT_TERMS,
    calorie_grid,
    exact_terms,
    placement_points,
)
from planner.solve.solver import week_keeps_rules

DOSES = (("long_run", (30, 60)), ("sprints", (6, 10)), ("hill_repeats", (8, 12)),
         ("squats_lunges", (4, 8)))
PARAMS = SolverParams(calorie_step=100, dose_levels=DOSES, find_earliest_week=False)


def day_contents(options: list[Option], minutes: int) -> list[tuple[Option, ...]]:
    """Everything one day can hold: rest, one session, or a long run plus one hard session."""
    fits = [o for o in options if o.minutes <= minutes]
    pairs = [(a, b) for a, b in itertools.combinations(fits, 2)
             if a.kind != b.kind and not (a.hard and b.hard) and a.minutes + b.minutes <= minutes]
    return [()] + [(o,) for o in fits] + pairs


def enumerate_best(profile: Profile, relaxed: tuple[str, ...] = ()) -> float:
    """The least objective of any safe plan of the reduced instance, by enumeration: every week
    that keeps the rules (bar the shape rules in ``relaxed``, which the solver found it had to
    give way), at every calorie value."""
    inst = prepare(profile, profile.horizon_weeks, replace(PARAMS, relaxed=relaxed), Pins())
    per_day = [day_contents(inst.options, a) if a else [()] for a in inst.avail]
    cals = calorie_grid(inst)
    best = np.inf
    cache: dict = {}
    for week in itertools.product(*per_day):
        if not any(week):
            continue  # "a training week": at least one session
        if not week_keeps_rules(inst, week):
            continue
        # the block depends on each day's sessions and time (a build week's easy run grows into
        # its day's spare minutes), not on the order of the days
        key = tuple(sorted((minutes, tuple(sorted((o.kind, o.dose) for o in day)))
                           for minutes, day in zip(inst.avail, week)))
        if key not in cache:
            terms, ok = exact_terms(inst, week, cals)
            base = [sum(t.values()) - sum(t[n] for n in PLACEMENT_TERMS)
                    for t, good in zip(terms, ok) if good]
            cache[key] = min(base) if base else None
        if cache[key] is None:
            continue
        best = min(best, cache[key] + sum(placement_points(inst, week).values()))
    return best
