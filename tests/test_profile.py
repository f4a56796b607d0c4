"""Loading and validating profile files (docs/design.md "Profile file")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from planner.model.errors import InputError
from planner.model.profile import (
    CM_PER_IN,
    KG_PER_LB,
    Profile,
    estimate_body_fat_pct,
    load_profile,
    parse_profile,
)

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "sample_profiles"
SAMPLES = sorted(SAMPLES_DIR.glob("*.yaml"))

MINIMAL: dict[str, Any] = {
    "name": "Test Athlete",
    "sex": "female",
    "age": 30,
    "height_cm": 165,
    "weight_kg": 60,
    "goal": "maintain",
}


def profile_with(**changes: Any) -> Profile:
    return parse_profile({**MINIMAL, **changes}, "test.yaml")


def problems_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as info:
        parse_profile(data, "test.yaml")
    return info.value.problems


def fields_of(data: dict[str, Any]) -> list[str]:
    return [field for field, _ in problems_of(data)]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- loading -------------------------------------------------------------------------------
def test_load_yaml(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path, "a.yaml", yaml.safe_dump(MINIMAL)))
    assert p.name == "Test Athlete"
    assert p.height_cm == pytest.approx(165.0, abs=1e-9)
    assert p.units == "metric"


def test_load_json(tmp_path: Path) -> None:
    p = load_profile(write(tmp_path, "a.json", json.dumps({**MINIMAL, "goal": "leaner"})))
    assert p.goal == "leaner"
    assert p.weight_kg == pytest.approx(60.0, abs=1e-9)


def test_defaults() -> None:
    p = profile_with()
    assert p.fast_twitch_pct == pytest.approx(50.0, abs=1e-9)
    assert p.pal == pytest.approx(1.5, abs=1e-9)
    assert p.horizon_weeks == 12
    assert p.strength_experience == "novice"
    assert p.minutes == {d: 0 for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert p.limits.max_deficit_pct == pytest.approx(25.0, abs=1e-9)
    assert p.facilities == [] and p.exclude == []


def test_absent_days_have_no_time() -> None:
    p = profile_with(availability={"tue": 45, "sat": 90})
    assert list(p.minutes.values()) == [0, 45, 0, 0, 0, 90, 0]


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nobody.yaml"
    with pytest.raises(InputError) as info:
        load_profile(missing)
    assert str(missing) in str(info.value)
    assert "file not found" in str(info.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "name: A\nsex: [female\n")
    with pytest.raises(InputError) as info:
        load_profile(path)
    assert "not valid YAML" in str(info.value)
    assert "line" in str(info.value)


def test_broken_json(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_profile(write(tmp_path, "bad.json", '{"name": "A",}'))
    assert "not valid JSON" in str(info.value)


def test_a_list_is_not_a_profile(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_profile(write(tmp_path, "list.yaml", "- a\n- b\n"))
    assert "mapping" in str(info.value)


# ---- imperial units ------------------------------------------------------------------------
def test_imperial_is_converted_to_metric() -> None:
    data = {k: v for k, v in MINIMAL.items() if k not in ("height_cm", "weight_kg")}
    p = parse_profile({**data, "height_in": 70, "weight_lb": 180})
    assert p.height_cm == pytest.approx(177.8, abs=0.01)  # 70 × 2.54
    assert p.weight_kg == pytest.approx(81.65, abs=0.01)  # 180 × 0.45359237
    assert p.units == "imperial"


def test_conversion_factors_are_exact() -> None:
    assert CM_PER_IN == pytest.approx(2.54, abs=1e-12)
    assert KG_PER_LB == pytest.approx(0.45359237, abs=1e-12)


def test_mixed_units_are_allowed_and_marked_imperial() -> None:
    data = {k: v for k, v in MINIMAL.items() if k != "weight_kg"}
    p = parse_profile({**data, "weight_lb": 132})
    assert p.height_cm == pytest.approx(165.0, abs=1e-9)
    assert p.weight_kg == pytest.approx(59.87, abs=0.01)
    assert p.units == "imperial"


@pytest.mark.parametrize("metric,imperial,value", [("height_cm", "height_in", 65),
                                                    ("weight_kg", "weight_lb", 130)])
def test_metric_and_imperial_together_is_contradictory(metric: str, imperial: str,
                                                       value: float) -> None:
    problems = problems_of({**MINIMAL, imperial: value})
    assert any(metric in msg and imperial in msg and "not both" in msg for _, msg in problems)


def test_imperial_must_be_a_number() -> None:
    data = {k: v for k, v in MINIMAL.items() if k != "height_cm"}
    problems = problems_of({**data, "height_in": "tall"})
    assert any("height_in must be a number" in msg for _, msg in problems)


def test_imperial_out_of_range_after_conversion() -> None:
    data = {k: v for k, v in MINIMAL.items() if k != "weight_kg"}
    assert "weight_kg" in fields_of({**data, "weight_lb": 60})  # 27 kg < 35 kg


# ---- unknown fields and ranges -------------------------------------------------------------
def test_unknown_field_is_rejected_and_named() -> None:
    problems = problems_of({**MINIMAL, "hieght_cm": 170})
    assert problems[0][0] == "hieght_cm"
    assert "unknown field" in problems[0][1]


def test_unknown_field_inside_limits_is_named() -> None:
    assert fields_of({**MINIMAL, "limits": {"max_deficit": 20}}) == ["limits.max_deficit"]


def test_every_bad_field_is_reported_at_once() -> None:
    assert sorted(fields_of({**MINIMAL, "age": 12, "pal": 3.0})) == ["age", "pal"]


@pytest.mark.parametrize("field,value", [
    ("age", 17), ("age", 91),
    ("height_cm", 119), ("height_cm", 231),
    ("weight_kg", 34), ("weight_kg", 251),
    ("body_fat_pct", 2), ("body_fat_pct", 61),
    ("fast_twitch_pct", 14), ("fast_twitch_pct", 86),
    ("pal", 1.1), ("pal", 2.3),
    ("recent_weekly_run_minutes", -1),
    ("horizon_weeks", 0), ("horizon_weeks", 53),
    ("target_thigh_change_cm", 11),
    ("sex", "other"), ("goal", "stronger"), ("strength_experience", "expert"),
    ("long_run_day", "monday"),
])
def test_out_of_range_value_is_rejected_and_named(field: str, value: Any) -> None:
    assert fields_of({**MINIMAL, field: value}) == [field]


@pytest.mark.parametrize("field,value", [
    ("age", 18), ("age", 90), ("horizon_weeks", 1), ("horizon_weeks", 52),
    ("pal", 1.2), ("pal", 2.2), ("fast_twitch_pct", 15), ("fast_twitch_pct", 85),
])
def test_range_edges_are_allowed(field: str, value: Any) -> None:
    assert getattr(profile_with(**{field: value}), field) == pytest.approx(value, abs=1e-9)


def test_literal_error_says_what_is_allowed() -> None:
    (field, msg), = problems_of({**MINIMAL, "goal": "stronger"})
    assert field == "goal"
    assert "must be one of" in msg and "'leaner'" in msg and "'bulkier'" in msg


def test_bad_availability_is_named_by_day() -> None:
    assert fields_of({**MINIMAL, "availability": {"mon": 700}}) == ["availability.mon"]
    (field, msg), = problems_of({**MINIMAL, "availability": {"monday": 60}})
    assert field.startswith("availability.monday")
    assert "'mon'" in msg and "'sun'" in msg


def test_bad_exclusion_kind_is_named() -> None:
    assert fields_of({**MINIMAL, "exclude": ["swimming"]}) == ["exclude.0"]


def test_duplicate_list_entries_are_rejected() -> None:
    problems = problems_of({**MINIMAL, "exclude": ["sprints", "sprints"]})
    assert any("exclude lists an entry twice" in msg for _, msg in problems)


def test_missing_required_field_is_named() -> None:
    data = {k: v for k, v in MINIMAL.items() if k != "goal"}
    assert fields_of(data) == ["goal"]


# ---- body fat estimate (Jackson et al. 2002) ------------------------------------------------
def test_jackson_docstring_example() -> None:
    assert estimate_body_fat_pct("male", 40, 27.78) == pytest.approx(25.69, abs=0.01)


def test_jackson_woman() -> None:
    # 0.14·30 + 39.96·ln(22.04) − 102.01 = 25.78 %
    bmi = 60 / 1.65**2
    assert estimate_body_fat_pct("female", 30, bmi) == pytest.approx(25.78, abs=0.01)


def test_jackson_is_clamped() -> None:
    assert estimate_body_fat_pct("male", 18, 15.0) == pytest.approx(5.0, abs=1e-9)
    assert estimate_body_fat_pct("female", 90, 60.0) == pytest.approx(55.0, abs=1e-9)


def test_body_fat_is_estimated_when_absent() -> None:
    p = profile_with()
    assert p.body_fat_pct is None
    assert p.bmi == pytest.approx(22.04, abs=0.01)
    assert p.body_fat_fraction == pytest.approx(0.2578, abs=0.0001)


def test_given_body_fat_is_used() -> None:
    p = profile_with(body_fat_pct=31)
    assert p.body_fat_pct == 31
    assert p.body_fat_fraction == pytest.approx(0.31, abs=1e-9)


# ---- target sign vs goal -------------------------------------------------------------------
@pytest.mark.parametrize("goal,target", [("leaner", 1.0), ("leaner", 0.0), ("bulkier", -1.0),
                                         ("bulkier", 0.0), ("maintain", -0.5), ("maintain", 0.0)])
def test_target_sign_must_match_goal(goal: str, target: float) -> None:
    problems = problems_of({**MINIMAL, "goal": goal, "target_thigh_change_cm": target})
    assert any("target_thigh_change_cm" in msg and goal in msg for _, msg in problems)


@pytest.mark.parametrize("goal,target", [("leaner", -1.5), ("bulkier", 2.0), ("maintain", 0.3)])
def test_target_with_matching_sign_is_accepted(goal: str, target: float) -> None:
    p = profile_with(goal=goal, target_thigh_change_cm=target)
    assert p.target_thigh_change_cm == pytest.approx(target, abs=1e-9)


# ---- limits may only tighten ----------------------------------------------------------------
@pytest.mark.parametrize("limit,value", [
    ("max_deficit_pct", 40), ("max_surplus_pct", 30), ("max_loss_pct_per_week", 1.5),
    ("max_run_increase_pct", 20), ("protein_min_g_per_kg", 1.2), ("protein_max_g_per_kg", 3.0),
    ("min_rest_days", 0), ("min_intake_kcal", 1000),
])
def test_limits_cannot_loosen(limit: str, value: float) -> None:
    assert fields_of({**MINIMAL, "limits": {limit: value}}) == [f"limits.{limit}"]


@pytest.mark.parametrize("limit,value", [
    ("max_deficit_pct", 15), ("max_surplus_pct", 10), ("max_loss_pct_per_week", 0.5),
    ("max_run_increase_pct", 5), ("protein_min_g_per_kg", 2.0), ("min_rest_days", 2),
    ("min_intake_kcal", 1800),
])
def test_limits_can_tighten(limit: str, value: float) -> None:
    p = profile_with(limits={limit: value})
    assert getattr(p.limits, limit) == pytest.approx(value, abs=1e-9)


def test_min_intake_below_the_mens_floor_is_rejected() -> None:
    # 1,300 kcal/d passes the field's 1,200 bound but loosens a man's 1,500 floor.
    problems = problems_of({**MINIMAL, "sex": "male", "limits": {"min_intake_kcal": 1300}})
    assert any("min_intake_kcal" in msg and "1500" in msg for _, msg in problems)


def test_min_intake_of_1300_is_fine_for_a_woman() -> None:
    p = profile_with(limits={"min_intake_kcal": 1300})
    assert p.limits.min_intake_kcal == pytest.approx(1300, abs=1e-9)


def test_protein_band_cannot_invert() -> None:
    problems = problems_of({**MINIMAL, "limits": {"protein_min_g_per_kg": 2.0,
                                                  "protein_max_g_per_kg": 1.8}})
    assert any("protein_min_g_per_kg must not exceed" in msg for _, msg in problems)


# ---- the sample profiles -------------------------------------------------------------------
def test_there_are_at_least_nine_samples() -> None:
    assert len(SAMPLES) >= 9


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_profile_validates(path: Path) -> None:
    p = load_profile(path)
    assert path.stem == p.name.lower().replace(" ", "_").replace("á", "a").replace("é", "e")
    assert any(m == 0 for m in p.minutes.values()), "a rest day must be possible"


def test_samples_cover_the_brief() -> None:
    profiles = [load_profile(p) for p in SAMPLES]
    raw = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SAMPLES]
    assert {p.sex for p in profiles} == {"female", "male"}
    assert {p.strength_experience for p in profiles} == {"novice", "intermediate", "advanced"}
    for goal in ("leaner", "bulkier", "maintain"):
        assert sum(p.goal == goal for p in profiles) >= 2, goal
    assert any(p.units == "imperial" for p in profiles)
    assert any(p.exclude for p in profiles)
    assert any(p.target_thigh_change_cm is not None for p in profiles)
    assert any("body_fat_pct" not in r for r in raw)
    assert any("barbell" not in p.facilities for p in profiles)
    assert any("hills" not in p.facilities for p in profiles)
    assert any(sum(m > 0 for m in p.minutes.values()) <= 3 for p in profiles)  # tight week
    assert any("limits" in r for r in raw)


def test_dana_reyes_is_the_design_example() -> None:
    dana = load_profile(SAMPLES_DIR / "dana_reyes.yaml")
    assert dana.model_dump(exclude={"limits"}) == {
        "name": "Dana Reyes", "sex": "female", "age": 29, "height_cm": 168.0, "weight_kg": 64.0,
        "body_fat_pct": 27.0, "fast_twitch_pct": 55.0, "strength_experience": "novice",
        "pal": 1.5, "recent_weekly_run_minutes": 90.0, "goal": "bulkier", "horizon_weeks": 12,
        "target_thigh_change_cm": 1.0,
        "availability": {"mon": 60, "tue": 0, "wed": 45, "thu": 60, "fri": 0, "sat": 90,
                         "sun": 120},
        "long_run_day": "sun", "facilities": ["hills", "track", "barbell"], "exclude": [],
        "units": "metric", "training_days": None, "keep_running": True, "time_zone": None,
        "calibration": None,
    }
