"""``legplan calibrate``: learn the athlete from their log, and say what it changes.

The plan followed is the one given (``--plan``), else what ``legplan plan PROFILE`` gives; the fit
is ``planner.science.calibration.fit``; the plan's new target comes from solving again with the
calibration applied, so every guardrail (the minimum intake above all) still holds: a calibration
moves the calorie target, never below a guardrail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import yaml

from planner.jobs.planning import solve
from planner.model.documents import read_document
from planner.model.logs import Log
from planner.model.plan import CALORIE_STEP, Plan, PlanInput
from planner.model.profile import Calibration, Profile, parse_profile
from planner.report.render import likelihood
from planner.science import calibration as fitting
from planner.science import guardrails

# [kcal/d] an offset smaller than this is "about what the equations say"
NEGLIGIBLE_OFFSET_KCAL = 25
NEGLIGIBLE_RESPONSE = 0.05  # [×] a response this close to 1 is "about average"


@dataclass(frozen=True)
class CalibrationResult:
    """The calibration and the report around it (``report`` is plain JSON data)."""

    calibration: Calibration
    report: dict[str, Any]
    units: str
    plan: Plan  # the plan with the calibration applied

    def document(self) -> dict[str, Any]:
        """The ``calibrate --format json`` document (docs/design.md "Calibration", contract)."""
        return {"calibration": self.calibration.model_dump(mode="json"), "report": self.report}

    def to_json(self) -> str:
        return json.dumps(self.document(), indent=2, ensure_ascii=False) + "\n"


def plan_input(plan: Plan) -> PlanInput:
    """What a solved plan asks for, as ``score`` and the fit read it: its block when it has one
    (the athlete followed those weeks, lighter ones included), else its week."""
    return PlanInput(calories_per_day=plan.calories_per_day,
                     protein_g_per_day=plan.protein_g_per_day, days=plan.days, weeks=plan.weeks)


def calibrate(profile: Profile, log: Log, followed: PlanInput | None = None,
              solve_fn: Callable[[Profile], Plan] = solve) -> CalibrationResult:
    """Fit ``profile``'s calibration from ``log`` and the plan ``followed`` (default: the
    profile's own plan, ``solve_fn(profile)``), and report what it changes."""
    before = solve_fn(profile)
    followed = followed or plan_input(before)
    fit = fitting.fit(profile, followed, log)
    cal = fit.calibration
    after = solve_fn(profile.model_copy(update={"calibration": cal}))
    floor = guardrails.intake_floor(profile)
    at_floor = after.calories_per_day < floor + CALORIE_STEP
    report = {
        "athlete": profile.name,
        "log": {
            "source": log.source, "first": log.start.isoformat(), "last": log.end.isoformat(),
            "rows": len(log.entries), "weigh_ins": len(log.weights()),
            "thigh_measures": len(log.thighs()), "calories_days": len(log.calories_days()),
        },
        "flags": list(log.flags),
        "notes": list(fit.notes),
        "fitted": {"maintenance_offset": fit.offset_fitted, "response": fit.response_fitted},
        "prior": {"maintenance_offset_kcal_interval": list(fit.prior_offset_interval),
                  "response_interval": list(fit.prior_response_interval)},
        "noise": {"weight_kg": fit.weight_noise_kg, "thigh_cm": fit.thigh_noise_cm},
        "maintenance_kcal_per_day": {
            "equations": fit.maintenance_kcal,
            "calibrated": round(fit.maintenance_kcal + cal.maintenance_offset_kcal, 1)},
        "plan": {"followed_calories_per_day": followed.calories_per_day,
                 "calories_per_day_before": before.calories_per_day,
                 "calories_per_day_after": after.calories_per_day,
                 "intake_floor_kcal_per_day": round(floor),
                 "at_intake_floor": at_floor,
                 "goal_reached_after": after.goal_reached,
                 "probability_after": after.goal_status.probability},
        "summary": summary(fit, before, after, floor, at_floor),
        "series": {
            "weight": [{"date": fitting.day_date(log, d).isoformat(), "logged": o, "fitted": f}
                       for d, o, f in fit.weight_series],
            "thigh": [{"date": fitting.day_date(log, d).isoformat(), "logged": o, "fitted": f}
                      for d, o, f in fit.thigh_series],
            "fitted_daily": [{"date": fitting.day_date(log, d).isoformat(), "weight_kg": w,
                              "thigh_cm": t} for d, w, t in fit.fitted_curve],
        },
    }
    return CalibrationResult(cal, report, profile.units, after)


def summary(fit: fitting.Fit, before: Plan, after: Plan, floor: float,
            at_floor: bool) -> list[str]:
    """What the calibration changes, in plain words."""
    cal = fit.calibration
    lines = []
    off = round(cal.maintenance_offset_kcal)
    lo, hi = cal.maintenance_offset_kcal_interval
    target = (f"your plan's target becomes {after.calories_per_day:,} kcal/d "
              f"(was {before.calories_per_day:,})" if after.calories_per_day != before.calories_per_day
              else f"your plan's target stays {after.calories_per_day:,} kcal/d")
    if not fit.offset_fitted:
        lines.append("Maintenance: not enough weigh-ins yet, so the equations' estimate of "
                     f"{fit.maintenance_kcal:,.0f} kcal/d stands; {target}.")
    elif abs(off) < NEGLIGIBLE_OFFSET_KCAL:
        lines.append(f"You burn about what the equations estimate ({fit.maintenance_kcal:,.0f} "
                     f"kcal/d; 80 % interval {lo:+,.0f} to {hi:+,.0f} kcal/d): {target}.")
    else:
        lines.append(f"You burn about {abs(off):,} kcal/d {'less' if off < 0 else 'more'} than "
                     f"estimated (80 % interval {lo:+,.0f} to {hi:+,.0f} kcal/d): {target}.")
    if at_floor:
        lines.append(f"The target is held at the minimum-intake guardrail ({floor:,.0f} kcal/d): "
                     "a calibration never moves it below a guardrail.")
    r_lo, r_hi = cal.response_interval
    if not fit.response_fitted:
        lines.append("Muscle response: not enough thigh measures yet, so it stays at the average "
                     f"(80 % of people between {r_lo:.2f}× and {r_hi:.2f}×).")
    elif abs(cal.response - 1) < NEGLIGIBLE_RESPONSE:
        lines.append(f"Your legs respond to training about as much as average ({cal.response:.2f}×;"
                     f" 80 % interval {r_lo:.2f}× to {r_hi:.2f}×).")
    else:
        lines.append(f"Your legs respond to training about {cal.response:.2f}× as much as the "
                     f"average person's (80 % interval {r_lo:.2f}× to {r_hi:.2f}×): the plan "
                     f"expects {'more' if cal.response > 1 else 'less'} muscle from the same work.")
    lines.append(("With this calibration the plan reaches the goal" if after.goal_reached
                  else "With this calibration the plan does not reach the goal")
                 + (f" (chance it is reached: {likelihood(after.goal_status.probability)})."
                    if after.goal_status.probability is not None else "."))
    return lines


def profile_text(profile_path: str | Path, cal: Calibration, out_path: str | Path) -> str:
    """The profile file at ``profile_path`` with its ``calibration:`` block set to ``cal``, as
    YAML (JSON when ``out_path`` ends in ``.json``); checked to load back as a valid profile."""
    document = json.loads(json.dumps(read_document(Path(profile_path))))  # plain dicts and lists
    document["calibration"] = cal.model_dump(mode="json")
    parse_profile(document, str(out_path))
    if str(out_path).lower().endswith(".json"):
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=None)
