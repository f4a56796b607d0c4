"""What-ifs: the baseline plan next to scenarios that edit the profile or pin part of the plan.

A scenario is ``"NAME: CHANGE[, CHANGE…]"`` (``--scenario``) or one ``FIELD=VALUE`` (``--set``,
named after the change). A CHANGE is either

* a **profile edit** — a (dotted) profile field: ``goal=leaner``, ``availability.sat=0``,
  ``exclude=sprints`` (lists separated by ``;``: ``facilities=hills;track``, empty: ``exclude=``),
  ``weight_kg=70``, ``horizon_weeks=16``, ``limits.max_surplus_pct=10``. The edited profile is
  validated again, so an edit can never loosen a limit; then the plan is solved afresh.
* a **plan pin** — ``calories=+300`` / ``calories=-200`` (relative to the baseline plan's
  calories), ``calories=2400`` (absolute, kcal/d) or ``<kind>=N`` sessions of that kind a week
  (``sprints=0``, ``squats_lunges=3``). The solver fixes the pinned part and re-optimises the rest;
  the result is re-scored by the full effect model like every plan.

A change that would break a guardrail is never silently applied: a calorie pin is checked against
the calorie guardrails *before* solving (intake floor, deficit and surplus, judged against the
expenditure of the baseline week under the scenario's profile); a session pin that no safe week can
hold comes back from the solver as a conflict of named rules. Either way the scenario says which
rule, the nearest safe value, and shows the plan at that value, labelled as such.

Scenarios are independent of each other and solved concurrently (CP-SAT releases the GIL; every
solve is single-worker and seeded, so the result does not depend on the scheduling).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from planner.jobs.common import (
    MAX_SESSIONS_A_WEEK,
    holds_intake,
    intake_offsets,
    parallel_map,
    solve_or_conflict,
)
from planner.jobs.planning import solve
from planner.model.documents import yaml_value
from planner.model.errors import InputError, NoSafePlanError
from planner.model.plan import CALORIE_STEP, MAX_CALORIES, Plan, PlanInput
from planner.model.profile import KINDS, Profile, parse_profile
from planner.model.scenarios import Outcome, Problem, Scenario, WhatIf
from planner.model.text import find_unprintable
from planner.science import guardrails
from planner.science.block import block_input, cycle_bounds
from planner.science.progression import CALORIE_RESET_EVERY
from planner.science.effect import expenditure_at, plan_load
from planner.solve.instance import Pins, SolverParams, prepare

PIN_FIELDS = ("calories",) + KINDS
# What-ifs compare outcomes by the horizon; the earliest-week search (a binary search of solves)
# is left to `legplan plan` / `legplan seek`.
WHATIF_PARAMS = SolverParams(find_earliest_week=False)


# ---------------------------------------------------------------------------------------------
# Parsing changes
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One ``FIELD=VALUE``: a profile edit (``path``) or a pin (``calories`` / a kind)."""

    text: str
    path: tuple[str, ...]
    value: Any
    relative: bool = False  # calories=+300 / -200

    @property
    def is_pin(self) -> bool:
        return self.path[0] in PIN_FIELDS


@dataclass(frozen=True)
class ScenarioSpec:
    name: str
    changes: tuple[Change, ...]


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside brackets/braces (so ``availability={sat: 0, sun: 60}`` stays)."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth = max(0, depth - 1)
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _bad(scenario: str, fieldname: str, message: str) -> InputError:
    return InputError(f"scenario {scenario!r}", [(fieldname, message)])


def parse_change(text: str, scenario: str, profile: Profile) -> Change:
    """``FIELD=VALUE`` → Change; InputError naming the scenario and the field when it is bad."""
    if "=" not in text:
        raise _bad(scenario, text, "a change is FIELD=VALUE, e.g. calories=+300 or exclude=sprints")
    name, raw = (part.strip() for part in text.split("=", 1))
    path = tuple(name.split("."))
    if not name or any(not p for p in path):
        raise _bad(scenario, name, "empty field name")
    if path[0] == "calories":
        m = re.fullmatch(r"([+-]?)(\d+)", raw.replace(" ", ""))
        if len(path) > 1 or m is None:
            raise _bad(scenario, name, f"calories takes +N / -N (kcal/d vs the baseline) or N, "
                                       f"not {raw!r}")
        value = int(m.group(2)) * (-1 if m.group(1) == "-" else 1)
        if not m.group(1) and not holds_intake(value):
            raise _bad(scenario, name, f"{value} kcal/d is outside 1-{MAX_CALORIES}")
        return Change(text, path, value, relative=bool(m.group(1)))
    if path[0] in KINDS:
        if len(path) > 1 or not re.fullmatch(r"\d+", raw) or int(raw) > MAX_SESSIONS_A_WEEK:
            raise _bad(scenario, name, f"sessions a week must be a whole number 0-"
                                       f"{MAX_SESSIONS_A_WEEK}, not {raw!r}")
        return Change(text, path, int(raw))
    if path[0] not in Profile.model_fields:
        raise _bad(scenario, name, "unknown field: not a profile field, 'calories' or a session "
                                   f"kind ({', '.join(KINDS)})")
    current = getattr(profile, path[0])
    if isinstance(current, list) and len(path) == 1:
        value: Any = [v.strip() for v in raw.split(";") if v.strip()]
    else:
        try:  # read like a profile file: 1:04, 0x1E or yes stay text, a key given twice is an error
            value = yaml_value(raw, f"scenario {scenario!r}") if raw else None
        except InputError as e:
            where, problem = e.problems[0]
            problem = f"{where}: {problem}" if where else problem
            raise _bad(scenario, name, f"cannot read the value {raw!r}: {problem}") from None
    return Change(text, path, value)


def parse_scenario(text: str, profile: Profile) -> ScenarioSpec:
    """``"NAME: CHANGE[, CHANGE…]"`` (without ``NAME:`` the changes name the scenario)."""
    head, sep, rest = text.partition(":")
    if sep and "=" not in head:
        name, body = head.strip(), rest
    else:
        name, body = text.strip(), text
    if not name:
        raise _bad(text, "", "a scenario needs a name before ':'")
    parts = [p for p in split_top_level(body) if p]
    if not parts:
        raise _bad(name, "", "a scenario needs at least one change FIELD=VALUE")
    changes = tuple(parse_change(p, name, profile) for p in parts)
    seen = [".".join(c.path) for c in changes]
    twice = sorted({s for s in seen if seen.count(s) > 1})
    if twice:
        raise _bad(name, twice[0], "changed twice in one scenario")
    return ScenarioSpec(name, changes)


def parse_scenarios(scenarios: Iterable[str], sets: Iterable[str],
                    profile: Profile) -> list[ScenarioSpec]:
    """``--scenario`` texts, then one scenario per ``--set`` change; names must be unique."""
    specs = [parse_scenario(s, profile) for s in scenarios]
    specs += [ScenarioSpec(s.strip(), (parse_change(s.strip(), s.strip(), profile),))
              for s in sets]
    names = [s.name for s in specs]
    for name in names:
        if names.count(name) > 1 or name == "baseline":
            raise _bad(name, "", "scenario names must be unique and not 'baseline'")
        if find_unprintable(name) is not None:  # it is shown in the terminal, Markdown and HTML
            raise _bad(name, "", "a scenario name must be printable text (no control characters)")
    return specs


def check_calorie_pins(specs: Iterable[ScenarioSpec], baseline: Plan) -> None:
    """Relative calorie pins must land on an intake a plan can hold (1-10000 kcal/d), as absolute
    ones must: InputError naming the scenario and the offsets allowed from this baseline."""
    base = baseline.calories_per_day
    for spec in specs:
        for c in spec.changes:
            if c.path[0] == "calories" and c.relative and not holds_intake(base + c.value):
                raise _bad(spec.name, "calories", (
                    f"{c.text} gives {base + c.value} kcal/d from the baseline's {base}; a pin "
                    f"must give {intake_offsets(base)}"))


def edit_profile(profile: Profile, edits: Iterable[Change], scenario: str) -> tuple[Profile, list[str]]:
    """The profile with the edits applied, validated again (InputError names the scenario)."""
    data = profile.model_dump()
    notes = []
    edits = list(edits)
    for change in edits:
        node = data
        for key in change.path[:-1]:
            if not isinstance(node.get(key), dict):
                if node.get(key) is None and key in ("limits", "availability"):
                    node[key] = {}
                else:
                    raise _bad(scenario, ".".join(change.path), f"{key} has no sub-fields")
            node = node[key]
        node[change.path[-1]] = change.value
    touched = {c.path[0] for c in edits}
    if "goal" in touched and "target_thigh_change_cm" not in touched \
            and data.get("target_thigh_change_cm") is not None and data["goal"] != profile.goal:
        # the old target was a threshold for the old goal; the new goal uses its own default
        data["target_thigh_change_cm"] = None
        notes.append(f"target_thigh_change_cm reset: it was for goal {profile.goal}")
    edited = parse_profile(data, f"scenario {scenario!r}")
    return edited, notes


# ---------------------------------------------------------------------------------------------
# Running scenarios
# ---------------------------------------------------------------------------------------------
def calorie_check(profile: Profile, week: PlanInput, calories: int) -> tuple[list[str], int, str]:
    """Check a pinned intake against the calorie guardrails *before* solving.

    Judged against the expenditure of every week of the first calorie cycle of the block built
    from ``week`` (the baseline's working week) under ``profile``: a lighter week burns less, so
    it bounds the surplus. Returns the broken rules (empty when safe), the nearest safe intake (a
    whole ``CALORIE_STEP``) and a detail.
    """
    cycle = min(profile.horizon_weeks, CALORIE_RESET_EVERY)  # the block's first weeks are its own
    built = block_input(profile, week, cycle).weeks or []
    loads = [plan_load(profile, [s for d in w.days for s in d.sessions]) for w in built]
    low, high = cycle_bounds(profile, [ld.session_kcal_per_kg for ld in loads],
                             profile.weight_kg, rounded=False)
    # the expenditures that bound the calories: the deficit's (the fullest week) and the surplus's
    spent = [expenditure_at(profile, ld.session_kcal_per_kg, profile.weight_kg) for ld in loads]
    maintenance, leanest = max(spent), min(spent)
    floor = guardrails.intake_floor(profile)
    safe_low = int(math.ceil(low / CALORIE_STEP) * CALORIE_STEP)
    safe_high = int(math.floor(high / CALORIE_STEP) * CALORIE_STEP)
    lim = profile.limits
    if calories < low - 1e-6:
        rules = ["minimum intake"] if calories < floor - 1e-6 else []
        if calories < maintenance * (1 - lim.max_deficit_pct / 100) - 1e-6:
            rules.append("deficit")
        pct = (maintenance - calories) / maintenance * 100
        detail = (f"{calories} kcal/d is {pct:.0f} % below the expenditure of {maintenance:.0f} "
                  f"kcal/d (deepest deficit {lim.max_deficit_pct:g} %, floor {floor:.0f} kcal/d)")
        return rules, safe_low, detail
    if calories > high + 1e-6:
        pct = (calories - leanest) / leanest * 100
        detail = (f"{calories} kcal/d is {pct:.0f} % above the expenditure of {leanest:.0f} "
                  f"kcal/d (largest surplus {lim.max_surplus_pct:g} %)")
        return ["surplus"], safe_high, detail
    return [], calories, ""


def pin_calories(profile: Profile, week: PlanInput, text: str, calories: int,
                 counts: tuple[tuple[str, int], ...], params: SolverParams,
                 ) -> tuple[int, Plan | NoSafePlanError | None, Problem | None]:
    """A calorie pin, checked before solving: (calories to use, the plan if already solved,
    the problem if the pin is not applied as asked).

    Inside the calorie bounds of the baseline week the pin is simply solved (None plan). Outside
    them, another week — with more or less training, so another expenditure — may still make the
    intake safe, so the pin is solved as asked; when no week does, the nearest safe value is the
    closest whole ``CALORIE_STEP`` towards the bounds that the solver can hold (bisection: the
    safe intakes form an interval).
    """
    rules, safe, detail = calorie_check(profile, week, calories)
    if not rules:
        return calories, None, None
    edge = calories
    if "minimum intake" in rules:  # nothing below the floor is safe, whatever the week
        edge = int(math.ceil(guardrails.intake_floor(profile) / CALORIE_STEP) * CALORIE_STEP)
    elif "surplus" in rules:  # nothing above the surplus bound of the costliest week is safe
        edge = min(edge, most_safe_calories(profile, params))
    plan = solve_or_conflict(profile, Pins(edge, counts), params)
    if isinstance(plan, Plan) and edge == calories:
        return calories, plan, None
    if isinstance(plan, Plan):
        good, good_plan, bad = edge, plan, None
    else:
        good, bad = safe, edge
        good_plan = solve_or_conflict(profile, Pins(good, counts), params)
    while bad is not None and isinstance(good_plan, Plan) and abs(bad - good) > CALORIE_STEP:
        mid = good + int(round((bad - good) / 2 / CALORIE_STEP)) * CALORIE_STEP
        trial = solve_or_conflict(profile, Pins(mid, counts), params)
        if isinstance(trial, Plan):
            good, good_plan = mid, trial
        else:
            bad = mid
    nearest = f"calories={good}" if isinstance(good_plan, Plan) else None
    return good, good_plan, Problem(change=text, rules=rules, detail=detail, nearest_safe=nearest)


def most_safe_calories(profile: Profile, params: SolverParams) -> int:
    """[kcal/d] an upper bound on any safe intake (a whole ``CALORIE_STEP``): the surplus bound
    over the costliest week the athlete's time and running cap allow — the top of the solver's
    calorie domain. A pin above it is searched from here, not from the pin (a pin of +99999 took
    33 s: every bisection step solved and explained a calorie table up to the pin)."""
    top = prepare(profile, profile.horizon_weeks, params, Pins()).cal_hi
    return int(math.ceil(top / CALORIE_STEP) * CALORIE_STEP)


def nearest_counts(counts: dict[str, int]) -> Iterable[dict[str, int]]:
    """Session-count pins one step further away each time (down first), one kind at a time."""
    for distance in range(1, MAX_SESSIONS_A_WEEK + 1):
        for kind, count in counts.items():
            for new in (count - distance, count + distance):
                if 0 <= new <= MAX_SESSIONS_A_WEEK:
                    yield {**counts, kind: new}


@dataclass
class Evaluation:
    status: str = "applied"
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def evaluate(spec: ScenarioSpec, profile: Profile, baseline: Plan,
             params: SolverParams = WHATIF_PARAMS) -> Scenario:
    """Apply one scenario's changes to the profile / plan and solve it."""
    edits = [c for c in spec.changes if not c.is_pin]
    pins = [c for c in spec.changes if c.is_pin]
    result = Evaluation()
    edited, notes = edit_profile(profile, edits, spec.name) if edits else (profile, [])
    result.notes += notes
    calories = None
    counts: dict[str, int] = {}
    for change in pins:
        if change.path[0] == "calories":
            calories = baseline.calories_per_day + change.value if change.relative else change.value
            if change.relative:
                result.notes.append(f"{change.text}: {calories} kcal/d "
                                    f"(baseline {baseline.calories_per_day})")
        else:
            counts[change.path[0]] = change.value
    outcome: Plan | NoSafePlanError | None = None
    if calories is not None:
        change = next(c for c in pins if c.path[0] == "calories")
        week = PlanInput(calories_per_day=baseline.calories_per_day, days=baseline.days)
        calories, outcome, problem = pin_calories(edited, week, change.text, calories,
                                                  tuple(counts.items()), params)
        if problem is not None:
            result.problems.append(problem)
            result.status = "nearest safe value"
    if outcome is None:  # pin_calories' outcome is already the solve with these pins
        outcome = solve_or_conflict(edited, Pins(calories, tuple(counts.items())), params)
    if isinstance(outcome, NoSafePlanError) and counts:
        problem = Problem(change=", ".join(c.text for c in pins if c.path[0] in counts),
                          rules=outcome.conflicting_rules,
                          detail="no safe week holds these sessions")
        for trial in nearest_counts(counts):
            again = solve_or_conflict(edited, Pins(calories, tuple(trial.items())), params)
            if isinstance(again, Plan):
                moved = {k: v for k, v in trial.items() if counts[k] != v}
                problem = problem.model_copy(update={"nearest_safe": ", ".join(
                    f"{k}={v}" for k, v in moved.items())})
                outcome = again
                result.status = "nearest safe value"
                break
        result.problems.append(problem)
    if isinstance(outcome, NoSafePlanError):
        if not counts:
            result.problems.append(Problem(
                change=", ".join(c.text for c in spec.changes), rules=outcome.conflicting_rules,
                detail=str(outcome)))
        return Scenario(name=spec.name, changes=[c.text for c in spec.changes],
                        status="no safe plan", problems=result.problems, notes=result.notes)
    return Scenario(name=spec.name, changes=[c.text for c in spec.changes], status=result.status,
                    problems=result.problems, notes=result.notes, outcome=Outcome.of(outcome),
                    plan=outcome)


def whatif(profile: Profile, specs: list[ScenarioSpec], params: SolverParams = WHATIF_PARAMS,
           jobs: int | None = None) -> WhatIf:
    """Solve the baseline (NoSafePlanError if even it has no safe plan), then every scenario."""
    baseline = solve(profile, params).without_timing()
    check_calorie_pins(specs, baseline)
    base = Scenario(name="baseline", changes=[], status="baseline", outcome=Outcome.of(baseline),
                    plan=baseline)
    # profile edits are validated up front, so a bad one fails before any scenario is solved
    for spec in specs:
        edit_profile(profile, [c for c in spec.changes if not c.is_pin], spec.name)
    # warm start: every scenario begins from the baseline's week (skipped where it breaks a rule)
    warm = replace(params, start=tuple((d.day, s.kind, s.dose) for d in baseline.days
                                       for s in d.sessions))
    scenarios = parallel_map(lambda spec: evaluate(spec, profile, baseline, warm), specs, jobs)
    return WhatIf(athlete=profile.name, goal=profile.goal, units=profile.units,
                  scenarios=[base] + scenarios)
