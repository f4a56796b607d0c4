"""Exit 3 says what would fix it: the smallest profile change that makes a plan possible, checked
by solving the edited profile, naming the field (issue: every exit 3 named the rules only)."""

from __future__ import annotations

import pytest

from planner.jobs.planning import solve
from planner.model.errors import NoSafePlanError
from planner.model.profile import parse_profile

BASE = dict(name="Stuck", sex="female", age=30, height_cm=165, weight_kg=60, goal="leaner",
            availability={"mon": 60, "wed": 60, "sat": 60})


@pytest.mark.parametrize("changes, rules, fix", [
    ({"availability": {"mon": 10, "tue": 15}}, {"availability"},
     "give tue at least 20 minutes (availability.tue: 20)"),
    ({"exclude": ["long_run", "sprints", "hill_repeats", "squats_lunges"]}, {"exclusions"},
     "allow long_run again (remove it from exclude)"),
    ({"limits": {"min_intake_kcal": 4000}}, {"minimum intake"},
     "drop the coach's tighter limits.min_intake_kcal (remove it, the published default)"),
])
def test_no_safe_plan_names_the_smallest_fix_that_solves(changes, rules, fix):
    profile = parse_profile({**BASE, **changes})
    with pytest.raises(NoSafePlanError) as err:
        solve(profile)
    assert rules <= set(err.value.conflicting_rules)
    assert err.value.fix == fix
    assert f"A plan is possible if you {fix}" in str(err.value)


def test_no_fix_is_claimed_when_none_solves():
    """The intake floor is not a coach's limit: nothing in the profile may loosen it."""
    from planner.jobs.fixes import candidates
    profile = parse_profile(BASE)
    assert list(candidates(profile, ["minimum intake"])) == []
