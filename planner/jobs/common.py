"""Helpers the jobs share: solving many plans side by side, and a solve that reports a conflict
as a value."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

from planner.jobs.planning import solve
from planner.model.errors import NoSafePlanError
from planner.model.plan import MAX_CALORIES, Plan
from planner.model.profile import Profile
from planner.solve.instance import Pins, SolverParams

MAX_SESSIONS_A_WEEK = 7

T = TypeVar("T")
R = TypeVar("R")


def parallel_map(fn: Callable[[T], R], items: list[T], jobs: int | None = None) -> list[R]:
    """``[fn(x) for x in items]`` on threads (CP-SAT solves release the GIL); order kept."""
    jobs = jobs or min(len(items), os.cpu_count() or 1)
    if jobs <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(fn, items))


def solve_or_conflict(profile: Profile, pins: Pins, params: SolverParams) -> Plan | NoSafePlanError:
    try:
        return solve(profile, params, pins).without_timing()
    except NoSafePlanError as e:
        return e


def holds_intake(kcal: int) -> bool:
    """Whether a plan can hold ``kcal`` [kcal/d] as its intake (a relative pin or sweep point)."""
    return 0 < kcal <= MAX_CALORIES


def intake_offsets(base: int) -> str:
    """The intakes a plan can hold, and the offsets from ``base`` [kcal/d] that give them."""
    return (f"1-{MAX_CALORIES} kcal/d, so offsets from {1 - base:+d} to "
            f"{MAX_CALORIES - base:+d}")
