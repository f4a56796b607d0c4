"""Why the plan looks the way it does, in plain words: objective terms and binding rules."""

from __future__ import annotations

from planner import guardrails
from planner.plan import Plan
from planner.profile import DAYS
from planner.sessions import CATALOGUE, allowed_kinds

DAY_NAMES = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat",
             "sun": "Sun"}


def _days(days: list[str]) -> str:
    names = [DAY_NAMES[d] for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def explain(inst, choice, plan: Plan, earliest: int | None) -> list[str]:
    """Sentences for the plan's ``explanation``: goal, calories, sessions, days, binding rules,
    objective terms. ``inst`` and ``choice`` are the solver's instance and chosen week."""
    profile = inst.profile
    proj = plan.projection
    lines: list[str] = []
    target = inst.target
    if plan.goal_reached:
        lines.append(
            f"Goal {profile.goal}: thigh {target:+.1f} cm in {plan.horizon_weeks} weeks; "
            f"predicted {proj.thigh_circumference_cm_change:+.2f} cm — reached with the least "
            "change to your week and your eating that the model finds.")
    else:
        where = (f"a safe plan would get there by week {earliest}" if earliest is not None
                 else "no safe plan gets there within 52 weeks")
        lines.append(
            f"Goal {profile.goal} is not reached in {plan.horizon_weeks} weeks: this is the "
            f"closest safe plan ({'; '.join(plan.goal_status.unmet)}), short by "
            f"{plan.goal_status.shortfall_cm:.2f} cm; {where}.")
    maint = proj.maintenance_kcal_per_day
    diff = plan.calories_per_day - maint
    low, high = guardrails.calorie_bounds(profile, maint)
    if abs(plan.calories_per_day - low) < inst.cal_step and diff < 0:
        why = "as low as the guardrails allow (" + (
            "intake floor" if low <= guardrails.intake_floor(profile) + 1 else
            f"deficit at most {profile.limits.max_deficit_pct:g} %") + ")"
    elif abs(plan.calories_per_day - high) < inst.cal_step and diff > 0:
        why = f"as high as the guardrails allow (surplus at most {profile.limits.max_surplus_pct:g} %)"
    elif diff > 0:
        why = "a surplus feeds muscle growth; beyond ~150 kcal/d more food adds fat, not muscle"
    elif diff < 0:
        why = "the deficit takes fat off the thighs along with the rest of the body (no spot reduction)"
    else:
        why = "at maintenance"
    lines.append(f"Calories {plan.calories_per_day} kcal/d against a maintenance of {maint:.0f} "
                 f"kcal/d with these sessions ({diff:+.0f}): {why}.")
    lines.append(f"Protein {plan.protein_g_per_day} g/d (1.8 g/kg): growth plateaus from 1.6 g/kg "
                 "(Morton 2018).")
    by_kind: dict[str, list[str]] = {}
    for d, day in enumerate(choice.week):
        for o in day:
            by_kind.setdefault(o.kind, []).append(DAYS[d])
    allowed = set(allowed_kinds(profile))
    for kind, spec in CATALOGUE.items():
        if kind in by_kind:
            lines.append(f"{spec.label.capitalize()} on {_days(by_kind[kind])}.")
        elif kind in profile.exclude:
            lines.append(f"No {spec.label}: excluded in your profile.")
        elif kind not in allowed:
            lines.append(f"No {spec.label}: they need {spec.needs}, which your profile lacks.")
    hard = [DAYS[d] for d, day in enumerate(choice.week) if any(o.hard for o in day)]
    if len(hard) > 1:
        lines.append(f"Hard sessions on {_days(hard)}: hard days never touch (the week wraps "
                     "Sun→Mon) and each day holds at most one.")
    if profile.long_run_day and "long_run" in by_kind and profile.long_run_day not in by_kind["long_run"]:
        lines.append(f"The long run is not on your preferred {DAY_NAMES[profile.long_run_day]}: "
                     "that day's time or the hard-day spacing did not allow it.")
    run = sum(o.running_minutes for day in choice.week for o in day)
    cap = guardrails.running_cap(profile)
    if run and cap - run < 15:
        lines.append(f"Running is {run} of the {cap:.0f} minutes a week your recent volume allows "
                     "(+10 %).")
    rest = [DAYS[d] for d, day in enumerate(choice.week) if not day]
    lines.append(f"Rest on {_days(rest)}." if rest else "No rest day.")
    terms = ", ".join(f"{k} {v:.0f}" for k, v in choice.terms.items())
    lines.append(f"Objective (lower is better): {terms}.")
    return lines
