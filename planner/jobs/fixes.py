"""When no safe plan exists: the smallest change to the profile that makes one possible.

Each conflicting rule suggests candidate edits, smallest first (give one day the minutes of the
shortest session, allow an excluded kind again, add the facility a kind needs, undo a coach's
tighter limit); each candidate is checked by solving the edited profile, and the first that
solves is named with the profile field to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from planner.model.errors import InputError, NoSafePlanError
from planner.model.profile import DAYS, Limits, Profile
from planner.model.sessions import CATALOGUE
from planner.solve.instance import Pins, SolverParams
from planner.solve.solver import solve_core

Edit = tuple[str, dict[str, Any]]  # (what to tell the athlete, profile fields to change)


def _shortest_minutes(kinds) -> int:
    return min((CATALOGUE[k].minutes_for(CATALOGUE[k].dose_min) for k in kinds))


def candidates(profile: Profile, rules: list[str]) -> Iterator[Edit]:
    """Profile edits that may undo the conflict of ``rules``, smallest first."""
    allowed_now = [k for k in CATALOGUE if k not in profile.exclude]
    if {"availability", "a training week"} & set(rules):
        need = _shortest_minutes(allowed_now or CATALOGUE)
        for day in sorted(DAYS, key=lambda d: -profile.minutes[d]):
            if profile.minutes[day] < need:
                minutes = {**profile.availability, day: need}
                yield (f"give {day} at least {need} minutes (availability.{day}: {need})",
                       {"availability": minutes})
                break
    if {"exclusions", "a training week", "facilities"} & set(rules):
        for kind in profile.exclude:
            rest = [k for k in profile.exclude if k != kind]
            yield (f"allow {kind} again (remove it from exclude)", {"exclude": rest})
    if "facilities" in rules or "a training week" in rules:
        for kind, spec in CATALOGUE.items():
            if spec.needs and spec.needs not in profile.facilities and kind not in profile.exclude:
                yield (f"add {spec.needs} to facilities (for {spec.label})",
                       {"facilities": [*profile.facilities, spec.needs]})
    limits = profile.limits
    default = Limits()
    loosen = {"rest days": "min_rest_days", "running load": "max_run_increase_pct",
              "deficit": "max_deficit_pct", "surplus": "max_surplus_pct",
              "minimum intake": "min_intake_kcal", "rate of loss": "max_loss_pct_per_week"}
    for rule, field in loosen.items():
        if rule in rules and getattr(limits, field) != getattr(default, field):
            value = getattr(default, field)
            shown = "remove it" if value is None else f"{value:g}"
            yield (f"drop the coach's tighter limits.{field} ({shown}, the published default)",
                   {"limits": limits.model_copy(update={field: value}).model_dump()})


def with_fix(profile: Profile, error: NoSafePlanError, params: SolverParams) -> NoSafePlanError:
    """``error`` with the smallest profile change that makes a plan possible (checked by
    solving), or unchanged when no candidate helps."""
    quick = replace(params, suggest_fix=False, find_earliest_week=False)
    for text, fields in candidates(profile, error.conflicting_rules):
        try:
            edited = Profile.model_validate({**profile.model_dump(), **fields})
            solve_core(edited, edited.horizon_weeks, quick, Pins())
        except (NoSafePlanError, InputError, ValueError):
            continue
        return NoSafePlanError(error.athlete, error.conflicting_rules, error.detail, fix=text)
    return error
