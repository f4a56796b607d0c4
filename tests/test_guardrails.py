"""One test per rule in ``planner.science.guardrails.RULES``: a plan that breaks it and a clean one.

Plans are hand-made ``PlanInput`` documents scored with ``planner.science.scoring.score`` (the
solver-independent checker). Each violating plan differs from a clean one in one thing, and the
test checks that it breaks the named rule and no other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from planner.model.plan import Plan, PlanInput, parse_plan
from planner.model.profile import Profile, parse_profile
from planner.model.sessions import WEEK_SETS_MAX
from planner.science import effect, guardrails
from planner.science.scoring import score

BASE_PROFILE: dict[str, Any] = {
    "name": "Rule Tester",
    "sex": "female",
    "age": 30,
    "height_cm": 168,
    "weight_kg": 65,
    "body_fat_pct": 26,
    "strength_experience": "intermediate",
    "recent_weekly_run_minutes": 120,
    "goal": "maintain",
    "horizon_weeks": 8,
    "availability": {d: 120 for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "facilities": ["hills", "track", "barbell"],
    "training_days": 3,
}

SQUATS = {"kind": "squats_lunges", "minutes": 35, "sets": 10}  # 10 + 10 × 2.5 min
SPRINTS = {"kind": "sprints", "minutes": 34, "reps": 8}  # 15 + 8 × 140 s
HILLS = {"kind": "hill_repeats", "minutes": 35, "reps": 8}  # 15 + 8 × 150 s
LONG_RUN = {"kind": "long_run", "minutes": 70}
EASY_20 = {"kind": "long_run", "minutes": 20}

# Hard days Mon / Wed, a long run on Saturday: 104 min of running (≥ 80 % of the recent 120, ≤ 132),
# three training days of two kinds, 4 rest days.
CLEAN_WEEK: dict[str, list[dict[str, Any]]] = {
    "mon": [SQUATS], "wed": [SPRINTS], "sat": [LONG_RUN],
}


def make_profile(**changes: Any) -> Profile:
    return parse_profile({**BASE_PROFILE, **changes}, "test profile")


def maintenance(profile: Profile, week: dict[str, list[dict[str, Any]]]) -> float:
    """[kcal/d] expenditure with the week's sessions (what deficit/surplus are measured from)."""
    plan = make_plan(profile, week, calories=2000)
    load = effect.plan_load(profile, [s for _, s in plan.sessions()])
    return effect.maintenance_kcal(profile, load)


def make_plan(profile: Profile, week: dict[str, list[dict[str, Any]]],
              calories: float | None = None, calorie_factor: float = 1.0,
              protein: int | None = None) -> PlanInput:
    """The week's sessions at ``calories``, or at ``calorie_factor`` × expenditure."""
    if calories is None:
        calories = maintenance(profile, week) * calorie_factor
    doc: dict[str, Any] = {
        "calories_per_day": round(calories),
        "days": [{"day": d, "sessions": s} for d, s in week.items()],
    }
    if protein is not None:
        doc["protein_g_per_day"] = protein
    return parse_plan(doc)


@dataclass(frozen=True)
class Case:
    """A rule, a plan that breaks it and a minimally different plan that keeps it."""

    rule: str
    violating: Callable[[Profile], PlanInput]
    clean: Callable[[Profile], PlanInput]
    profile: dict[str, Any] = field(default_factory=dict)
    detail: str = ""  # a fragment the violation's detail must contain
    also: tuple[str, ...] = ()  # rules the violating plan cannot help breaking too


def week_with(**days: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {**CLEAN_WEEK, **days}


CASES: tuple[Case, ...] = (
    # The coach's floor of 2,000 kcal/d: 1,950 is below it though only ~9 % under expenditure.
    Case("minimum intake",
         violating=lambda p: make_plan(p, CLEAN_WEEK, calories=1950),
         clean=lambda p: make_plan(p, CLEAN_WEEK, calories=2050),
         profile={"limits": {"min_intake_kcal": 2000}}, detail="1950 < 2000 kcal/d"),
    # A 20 % deficit (allowed) loses well over the coach's 0.3 %/week; a 5 % deficit does not.
    Case("rate of loss",
         violating=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=0.80),
         clean=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=0.95),
         profile={"limits": {"max_loss_pct_per_week": 0.3}}, detail="> 0.3 %"),
    # The coach's 10 % deficit cap: 15 % breaks it (and no other rule), 8 % keeps it.
    Case("deficit",
         violating=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=0.85),
         clean=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=0.92),
         profile={"limits": {"max_deficit_pct": 10}}, detail="> 10 %"),
    # 46 kg at 168 cm is a BMI of 16.3 (under 18.5, WHO): no deficit at all, even 5 %.
    Case("healthy weight",
         violating=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=0.95),
         clean=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=1.0),
         profile={"weight_kg": 46}, detail="BMI 16.3 is under 18.5"),
    # Default +20 % cap (Helms 2023): +25 % breaks it, +15 % keeps it.
    Case("surplus",
         violating=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=1.25),
         clean=lambda p: make_plan(p, CLEAN_WEEK, calorie_factor=1.15),
         detail="> 20 %"),
    # 65 kg × 1.6-2.2 g/kg = 104-143 g/d.
    Case("protein",
         violating=lambda p: make_plan(p, CLEAN_WEEK, protein=90),
         clean=lambda p: make_plan(p, CLEAN_WEEK, protein=104),
         detail="outside 104-143 g/d"),
    # Seven easy 40-min runs leave no rest day; six leave one (300 min recent: running cap 330).
    Case("rest days",
         violating=lambda p: make_plan(p, {d: [{"kind": "long_run", "minutes": 40}] for d in
                                           ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}),
         clean=lambda p: make_plan(p, {d: [{"kind": "long_run", "minutes": 40}] for d in
                                       ("mon", "tue", "wed", "thu", "fri", "sat")}),
         profile={"recent_weekly_run_minutes": 300, "training_days": 6,
                  "exclude": ["sprints", "hill_repeats", "squats_lunges"]},
         detail="0 full rest day(s)", also=("training days",)),
    # Squats Sunday then squats Monday: back to back across the week's wrap.
    Case("no back-to-back hard days",
         violating=lambda p: make_plan(p, week_with(sun=[SQUATS])),
         clean=lambda p: make_plan(p, week_with(fri=[SQUATS])),
         profile={"training_days": 4}, detail="sun-mon"),
    # Squats and sprints on the same Monday.
    Case("48 h between hard sessions",
         violating=lambda p: make_plan(p, {"mon": [SQUATS, SPRINTS], "wed": [EASY_20],
                                           "sat": [LONG_RUN]}),
         clean=lambda p: make_plan(p, {"mon": [SQUATS, EASY_20], "wed": [SPRINTS],
                                       "sat": [LONG_RUN]}),
         detail="two hard sessions on mon"),
    # Recent 120 min + 10 % = 132 min: 34 + 100 = 134 breaks it, 34 + 90 = 124 keeps it.
    Case("running load",
         violating=lambda p: make_plan(p, week_with(sat=[{"kind": "long_run", "minutes": 100}])),
         clean=lambda p: make_plan(p, week_with(sat=[{"kind": "long_run", "minutes": 90}])),
         detail="134 min running > 132 min/week"),
    # A hamstring injury: sprints excluded; hill repeats instead are fine.
    Case("exclusions",
         violating=lambda p: make_plan(p, CLEAN_WEEK),
         clean=lambda p: make_plan(p, week_with(wed=[HILLS])),
         profile={"exclude": ["sprints"]}, detail="excluded kinds planned: sprints"),
    # Wednesday has 30 minutes: 34-min sprints do not fit there, on Thursday they do.
    Case("availability",
         violating=lambda p: make_plan(p, CLEAN_WEEK),
         clean=lambda p: make_plan(p, week_with(wed=[], thu=[SPRINTS])),
         profile={"availability": {**BASE_PROFILE["availability"], "wed": 30}},
         detail="wed 34>30 min"),
    # No hills: hill repeats are impossible; sprints on the track are fine.
    Case("facilities",
         violating=lambda p: make_plan(p, week_with(wed=[HILLS])),
         clean=lambda p: make_plan(p, CLEAN_WEEK),
         profile={"facilities": ["track", "barbell"]}, detail="hill_repeats needs hills"),
    # Sprints are 6-12 reps: 14 reps is outside the catalogue, 12 is the top of it.
    Case("session doses",
         violating=lambda p: make_plan(p, week_with(wed=[{"kind": "sprints", "minutes": 48,
                                                          "reps": 14}])),
         clean=lambda p: make_plan(p, week_with(wed=[{"kind": "sprints", "minutes": 43,
                                                      "reps": 12}])),
         detail="reps 14 outside 6-12"),
    # ---- plan shape (docs/design.md "Plan shape") ----
    # Three days asked: an easy 20 minutes on Tuesday makes four.
    Case("training days",
         violating=lambda p: make_plan(p, week_with(tue=[EASY_20])),
         clean=lambda p: make_plan(p, CLEAN_WEEK), detail="4 training day(s), 3 asked"),
    # A novice's squat session holds at most 8 hard sets: 10 is too many, 8 is fine.
    Case("session volume",
         violating=lambda p: make_plan(p, CLEAN_WEEK),
         clean=lambda p: make_plan(p, week_with(mon=[{"kind": "squats_lunges", "minutes": 30,
                                                      "sets": 8}])),
         profile={"strength_experience": "novice"}, detail="over 8 hard sets: mon 10 sets"),
    # 80 % of the recent 120 min is 96: 34 + 40 = 74 is too little.
    Case("running kept",
         violating=lambda p: make_plan(p, week_with(sat=[{"kind": "long_run", "minutes": 40}])),
         clean=lambda p: make_plan(p, CLEAN_WEEK), detail="74 min running < 96 min/week"),
    # A cut keeps a squats/lunges session.
    Case("strength kept",
         violating=lambda p: make_plan(p, week_with(mon=[EASY_20])),
         clean=lambda p: make_plan(p, CLEAN_WEEK),
         profile={"goal": "leaner"}, detail="0 squats/lunges session(s), at least 1"),
    # Bulking lifts twice a week.
    Case("lift twice to bulk",
         violating=lambda p: make_plan(p, CLEAN_WEEK),
         clean=lambda p: make_plan(p, {"mon": [SQUATS], "wed": [SPRINTS],
                                       "fri": [SQUATS, LONG_RUN]}),
         profile={"goal": "bulkier"}, detail="1 squats/lunges session(s), at least 2"),
    # Three days of easy running only: one kind.
    Case("a mix",
         violating=lambda p: make_plan(p, {d: [{"kind": "long_run", "minutes": 35}]
                                           for d in ("mon", "wed", "sat")}),
         clean=lambda p: make_plan(p, CLEAN_WEEK), detail="1 kind(s) in a 3-day week"),
    # An intermediate runs at most two sprint/hill sessions a week.
    Case("hard running sessions",
         violating=lambda p: make_plan(p, {"mon": [SPRINTS], "wed": [HILLS],
                                           "fri": [SPRINTS, EASY_20]}),
         clean=lambda p: make_plan(p, CLEAN_WEEK), detail="3 sprint/hill session(s), at most 2"),
)
IDS = [c.rule for c in CASES]


def results_of(plan: Plan) -> dict[str, Any]:
    return {r.name: r for r in plan.guardrails}


def scored(case: Case, which: str) -> Plan:
    profile = make_profile(**case.profile)
    return score(profile, getattr(case, which)(profile))


def test_every_rule_has_a_case() -> None:
    assert sorted(IDS) == sorted(guardrails.RULE_NAMES)
    assert len(set(IDS)) == len(IDS)


def test_every_rule_is_reported_once_in_order() -> None:
    plan = score(make_profile(), make_plan(make_profile(), CLEAN_WEEK))
    assert [r.name for r in plan.guardrails] == list(guardrails.RULE_NAMES)


def test_clean_week_passes_every_rule() -> None:
    plan = score(make_profile(), make_plan(make_profile(), CLEAN_WEEK))
    assert all(r.ok for r in plan.guardrails), [r for r in plan.guardrails if not r.ok]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rule_flags_the_violating_plan_and_only_that_rule(case: Case) -> None:
    results = results_of(scored(case, "violating"))
    assert results[case.rule].ok is False
    assert case.detail in results[case.rule].detail
    assert [n for n, r in results.items() if not r.ok] == sorted(
        (case.rule, *case.also), key=list(guardrails.RULE_NAMES).index)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_rule_passes_the_clean_plan(case: Case) -> None:
    results = results_of(scored(case, "clean"))
    assert results[case.rule].ok is True
    assert [n for n, r in results.items() if not r.ok] == []


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_broken_rule_is_named_in_the_explanation(case: Case) -> None:
    plan = scored(case, "violating")
    assert any(case.rule in line for line in plan.explanation)


def test_a_beginners_60_minutes_come_in_short_runs() -> None:
    """"running load", its beginner clause: an athlete at 30 min a week may run 60 (Couch to 5K's
    first week), as 2 × 30 (33 at most: the week + 10 %), not as one 60-minute run; at 45 min a
    week, runs of up to 49.5 min; a runner at 120 min a week may run 60."""
    beginner = make_profile(recent_weekly_run_minutes=30, goal="bulkier")
    one = {"mon": [SQUATS], "wed": [SQUATS], "sat": [{"kind": "long_run", "minutes": 60}]}
    result = results_of(score(beginner, make_plan(beginner, one)))["running load"]
    assert not result.ok and "a beginner's runs at most 33 min: sat 60 min" in result.detail
    two = {"mon": [SQUATS, {"kind": "long_run", "minutes": 30}], "wed": [SQUATS],
           "sat": [{"kind": "long_run", "minutes": 30}]}
    assert results_of(score(beginner, make_plan(beginner, two)))["running load"].ok
    assert guardrails.longest_easy_run(make_profile(recent_weekly_run_minutes=45)) == \
        pytest.approx(49.5)
    runner = make_profile()
    assert guardrails.longest_easy_run(runner) is None
    assert results_of(score(runner, make_plan(runner, one)))["running load"].ok


def test_session_volume_also_caps_the_weeks_sets_at_twenty() -> None:
    """"session volume", its weekly clause: 3 × 8 sets = 24 is over the top of the usual 12-20
    a week (Baz-Valle 2022); 8 + 8 + 4 = 20 is fine."""
    profile = make_profile(training_days=4)

    def week(last: int) -> dict[str, list[dict[str, Any]]]:
        return {"mon": [{"kind": "squats_lunges", "minutes": 30, "sets": 8}],
                "wed": [{"kind": "squats_lunges", "minutes": 30, "sets": 8}],
                "fri": [{"kind": "squats_lunges", "minutes": 30, "sets": last}],
                "sun": [{"kind": "long_run", "minutes": 100}]}

    over = results_of(score(profile, make_plan(profile, week(8))))
    assert not over["session volume"].ok
    assert "24 hard sets in the week, over 20" in over["session volume"].detail
    assert [n for n, r in over.items() if not r.ok] == ["session volume"]
    assert results_of(score(profile, make_plan(profile, week(4))))["session volume"].ok
    assert WEEK_SETS_MAX == 20


# ---- the bounds the rules (and the solver) share, with numbers -------------------------------
def test_intake_floor_is_resting_energy_when_above_the_sex_floor() -> None:
    # Mifflin-St Jeor, woman 65 kg, 168 cm, 30 y: 9.99·65 + 6.25·168 − 4.92·30 − 161
    assert guardrails.intake_floor(make_profile()) == pytest.approx(1390.75, abs=0.01)


def test_intake_floor_is_1500_for_a_small_man() -> None:
    small_man = make_profile(sex="male", weight_kg=50, height_cm=160, age=60)
    assert guardrails.intake_floor(small_man) == pytest.approx(1500.0, abs=0.01)


def test_calorie_bounds_follow_deficit_and_surplus_limits() -> None:
    low, high = guardrails.calorie_bounds(make_profile(), 2400.0)
    assert low == pytest.approx(1800.0, abs=0.01)  # 2400 × (1 − 25 %)
    assert high == pytest.approx(2880.0, abs=0.01)  # 2400 × (1 + 20 %)


def test_running_cap_grows_recent_volume_by_ten_percent() -> None:
    assert guardrails.running_cap(make_profile()) == pytest.approx(132.0, abs=0.01)


def test_running_cap_has_a_starter_allowance() -> None:
    assert guardrails.running_cap(make_profile(recent_weekly_run_minutes=0)) == pytest.approx(
        guardrails.STARTER_RUN_MINUTES, abs=0.01)


def test_protein_bounds_are_1_6_to_2_2_g_per_kg() -> None:
    assert guardrails.protein_bounds(make_profile()) == (104, 143)


def test_tighter_limits_tighten_the_bounds() -> None:
    tight = make_profile(limits={"max_deficit_pct": 10, "max_surplus_pct": 5,
                                 "protein_min_g_per_kg": 2.0})
    low, high = guardrails.calorie_bounds(tight, 2400.0)
    assert low == pytest.approx(2160.0, abs=0.01)
    assert high == pytest.approx(2520.0, abs=0.01)
    assert guardrails.protein_bounds(tight) == (130, 143)


@pytest.mark.parametrize("facilities,load,broken", [
    (["dumbbells"], None, None),  # no load named: the heaviest the facilities allow (goblet)
    (["dumbbells"], "barbell", "barbell squats without the equipment"),
    ([], "goblet", "goblet squats without the equipment"),
    ([], "bodyweight", None),
])
def test_squat_loads_are_checked_against_the_facilities(facilities, load, broken):
    profile = make_profile(facilities=facilities)
    week = {"mon": [{**SQUATS, **({"load": load} if load else {})}]}
    plan = score(profile, make_plan(profile, week))
    shown = plan.days[0].sessions[0].load
    assert shown == (load or "goblet")
    facility = next(r for r in plan.guardrails if r.name == "facilities")
    assert facility.ok == (broken is None)
    assert broken is None or broken in facility.detail


def test_a_plan_of_no_food_is_scored_not_crashed():
    profile = make_profile()
    plan = score(profile, make_plan(profile, CLEAN_WEEK, calories=0))
    assert {"minimum intake", "deficit"} <= {r.name for r in plan.guardrails if not r.ok}


@pytest.mark.parametrize("changes, fragment", [
    ({"weight_kg": 35}, "BMI 12.4 is under 18.5"),
    ({"body_fat_pct": 3}, "body fat 3 % is under the 15 % floor"),
    ({"sex": "male", "body_fat_pct": 6}, "body fat 6 % is under the 8 % floor"),
])
def test_no_deficit_below_a_healthy_weight_or_body_fat_floor(changes, fragment) -> None:
    """WHO BMI 18.5; IOC REDs consensus (Mountjoy 2018): the lowest intake is expenditure."""
    profile = make_profile(goal="leaner", **changes)
    assert fragment in (guardrails.deficit_block(profile) or "")
    low, _ = guardrails.calorie_bounds(profile, 2000.0)
    assert low == pytest.approx(2000.0, abs=1e-9)


def test_a_healthy_athlete_may_cut() -> None:
    assert guardrails.deficit_block(make_profile(goal="leaner")) is None
