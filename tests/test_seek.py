"""Goal-seeking (issue 6): least-change and minimal, earliest week vs a brute-force scan, sweeps."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from planner import cli
from planner.jobs.seek import SEEK_PARAMS, parse_sweep, seek, seek_profile
from planner.model.errors import InputError
from planner.model.plan import CALORIE_STEP, PlanInput
from planner.model.profile import load_profile
from planner.report.whatif_render import render_seek
from planner.science.block import block_input
from planner.science.scoring import score
from planner.solve.solver import Pins, reaching_week


def reaches(profile, params, pins, weeks: int) -> bool:
    """Does some safe plan reach the goal over a ``weeks``-week horizon (full re-score)?"""
    return reaching_week(profile, params, pins, weeks) is not None

SAMPLES = Path(__file__).resolve().parent.parent / "sample_profiles"
DANA = SAMPLES / "dana_reyes.yaml"
REACHABLE = (1.0, 12)  # +1.0 cm by week 12: reachable for Dana
UNREACHABLE = (1.0, 4)  # +1.0 cm by week 4: not; the earliest week is a few weeks later


@pytest.fixture(scope="module")
def profile():
    return load_profile(DANA)


@pytest.fixture(scope="module")
def reached(profile):
    sweeps = [parse_sweep("calories=1900..2850:50"), parse_sweep("squats_lunges=1..2")]
    return seek(profile, *REACHABLE, sweeps)


@pytest.fixture(scope="module")
def unreached(profile):
    return seek(profile, *UNREACHABLE)


def rescored(profile, result, calories=None):
    sp = seek_profile(profile, result.target_thigh_change_cm, result.weeks)
    plan = PlanInput(calories_per_day=result.plan.calories_per_day if calories is None else calories,
                     protein_g_per_day=result.plan.protein_g_per_day, days=result.plan.days)
    return score(sp, block_input(sp, plan, result.weeks))  # the block of that working week


def test_seek_profile_replaces_goal_and_horizon(profile):
    gain = seek_profile(profile, 1.5, 8)
    assert (gain.goal, gain.target_thigh_change_cm, gain.horizon_weeks) == ("bulkier", 1.5, 8)
    loss = seek_profile(profile, -1.0)
    assert (loss.goal, loss.target_thigh_change_cm, loss.horizon_weeks) == ("leaner", -1.0, 12)
    with pytest.raises(InputError):
        seek_profile(profile, 0.0)


def test_reached_plan_rescored_reaches_target_safely(profile, reached):
    assert reached.reached
    again = rescored(profile, reached)
    assert again.goal_reached
    assert again.projection.thigh_circumference_cm_change >= REACHABLE[0]
    assert all(g.ok for g in again.guardrails)


def test_one_calorie_step_less_does_not_reach(profile, reached):
    assert reached.key_lever == "calories"
    maintenance = reached.plan.projection.maintenance_kcal_per_day
    assert reached.plan.calories_per_day > maintenance  # a gain is bought with a surplus
    less = rescored(profile, reached, reached.plan.calories_per_day - CALORIE_STEP)
    assert not less.goal_reached
    assert less.projection.thigh_circumference_cm_change < REACHABLE[0]
    step = next(s for s in reached.one_step_less if s.lever == "calories")
    assert not step.goal_reached
    assert step.thigh_cm_change == pytest.approx(less.projection.thigh_circumference_cm_change,
                                                 abs=1e-9)


def test_unreachable_reports_best_and_earliest_week_matching_brute_force(profile, unreached):
    target, weeks = UNREACHABLE
    assert not unreached.reached
    assert unreached.best_thigh_change_cm < target
    assert unreached.outcome.broken_guardrails == []
    earliest = unreached.earliest_week
    assert earliest is not None and weeks < earliest <= 52
    sp = seek_profile(profile, target, weeks)
    # brute force: every week from N+1 up to the earliest, one solve each
    scan = [w for w in range(weeks + 1, earliest + 1) if reaches(sp, SEEK_PARAMS, Pins(), w)]
    assert scan == [earliest]


def test_calorie_sweep_is_monotone_and_marks_guardrails(reached):
    curve = reached.sweeps[0]
    assert curve.method == "week fixed, re-scored"
    assert [p.value for p in curve.points] == list(range(1900, 2851, 50))
    weight = [p.outcome.body_weight_kg_change for p in curve.points]
    thigh = [p.outcome.thigh_cm_change for p in curve.points]
    assert all(b >= a for a, b in zip(weight, weight[1:]))  # more surplus → never less weight
    assert all(b >= a for a, b in zip(thigh, thigh[1:]))
    high = curve.points[-1]
    assert not high.safe and high.broken_rules == ["surplus"]  # kept and marked, not dropped
    assert any(p.safe for p in curve.points)


def test_session_sweep_pins_each_count(reached):
    curve = reached.sweeps[1]
    assert curve.method == "re-solved with the value pinned"
    assert [(p.value, p.outcome.sessions["squats_lunges"]) for p in curve.points] == [(1, 1), (2, 2)]


@pytest.mark.parametrize("text, values", [
    ("calories=2000..2100:50", [2000, 2050, 2100]),
    ("calories=-50..+50:50", [2250, 2300, 2350]),  # relative to a 2300 kcal/d plan
    ("calories=2000..2100", [2000, 2050, 2100]),
    ("sprints=0..2", [0, 1, 2]),
])
def test_parse_sweep(text, values):
    assert parse_sweep(text).values(2300) == values


@pytest.mark.parametrize("text", ["calories=2100..2000", "sprints=0..9", "legs=1..2",
                                  "calories=1..99999:1", "calories"])
def test_parse_sweep_rejects(text):
    with pytest.raises(InputError):
        parse_sweep(text)


def test_render_seek_html_chart_and_markdown(reached):
    page = render_seek(reached, "html")
    assert page.count("<polyline") == 2  # one curve per sweep
    assert "<script" not in page and "key lever" in page
    text = render_seek(reached, "md")
    assert "## Sweep: Calories" in text and "| 2,850 kcal/d |" in text


def test_cli_seek_zero_is_bad_input():
    res = CliRunner().invoke(cli.main, ["seek", str(DANA), "--thigh-cm", "0"])
    assert res.exit_code == 2 and "maintain" in res.output
