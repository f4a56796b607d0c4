"""The goal predicates (docs/design.md "Goals") at and around their thresholds."""

from __future__ import annotations

from typing import Any

import pytest

from planner.model.plan import WeekPoint
from planner.model.profile import Profile, parse_profile
from planner.science import goals


def profile(goal: str, target: float | None = None) -> Profile:
    data: dict[str, Any] = {"name": "Goal Tester", "sex": "male", "age": 35, "height_cm": 178,
                            "weight_kg": 75, "goal": goal}
    if target is not None:
        data["target_thigh_change_cm"] = target
    return parse_profile(data)


def leaner(thigh: float, leg_fat: float = -0.2) -> goals.GoalCheck:
    return goals.evaluate_changes("leaner", -1.0, thigh_cm=thigh, leg_muscle_kg=0.0,
                                  leg_fat_kg=leg_fat, body_weight_kg=-2.0)


def bulkier(thigh: float, muscle: float = 0.5, fat: float = 0.1,
            target: float = 1.0) -> goals.GoalCheck:
    return goals.evaluate_changes("bulkier", target, thigh_cm=thigh, leg_muscle_kg=muscle,
                                  leg_fat_kg=fat, body_weight_kg=1.0)


def maintain(thigh: float, weight: float = 0.0, drift: float = 0.5) -> goals.GoalCheck:
    return goals.evaluate_changes("maintain", drift, thigh_cm=thigh, leg_muscle_kg=0.0,
                                  leg_fat_kg=0.0, body_weight_kg=weight)


# ---- default thresholds and the override ----------------------------------------------------
@pytest.mark.parametrize("goal,expected", [("leaner", -1.0), ("bulkier", 1.0), ("maintain", 0.5)])
def test_default_thigh_target(goal: str, expected: float) -> None:
    assert goals.thigh_target_cm(profile(goal)) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("goal,target", [("leaner", -2.5), ("bulkier", 1.5), ("maintain", 0.2)])
def test_target_thigh_change_overrides_the_threshold(goal: str, target: float) -> None:
    assert goals.thigh_target_cm(profile(goal, target)) == pytest.approx(target, abs=1e-12)


# ---- leaner ---------------------------------------------------------------------------------
@pytest.mark.parametrize("thigh,reached", [(-1.2, True), (-1.0, True), (-0.99, False),
                                           (0.3, False)])
def test_leaner_thigh_threshold(thigh: float, reached: bool) -> None:
    assert leaner(thigh).reached is reached


def test_leaner_shortfall_is_the_distance_to_the_threshold() -> None:
    check = leaner(-0.6)
    assert check.shortfall_cm == pytest.approx(0.4, abs=1e-9)
    assert check.unmet == ["thigh change -0.60 cm is not ≤ -1.00 cm"]


@pytest.mark.parametrize("leg_fat", [0.0, 0.05])
def test_leaner_needs_leg_fat_to_fall(leg_fat: float) -> None:
    check = leaner(-1.5, leg_fat=leg_fat)
    assert check.reached is False
    assert check.shortfall_cm == pytest.approx(0.0, abs=1e-12)
    assert check.unmet == ["leg fat does not fall"]


# ---- bulkier --------------------------------------------------------------------------------
@pytest.mark.parametrize("thigh,reached", [(1.3, True), (1.0, True), (0.99, False), (-0.2, False)])
def test_bulkier_thigh_threshold(thigh: float, reached: bool) -> None:
    assert bulkier(thigh).reached is reached


def test_bulkier_shortfall() -> None:
    assert bulkier(0.55).shortfall_cm == pytest.approx(0.45, abs=1e-9)


@pytest.mark.parametrize("muscle", [0.0, -0.1])
def test_bulkier_needs_leg_muscle_to_rise(muscle: float) -> None:
    check = bulkier(1.2, muscle=muscle, fat=0.5)
    assert check.reached is False
    assert "leg muscle does not rise" in check.unmet


def test_bulkier_muscle_must_make_at_least_half_of_the_girth() -> None:
    # Volumes: 0.45 kg muscle / 1.06 = 0.4245 L; fat at the break-even 0.4245 × 0.90 = 0.3821 kg.
    even = 0.45 / goals.MUSCLE_DENSITY * goals.FAT_DENSITY
    assert even == pytest.approx(0.3821, abs=1e-4)
    assert bulkier(1.2, muscle=0.45, fat=even - 0.001).reached is True
    assert bulkier(1.2, muscle=0.45, fat=even).reached is True  # exactly half: still muscle-led
    over = bulkier(1.2, muscle=0.45, fat=even + 0.001)
    assert over.reached is False
    assert over.unmet == ["fat, not muscle, makes most of the girth gained"]


def test_bulkier_half_rule_uses_volume_not_mass() -> None:
    # Equal masses: muscle is denser, so 0.4 kg fat is more volume than 0.4 kg muscle.
    assert bulkier(1.2, muscle=0.4, fat=0.4).reached is False


def test_bulkier_with_a_higher_target() -> None:
    assert bulkier(1.2, target=1.5).reached is False
    assert bulkier(1.2, target=1.5).shortfall_cm == pytest.approx(0.3, abs=1e-9)
    assert bulkier(1.5, target=1.5).reached is True


# ---- maintain -------------------------------------------------------------------------------
@pytest.mark.parametrize("thigh,reached", [(0.0, True), (0.5, True), (-0.5, True), (0.51, False),
                                           (-0.51, False)])
def test_maintain_thigh_band(thigh: float, reached: bool) -> None:
    assert maintain(thigh).reached is reached


@pytest.mark.parametrize("weight,reached", [(1.0, True), (-1.0, True), (1.01, False),
                                            (-1.01, False)])
def test_maintain_weight_band(weight: float, reached: bool) -> None:
    assert maintain(0.1, weight=weight).reached is reached


def test_maintain_shortfall_is_beyond_the_band() -> None:
    assert maintain(-0.8).shortfall_cm == pytest.approx(0.3, abs=1e-9)


def test_maintain_with_a_narrower_drift() -> None:
    assert maintain(0.25, drift=0.2).reached is False
    assert maintain(0.15, drift=0.2).reached is True


# ---- evaluate on projection points, and the distance used to pick the closest plan -----------
def point(week: int, thigh: float, muscle: float, fat: float, weight: float) -> WeekPoint:
    return WeekPoint(week=week, body_weight_kg=weight, fat_mass_kg=15.0, lean_mass_kg=weight - 15,
                     leg_muscle_kg=muscle, leg_fat_kg=fat, thigh_circumference_cm=thigh)


def test_evaluate_uses_changes_between_points() -> None:
    start = point(0, 55.0, 10.0, 4.0, 75.0)
    end = point(12, 56.2, 10.6, 4.1, 76.0)
    assert goals.evaluate(profile("bulkier"), start, end).reached is True
    assert goals.evaluate(profile("bulkier", 1.5), start, end).shortfall_cm == pytest.approx(
        0.3, abs=1e-6)
    assert goals.evaluate(profile("maintain"), start, end).reached is False


def test_unmet_lists_the_thigh_first_then_the_side_conditions() -> None:
    check = bulkier(0.8, muscle=0.0, fat=0.3)
    assert check.shortfall_cm == pytest.approx(0.2, abs=1e-9)
    assert check.unmet[1:] == ["leg muscle does not rise"]
