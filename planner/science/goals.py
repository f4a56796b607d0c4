"""What leaner, bulkier and maintain mean, as predicates on a projection (docs/design.md "Goals").

| goal     | reached when (over the horizon)                                                   |
|----------|-----------------------------------------------------------------------------------|
| leaner   | thigh change ≤ −1.0 cm and leg fat falls                                          |
| bulkier  | thigh change ≥ +1.0 cm, leg muscle rises, muscle makes at least half the girth    |
| maintain | thigh within ±0.5 cm and body weight within ±1.0 kg                               |

``target_thigh_change_cm`` replaces the thigh threshold (negative for leaner, positive for bulkier,
the allowed drift for maintain). "Muscle makes at least half of the girth gained" is judged on the
legs' tissue volumes: Δmuscle/1.06 ≥ Δfat/0.90 (g/cm³), so it can be checked from the projection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planner.model.plan import WeekPoint
from planner.model.profile import Profile
from planner.science.effect import FAT_DENSITY, MUSCLE_DENSITY

DEFAULT_THRESHOLD_CM = {"leaner": 1.0, "bulkier": 1.0, "maintain": 0.5}
MAINTAIN_WEIGHT_KG = 1.0
EPS = 1e-9


@dataclass(frozen=True)
class GoalCheck:
    reached: bool
    target_cm: float  # signed target for the thigh (maintain: the allowed drift)
    shortfall_cm: float  # [cm] how far the thigh is from the target; 0 when the thigh part is met
    unmet: list[str] = field(default_factory=list)


def thigh_target_cm(profile: Profile) -> float:
    """Signed thigh target [cm]: −1.0 leaner, +1.0 bulkier, 0.5 drift for maintain, or the
    profile's ``target_thigh_change_cm``."""
    if profile.target_thigh_change_cm is not None:
        return profile.target_thigh_change_cm
    magnitude = DEFAULT_THRESHOLD_CM[profile.goal]
    return -magnitude if profile.goal == "leaner" else magnitude


def evaluate(profile: Profile, start: WeekPoint, end: WeekPoint) -> GoalCheck:
    """Apply the profile's goal to the change from ``start`` to ``end``."""
    return evaluate_changes(
        profile.goal,
        thigh_target_cm(profile),
        thigh_cm=end.thigh_circumference_cm - start.thigh_circumference_cm,
        leg_muscle_kg=end.leg_muscle_kg - start.leg_muscle_kg,
        leg_fat_kg=end.leg_fat_kg - start.leg_fat_kg,
        body_weight_kg=end.body_weight_kg - start.body_weight_kg,
    )


def evaluate_changes(
    goal: str,
    target_cm: float,
    thigh_cm: float,
    leg_muscle_kg: float,
    leg_fat_kg: float,
    body_weight_kg: float,
) -> GoalCheck:
    """The goal predicate on plain changes [cm, kg]."""
    unmet: list[str] = []
    if goal == "leaner":
        shortfall = max(0.0, thigh_cm - target_cm)
        if shortfall > EPS:
            unmet.append(f"thigh change {thigh_cm:+.2f} cm is not ≤ {target_cm:+.2f} cm")
        if not leg_fat_kg < 0:
            unmet.append("leg fat does not fall")
    elif goal == "bulkier":
        shortfall = max(0.0, target_cm - thigh_cm)
        if shortfall > EPS:
            unmet.append(f"thigh change {thigh_cm:+.2f} cm is not ≥ {target_cm:+.2f} cm")
        if not leg_muscle_kg > 0:
            unmet.append("leg muscle does not rise")
        elif leg_muscle_kg / MUSCLE_DENSITY < leg_fat_kg / FAT_DENSITY:
            unmet.append("fat, not muscle, makes most of the girth gained")
    elif goal == "maintain":
        shortfall = max(0.0, abs(thigh_cm) - target_cm)
        if shortfall > EPS:
            unmet.append(f"thigh change {thigh_cm:+.2f} cm is outside ±{target_cm:.2f} cm")
        if abs(body_weight_kg) > MAINTAIN_WEIGHT_KG:
            unmet.append(f"body weight change {body_weight_kg:+.2f} kg is outside ±1.0 kg")
    else:  # pragma: no cover - the profile model admits only the three goals
        raise ValueError(f"unknown goal {goal!r}")
    return GoalCheck(reached=not unmet, target_cm=target_cm, shortfall_cm=round(shortfall, 3),
                     unmet=unmet)
