"""What-ifs (issue 6): every kind of CHANGE, guardrail-breaking pins, output and the CLI.

The solved scenarios share one module-scoped what-if (about 20 solves); parsing and error tests
solve nothing.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner import cli
from planner.jobs.planning import solve
from planner.jobs.whatif import (
    WHATIF_PARAMS,
    Scenario,
    WhatIf,
    edit_profile,
    parse_change,
    parse_scenario,
    parse_scenarios,
    whatif,
)
from planner.model.errors import InputError, NoSafePlanError
from planner.model.plan import PlanInput
from planner.model.profile import load_profile
from planner.report.whatif_render import render_whatif
from planner.science import guardrails
from planner.science.scoring import score
from planner.solve.solver import Pins

SAMPLES = Path(__file__).resolve().parent.parent / "sample_profiles"
DANA = SAMPLES / "dana_reyes.yaml"

SCENARIOS = [
    "lean: goal=leaner",
    "weekend off: availability.sat=0, availability.sun=0, exclude=sprints",
    "heavier: weight_kg=70, horizon_weeks=16, calories=+100",
    "eat <2400>: calories=2400",
    "no sprints: sprints=0, squats_lunges=3",
    "binge: calories=+500",
    "starve: calories=1000",
    "sprint daily: sprints=7",
]


@pytest.fixture(scope="module")
def profile():
    return load_profile(DANA)


@pytest.fixture(scope="module")
def result(profile) -> WhatIf:
    return whatif(profile, parse_scenarios(SCENARIOS, [], profile))


def column(result: WhatIf, name: str) -> Scenario:
    return next(s for s in result.scenarios if s.name == name)


def week_of(scenario: Scenario) -> PlanInput:
    assert scenario.plan is not None
    return PlanInput(calories_per_day=scenario.plan.calories_per_day,
                     protein_g_per_day=scenario.plan.protein_g_per_day, days=scenario.plan.days)


# ---------------------------------------------------------------------------------------------
# Parsing (no solves)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, path, value, relative", [
    ("goal=leaner", ("goal",), "leaner", False),
    ("availability.sat=0", ("availability", "sat"), 0, False),
    ("exclude=sprints", ("exclude",), ["sprints"], False),
    ("facilities=hills; track", ("facilities",), ["hills", "track"], False),
    ("exclude=", ("exclude",), [], False),
    ("weight_kg=70", ("weight_kg",), 70, False),
    ("horizon_weeks=16", ("horizon_weeks",), 16, False),
    ("calories=+300", ("calories",), 300, True),
    ("calories=-200", ("calories",), -200, True),
    ("calories=2400", ("calories",), 2400, False),
    ("sprints=0", ("sprints",), 0, False),
    ("squats_lunges=3", ("squats_lunges",), 3, False),
])
def test_parse_change_kinds(profile, text, path, value, relative):
    change = parse_change(text, "s", profile)
    assert (change.path, change.value, change.relative) == (path, value, relative)
    assert change.is_pin == (path[0] in ("calories", "sprints", "squats_lunges"))


@pytest.mark.parametrize("text, field", [
    ("colories=2400", "colories"),
    ("calories=lots", "calories"),
    ("sprints=8", "sprints"),
    ("sprints=-1", "sprints"),
    ("weight_kg", "weight_kg"),
])
def test_bad_change_names_scenario_and_field(profile, text, field):
    with pytest.raises(InputError) as err:
        parse_scenario(f"my plan: {text}", profile)
    assert err.value.source == "scenario 'my plan'"
    assert err.value.problems[0][0] == field


@pytest.mark.parametrize("text, field", [
    ("weight_kg=abc", "weight_kg"),
    ("availability.someday=30", "availability.someday"),
    ("limits.max_surplus_pct=30", "limits.max_surplus_pct"),  # may only tighten
    ("exclude=swimming", "exclude.0"),
])
def test_bad_profile_edit_is_input_error(profile, text, field):
    spec = parse_scenario(f"x: {text}", profile)
    with pytest.raises(InputError) as err:
        edit_profile(profile, spec.changes, spec.name)
    assert err.value.source == "scenario 'x'"
    assert any(f.startswith(field) for f, _ in err.value.problems)


def test_goal_change_resets_the_old_goals_target(profile):
    assert profile.target_thigh_change_cm == 1.0
    edited, notes = edit_profile(profile, [parse_change("goal=leaner", "x", profile)], "x")
    assert edited.goal == "leaner" and edited.target_thigh_change_cm is None
    assert notes and "target_thigh_change_cm" in notes[0]


def test_set_names_scenario_after_change_and_names_are_unique(profile):
    specs = parse_scenarios(["a: sprints=0"], ["calories=+300"], profile)
    assert [s.name for s in specs] == ["a", "calories=+300"]
    with pytest.raises(InputError):
        parse_scenarios(["a: sprints=0", "a: sprints=1"], [], profile)
    with pytest.raises(InputError):
        parse_scenarios(["a: sprints=0, sprints=1"], [], profile)


# ---------------------------------------------------------------------------------------------
# Solved scenarios
# ---------------------------------------------------------------------------------------------
def test_baseline_first_then_scenarios_in_order(result):
    assert [s.name for s in result.scenarios] == ["baseline"] + [s.split(":")[0] for s in SCENARIOS]
    assert result.scenarios[0].status == "baseline"


def test_goal_edit_resolves_for_the_new_goal(result):
    lean = column(result, "lean")
    assert lean.status == "applied" and lean.plan.goal == "leaner"
    assert lean.outcome.thigh_cm_change < 0
    assert lean.outcome.thigh_cm_change < column(result, "baseline").outcome.thigh_cm_change


def test_availability_and_exclude_edits(result):
    off = column(result, "weekend off")
    assert off.status == "applied"
    days = {d.day: d.sessions for d in off.plan.days}
    assert days["sat"] == [] and days["sun"] == []
    assert off.outcome.sessions["sprints"] == 0


def test_weight_and_horizon_edits_with_relative_calories(result, profile):
    heavy, base = column(result, "heavier"), column(result, "baseline")
    assert heavy.status == "applied"
    assert heavy.outcome.weeks == 16 and len(heavy.outcome.thigh_cm) == 17
    assert heavy.plan.protein_g_per_day == round(1.8 * 70)  # protein follows the new weight
    assert heavy.outcome.calories_per_day == base.outcome.calories_per_day + 100


def test_absolute_calorie_pin(result):
    eat = column(result, "eat <2400>")
    assert eat.status == "applied" and eat.outcome.calories_per_day == 2400
    assert eat.outcome.broken_guardrails == []


def test_session_count_pins(result):
    pinned = column(result, "no sprints")
    assert pinned.status == "applied"
    assert pinned.outcome.sessions["sprints"] == 0
    assert pinned.outcome.sessions["squats_lunges"] == 3


def test_surplus_pin_not_applied_names_guardrail_and_nearest_safe_value(result, profile):
    binge, base = column(result, "binge"), column(result, "baseline")
    asked = base.outcome.calories_per_day + 500
    assert binge.status == "nearest safe value"
    (problem,) = binge.problems
    assert problem.change == "calories=+500" and problem.rules == ["surplus"]
    shown = binge.outcome.calories_per_day
    assert problem.nearest_safe == f"calories={shown}"
    assert base.outcome.calories_per_day < shown < asked
    assert binge.outcome.broken_guardrails == []
    # the independent checker: the shown week at the asked intake breaks the surplus guardrail
    at_asked = score(profile, week_of(binge).model_copy(update={"calories_per_day": asked}))
    assert [g.name for g in at_asked.guardrails if not g.ok] == ["surplus"]


def test_intake_below_floor_goes_to_the_floor(result, profile):
    starve = column(result, "starve")
    assert starve.status == "nearest safe value"
    assert "minimum intake" in starve.problems[0].rules
    (problem,) = starve.problems
    assert problem.rules == ["minimum intake", "deficit"]  # 1000 is under both
    shown = starve.outcome.calories_per_day
    assert problem.nearest_safe == f"calories={shown}"
    assert shown >= guardrails.intake_floor(profile)
    assert not set(starve.outcome.broken_guardrails) - set(guardrails.SHAPE_RULE_NAMES)
    # one step lower, the shown week eats too far below its expenditure
    lower = score(profile, week_of(starve).model_copy(update={"calories_per_day": shown - 25}))
    assert [g.name for g in lower.guardrails
            if not g.ok and g.name not in guardrails.SHAPE_RULE_NAMES] == ["deficit"]


def test_impossible_session_pin_names_conflict_and_nearest_count(result, profile):
    sprint = column(result, "sprint daily")
    assert sprint.status == "nearest safe value"
    (problem,) = sprint.problems
    assert "pinned sessions" in problem.rules
    count = sprint.outcome.sessions["sprints"]
    assert problem.nearest_safe == f"sprints={count}" and count < 7
    # the pin wins over the plan-shape rules it conflicts with; no guardrail gives way
    assert not set(sprint.outcome.broken_guardrails) - set(guardrails.SHAPE_RULE_NAMES)
    with pytest.raises(NoSafePlanError):  # one more is not safe: the nearest count is the nearest
        solve(profile, WHATIF_PARAMS, Pins(kind_counts=(("sprints", count + 1),)))


def test_output_is_deterministic_without_wall_time(result):
    for s in result.scenarios:
        if s.plan is not None and s.plan.solver is not None:
            assert s.plan.solver.wall_ms == 0.0
    assert render_whatif(result, "json") == result.to_json()
    doc = json.loads(result.to_json())
    assert [s["name"] for s in doc["scenarios"]][0] == "baseline"


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_table_columns_and_overlay_chart(result):
    page = render_whatif(result, "html")
    parsed = _Collect()
    parsed.feed(page)
    headers = [a["data-scenario"] for t, a in parsed.tags if t == "th" and "data-scenario" in a]
    assert headers == [s.name for s in result.scenarios]
    lines = [a for t, a in parsed.tags if t == "polyline"]
    assert len(lines) == sum(1 for s in result.scenarios if s.outcome is not None)
    assert not any(t == "script" for t, _ in parsed.tags)
    assert "eat &lt;2400&gt;" in page and "<2400>" not in page
    assert "breaks surplus" in "".join(parsed.text)


def test_markdown_table_has_one_column_per_scenario(result):
    text = render_whatif(result, "md")
    header = next(line for line in text.splitlines() if line.startswith("| Scenario |"))
    assert header.count("|") == len(result.scenarios) + 2
    for label in ("Calories per day", "Thigh change", "Leg muscle change", "Leg fat change",
                  "Body weight change", "Goal reached", "Training per week"):
        assert f"| {label} |" in text


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------
def test_cli_unknown_field_exits_2_naming_scenario():
    res = CliRunner().invoke(cli.main, ["whatif", str(DANA), "--scenario", "oops: colories=1"])
    assert res.exit_code == 2
    assert "scenario 'oops'" in res.output and "colories" in res.output


def test_cli_no_safe_baseline_exits_3(tmp_path):
    text = DANA.read_text().replace(
        "availability: {mon: 60, tue: 0, wed: 45, thu: 60, fri: 0, sat: 90, sun: 120}",
        "availability: {}")
    path = tmp_path / "idle.yaml"
    path.write_text(text)
    res = CliRunner().invoke(cli.main, ["whatif", str(path), "--set", "calories=2400"])
    assert res.exit_code == 3


def test_cli_set_writes_json(tmp_path):
    out = tmp_path / "w.json"
    res = CliRunner().invoke(cli.main, ["whatif", str(DANA), "--set", "exclude=sprints",
                                        "--format", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert [s["name"] for s in doc["scenarios"]] == ["baseline", "exclude=sprints"]
    assert doc["scenarios"][1]["outcome"]["sessions"]["sprints"] == 0
