"""The exhaustive oracle: on instances small enough to enumerate every plan, the solver's plan is as
good, under the full effect model and the same objective, as the best enumerated plan.

The instances (``benchmarks.athletes.oracle_profile``) and the enumeration
(``benchmarks.oracle.enumerate_best``) are shared with ``benchmarks/solve.py``; see there.
"""

from __future__ import annotations

import pytest

from benchmarks.athletes import oracle_profile
from benchmarks.oracle import PARAMS, enumerate_best
from planner.science.scoring import score
from planner.solve.instance import Pins
from planner.solve.solver import solve_core

TOLERANCE = 1e-6  # objective points: the solver must match the enumerated optimum


@pytest.mark.parametrize("seed", range(24))
def test_solver_matches_exhaustive_search(seed: int):
    profile = oracle_profile(seed)
    core = solve_core(profile, profile.horizon_weeks, PARAMS, Pins())
    expected = enumerate_best(profile, core.inst.relaxed)
    plan = score(profile, core.choice.plan_input(core.inst.protein))
    broken = [r for r in plan.guardrails if not r.ok and r.name not in core.inst.relaxed]
    assert not broken, broken
    assert core.choice.total <= expected + TOLERANCE, (core.choice.total, expected)
    assert core.choice.total >= expected - TOLERANCE  # nothing beats the exhaustive optimum
