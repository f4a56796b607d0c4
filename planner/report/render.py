"""Render a Plan as JSON, Markdown or standalone HTML (docs/design.md "Rendering never computes").

``render(plan, fmt)`` is the one entry point. JSON is ``plan.to_json()``. Markdown and HTML come
from the Jinja templates in ``templates/`` (shipped as the package ``planner.templates``), which
only *format*: every piece of presentation logic — units (kg→lb, cm→in when the profile is
imperial), number and sign formatting, day names, the SVG chart's geometry, the text chart's bars,
the safety notes — is prepared here as a plain "view" dictionary. Templates do no arithmetic.

Output is deterministic: the same Plan renders to byte-identical text (no clock, no solver time).
"""

from __future__ import annotations

import functools
import math
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any, Callable

import jinja2

from planner.model.plan import FORMATS, MAX_WEEKS, DayPlan, Plan, PlanWeek, WeekPoint
from planner.model.profile import DAYS
from planner.model.sessions import CATALOGUE, longest_run, run_label
from planner.model.units import (
    Units,
    length,
    length_change,
    mass,
    mass_change,
    number,
    shortfall_decimals,
    signed,
)
from planner.report.block_words import calorie_words, lighter_words, running_minutes, squat_sets
from planner.science.guardrails import SHAPE_RULE_NAMES

PAGE_SIZES = ("A4", "Letter")

DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                            "Sunday")))
KIND_LABELS = {"long_run": "Long run", "sprints": "Sprints", "hill_repeats": "Hill repeats",
               "squats_lunges": "Squats & lunges"}
# Print density: a page holds about this many week rows + explanation lines + broken rules at
# normal size (measured with chromium on A4 and Letter); more switches to the compact print style.
ROOMY_PRINT_LINES = 14
WHY_CHARS_PER_LINE = 115
ROOMY_BLOCK_WEEKS = 20  # the second page holds this many block rows at normal size; more: compact
WEEK_STEPS = (1, 2, 4, 5, 10, 13)  # week-axis tick spacing, the first giving at most 6 intervals
GOAL_LABELS = {"leaner": "Leaner legs", "bulkier": "Bulkier legs", "maintain": "Maintain legs"}


# ---------------------------------------------------------------------------------------------
# The view: everything a template shows, already formatted
# ---------------------------------------------------------------------------------------------
def shown_week(plan: Plan, week: int | None) -> PlanWeek | None:
    """The block's week the sheet shows (``week``, default week 1); None for a plan without
    weeks (its one week repeats)."""
    if not plan.weeks:
        return None
    number = 1 if week is None else week
    if not 1 <= number <= len(plan.weeks):
        raise ValueError(f"week {number} is not in the plan's {len(plan.weeks)} weeks")
    return plan.weeks[number - 1]


def session_label(kind: str, minutes: int, week_longest: int) -> str:
    """The sheet's name of a session: its kind's, and for a run "Long run" or "Easy run"
    (``sessions.run_label``)."""
    if kind == "long_run":
        return run_label(minutes, week_longest).capitalize()
    return KIND_LABELS.get(kind, kind)


def week_rows(days: list[DayPlan]) -> list[dict[str, Any]]:
    """Seven rows Mon..Sun; each session with its kind label, dose in words and minutes."""
    by_day = {d.day: d for d in days}
    longest = longest_run([s for d in days for s in d.sessions])
    rows = []
    for day in DAYS:
        sessions = by_day[day].sessions if day in by_day else []
        items = [
            {
                "kind": s.kind,
                "label": session_label(s.kind, s.minutes, longest),
                "dose": s.description or CATALOGUE[s.kind].label,
                "minutes": f"{s.minutes} min",
                "hard": CATALOGUE[s.kind].hard,
            }
            for s in sessions
        ]
        rows.append({
            "day": day,
            "name": DAY_NAMES[day],
            "short": DAY_NAMES[day][:3],
            "rest": not items,
            "sessions": items,
            "rowspan": max(1, len(items)),
            "total_minutes": f"{sum(s.minutes for s in sessions)} min" if items else "",
        })
    return rows


def goal_sentence(plan: Plan, units: Units) -> str:
    """What the goal means for this athlete, in their units."""
    target = plan.goal_status.target_thigh_change_cm
    weeks = f"{plan.horizon_weeks} week{'s' if plan.horizon_weeks != 1 else ''}"
    size = length(units, abs(target), units.length_decimals)
    if plan.goal == "leaner":
        return f"thigh at least {size} smaller and less leg fat in {weeks}"
    if plan.goal == "bulkier":
        return f"thigh at least {size} bigger, mostly muscle, in {weeks}"
    weight = mass(units, 1.0, 1)
    return f"thigh within ±{size} and body weight within ±{weight} over {weeks}"


def goal_status(plan: Plan, units: Units) -> dict[str, Any]:
    """The headline: reached or not, by how much, and the earliest week."""
    status = plan.goal_status
    thigh = length_change(units, plan.projection.thigh_circumference_cm_change)
    weeks = plan.horizon_weeks
    earliest = status.earliest_week
    if plan.goal_reached:
        headline = f"Goal reached: thigh {thigh} by week {weeks}"
        when = (f"The goal is first met in week {earliest}." if earliest is not None
                and earliest < weeks else "")
        detail = []
    else:
        headline = f"Goal not reached in {weeks} weeks"
        # The thigh condition is said in the headline, in the plan's units.
        detail = status.unmet_besides_thigh()
        if status.shortfall_cm > 0:
            places = shortfall_decimals(units, status.shortfall_cm)
            short = length(units, status.shortfall_cm, places)
            thigh = signed(units.cm(plan.projection.thigh_circumference_cm_change), places,
                           units.length)
            if plan.goal == "maintain":
                band = length(units, status.target_thigh_change_cm, units.length_decimals)
                headline += f": thigh {thigh}, {short} outside the ±{band} band"
            else:
                target = length_change(units, status.target_thigh_change_cm)
                headline += f": thigh {thigh} of the {target} target, {short} short"
        if plan.solver is None and earliest is not None:
            when = f"Kept up, this week reaches the goal in week {earliest}."
        elif earliest is not None:
            when = f"The earliest any safe plan reaches the goal: week {earliest}."
        elif plan.solver is None:
            when = f"Kept up, this week does not reach the goal by week {MAX_WEEKS}."
        else:
            when = f"No safe plan reaches the goal by week {MAX_WEEKS}."
    if status.probability is not None:
        headline += f"; chance it is reached: {likelihood(status.probability)}"
    return {"reached": plan.goal_reached, "headline": headline, "when": when, "unmet": detail}


def likelihood(probability: float) -> str:
    """The share of parameter draws that reach the goal, in words: "about 60 %" (never a bare
    0 or 100 %, which 256 draws cannot show)."""
    pct = round(probability * 100)
    if pct < 1:
        return "under 1 %"
    if pct > 99:
        return "over 99 %"
    return f"about {pct} %"


def band_text(units: Units, low: float | None, high: float | None, kind: str) -> str:
    """An 80 % band as "55.2–56.8 cm" ("" when the projection has none)."""
    if low is None or high is None:
        return ""
    if kind == "length":
        return f"{number(units.cm(low), 1)}–{length(units, high)}"
    return f"{number(units.kg(low), 1)}–{mass(units, high)}"


def targets(plan: Plan, week: PlanWeek | None = None) -> dict[str, str]:
    """Daily calorie and protein targets (of the week shown) and the energy balance they mean
    against the working week's burn at the start."""
    need = plan.projection.maintenance_kcal_per_day
    calories = plan.calories_per_day if week is None else week.calories_per_day
    protein = (plan.protein_g_per_day if week is None or week.protein_g_per_day is None
               else week.protein_g_per_day)
    balance = calories - need
    burn = f"your estimated burn of {number(need)} kcal/day"
    if abs(balance) < 50:
        balance_text = f"about {burn}"
    elif balance > 0:
        balance_text = f"{number(balance)} kcal/day above {burn}"
    else:
        balance_text = f"{number(-balance)} kcal/day below {burn}"
    return {
        "calories": f"{number(calories)} kcal",
        "protein": f"{number(protein)} g",
        "balance": balance_text,
        "sessions": f"{number(plan.projection.session_kcal_per_day)} kcal/day",
    }


def prediction_rows(plan: Plan, units: Units) -> list[dict[str, str]]:
    """Start, end of horizon and change for thigh, leg muscle, leg fat and body weight."""
    p = plan.projection
    start, end = p.weekly[0], p.weekly[-1]
    tissue = units.mass_decimals + 1
    return [
        {"label": "Thigh circumference",
         "start": length(units, start.thigh_circumference_cm),
         "end": length(units, end.thigh_circumference_cm),
         "change": length_change(units, p.thigh_circumference_cm_change)},
        {"label": "Leg muscle",
         "start": mass(units, start.leg_muscle_kg, 2),
         "end": mass(units, end.leg_muscle_kg, 2),
         "change": mass_change(units, p.leg_muscle_kg_change, tissue)},
        {"label": "Leg fat",
         "start": mass(units, start.leg_fat_kg, 2),
         "end": mass(units, end.leg_fat_kg, 2),
         "change": mass_change(units, p.leg_fat_kg_change, tissue)},
        {"label": "Body weight",
         "start": mass(units, start.body_weight_kg),
         "end": mass(units, end.body_weight_kg),
         "change": mass_change(units, p.body_weight_kg_change, units.mass_decimals)},
    ]


def guardrail_rows(plan: Plan) -> dict[str, Any]:
    rows = [{"name": g.name[:1].upper() + g.name[1:], "ok": g.ok, "mark": "✓" if g.ok else "✗",
             "verdict": "ok" if g.ok else "BROKEN", "detail": g.detail} for g in plan.guardrails]
    shape = set(SHAPE_RULE_NAMES)  # plan-shape rules may give way to the guardrails, by design
    broken = sum(1 for g in plan.guardrails if not g.ok and g.name not in shape)
    gave_way = sum(1 for g in plan.guardrails if not g.ok and g.name in shape)
    safety = sum(1 for g in plan.guardrails if g.name not in shape)
    summary = (f"All {safety} guardrails pass." if not broken
               else f"{broken} of {safety} guardrails broken — fix before following this plan.")
    shape_rules = len(plan.guardrails) - safety
    if shape_rules and not gave_way:  # the table lists them below the guardrails
        summary += f" All {shape_rules} plan-shape rules hold."
    if gave_way:
        summary += (f" {gave_way} plan-shape rule(s) gave way to them (see why this plan).")
    return {"rows": rows, "summary": summary, "all_ok": not broken}


def safety_notes(plan: Plan) -> list[str]:
    """Short, sensible notes; a few depend on what the plan holds."""
    kinds = {s.kind for d in plan.days for s in d.sessions}
    notes = ["Warm up before every hard session. Stop on sharp or joint pain, dizziness or chest "
             "pain, and get it checked before training again."]
    if "sprints" in kinds or "hill_repeats" in kinds:
        notes.append("Sprints and hills: new to them? Run the first two weeks' efforts at about "
                     "80 % and build to all-out; end the session early if a hamstring or calf "
                     "tightens.")
    if "squats_lunges" in kinds:
        notes.append("Squats and lunges: pick loads you can lift with good form and 1–3 reps "
                     "in reserve.")
    if plan.calories_per_day < plan.projection.maintenance_kcal_per_day:
        notes.append("Eating below what you burn: see a doctor first if you have a medical "
                     "condition, take medication, are pregnant or have had an eating disorder.")
    notes.append("Predictions are population averages, not promises: measure your thigh at the "
                 "same spot every 2–4 weeks. This plan is not medical advice.")
    return notes


def print_density(plan: Plan) -> str:
    """"compact" when the page holds more than a typical plan (extra session rows, a long
    explanation, broken rules), so the print stylesheet tightens and the plan stays on one page."""
    rows = sum(max(1, len(d.sessions)) for d in plan.days)
    why_lines = sum(math.ceil(len(line) / WHY_CHARS_PER_LINE) for line in plan.explanation)
    broken = sum(1 for g in plan.guardrails if not g.ok)
    status = 0 if plan.goal_reached else 1 + len(plan.goal_status.unmet)
    return "compact" if rows + why_lines + broken + status > ROOMY_PRINT_LINES else "normal"


def solver_line(plan: Plan) -> str:
    if plan.solver is None:
        return "Scored as given (a hand-made or edited week); no solver involved."
    return f"Chosen by the CP-SAT solver (status {plan.solver.status})."


SHORT_KINDS = {"long_run": ("run", "min"), "sprints": ("sprints", "reps"),
               "hill_repeats": ("hills", "reps"), "squats_lunges": ("squats", "sets")}


def date_span(start: date | None) -> str:
    """A week's dates, e.g. "5–11 Jan" or "29 Dec – 4 Jan" ("" without a start date)."""
    if start is None:
        return ""
    end = start + timedelta(days=6)
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%b}"
    return f"{start.day} {start:%b} – {end.day} {end:%b}"


def week_heading(plan: Plan, week: PlanWeek | None) -> str:
    """The week section's title: "The week", or "Week 3 of 12 · 19–25 Jan · lighter week"."""
    if week is None:
        return "The week"
    parts = [f"Week {week.week} of {len(plan.weeks or [])}"]
    if week.start_date is not None:
        parts.append(date_span(week.start_date))
    if week.lighter:
        parts.append("lighter week")
    return " · ".join(parts)


def block_rows(plan: Plan, units: Units, shown: int | None) -> list[dict[str, Any]]:
    """The block as table rows: week, dates, sessions in short words, minutes run, hard sets,
    calories, predicted thigh at the week's end; the lighter weeks and the shown week flagged."""
    rows = []
    by_week = {p.week: p for p in plan.projection.weekly}
    for w in plan.weeks or []:
        words = []
        for day, s in w.sessions():
            label, unit = SHORT_KINDS[s.kind]
            words.append(f"{DAY_NAMES[day][:3]} {label} {s.dose}{' ' + unit if unit else ''}")
        point = by_week.get(w.week)
        rows.append({
            "week": str(w.week),
            "dates": date_span(w.start_date),
            "sessions": " · ".join(words) or "rest",
            "run": str(running_minutes(w)),
            "sets": str(squat_sets(w)),
            "calories": number(w.calories_per_day),
            "thigh": "" if point is None else length(units, point.thigh_circumference_cm),
            "lighter": w.lighter,
            "current": w.week == (shown or 1),
        })
    return rows


def why_note(plan: Plan, shown: PlanWeek | None) -> str:
    """Which week "Why this plan" is about when the sheet shows another: the explanation is
    of the full (working) week the block builds to, e.g. "about the full week, week 3 on"."""
    if not plan.weeks:
        return ""
    full = next((w.week for w in plan.weeks if w.days == plan.days), None)
    if full is None or (shown is not None and shown.days == plan.days) or (
            shown is None and plan.weeks[0].days == plan.days):
        return ""
    return (f"About the full week the block builds to (from week {full}, lighter weeks aside); "
            "each week's doses are in the block table.")


def block_note(plan: Plan) -> str:
    """The block table's note: how it is dated, which weeks are lighter and by how much (as
    planned), and the calorie re-sets (``planner.report.block_words``)."""
    weeks = list(plan.weeks or [])
    words = [w for w in (lighter_words(weeks), calorie_words(weeks)) if w]
    sentences = [block_start(plan)] + [w[:1].upper() + w[1:] + "." for w in words]
    return " ".join(s for s in sentences if s)


def block_start(plan: Plan) -> str:
    """How the block is dated, in words."""
    if not plan.weeks:
        return ""
    first = plan.weeks[0].start_date
    if first is None:
        return "Weeks are numbered from the day you start (give --start for dates)."
    return f"Week 1 starts on Monday {first.day} {first:%B %Y}, the first Monday on or after the start date."


def build_view(plan: Plan, page_size: str = "A4", week: int | None = None) -> dict[str, Any]:
    """Everything the templates show, formatted for the plan's units; ``week``: the block's
    week the sheet shows (default week 1)."""
    units = Units.of(plan.units)
    weekly = plan.projection.weekly
    thigh = [(w.week, units.cm(w.thigh_circumference_cm)) for w in weekly]
    band = [(w.week, units.cm(w.thigh_circumference_cm_low), units.cm(w.thigh_circumference_cm_high))
            for w in weekly if w.thigh_circumference_cm_low is not None
            and w.thigh_circumference_cm_high is not None]
    target_line = None
    if plan.goal in ("leaner", "bulkier"):
        target_line = units.cm(weekly[0].thigh_circumference_cm
                               + plan.goal_status.target_thigh_change_cm)
    shown = shown_week(plan, week)
    lighter = [w.week for w in plan.weeks or [] if w.lighter]
    return {
        "athlete": plan.athlete,
        "goal": plan.goal,
        "goal_label": GOAL_LABELS.get(plan.goal, plan.goal),
        "goal_sentence": goal_sentence(plan, units),
        "horizon": f"{plan.horizon_weeks} week{'s' if plan.horizon_weeks != 1 else ''}",
        "horizon_weeks": plan.horizon_weeks,
        "units": units,
        "units_name": plan.units,
        "page_size": page_size,
        "density": print_density(plan),
        "status": goal_status(plan, units),
        "week": week_rows(plan.days if shown is None else shown.days),
        "week_heading": week_heading(plan, shown),
        "targets": targets(plan, shown),
        "prediction": prediction_rows(plan, units),
        "thigh_chart": svg_chart(thigh, units.length, units.length_decimals, target_line,
                                 min_span=units.cm(1.0), band=band or None, lighter=lighter),
        "block": block_rows(plan, units, None if shown is None else shown.week),
        "block_note": block_note(plan),
        "why_note": why_note(plan, shown),
        "block_density": "long" if len(plan.weeks or []) > ROOMY_BLOCK_WEEKS else "normal",
        "text_chart": text_chart(weekly, units,
                                 scale_cm=plan.goal_status.target_thigh_change_cm),
        "explanation": list(plan.explanation),
        "guardrails": guardrail_rows(plan),
        "safety": safety_notes(plan),
        "solver": solver_line(plan),
    }


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------
def nice_step(span: float, count: int) -> float:
    """A 1-2-5 step that cuts ``span`` into about ``count`` intervals."""
    raw = span / max(count, 1)
    if raw <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw - 1e-12:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def value_axis(low: float, high: float, count: int, min_span: float) -> tuple[float, float, float]:
    """(axis low, axis high, step) of an axis covering ``low``..``high`` in about ``count`` 1-2-5
    steps, at least ``min_span`` tall (centred) so a flat line stays flat instead of showing noise."""
    if high - low < min_span:
        middle = (high + low) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
    step = nice_step(high - low, count)
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


def axis_ticks(low: float, high: float, step: float) -> list[float]:
    """Tick values ``low``, ``low + step``, … ``high`` of an axis whose ends are ticks (as
    ``value_axis`` returns them)."""
    return [low + i * step for i in range(round((high - low) / step) + 1)]


def step_decimals(step: float) -> int:
    """Decimals an axis step needs (0.25 → 2, 5 → 0)."""
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0


def svg_chart(
    points: list[tuple[int, float]],
    unit: str,
    decimals: int,
    target: float | None,
    *,
    min_span: float,
    width: int = 420,
    height: int = 170,
    band: list[tuple[int, float, float]] | None = None,
    lighter: list[int] | None = None,
) -> dict[str, Any]:
    """Geometry of a line chart in SVG user units: polyline points, axis ticks, target line.

    Values are already in display units. The y range covers the line and the target, at least
    ``min_span`` tall so a flat line stays flat instead of filling the chart with noise.
    """
    left, right, top, bottom = 40, 64, 12, 32
    plot_w, plot_h = width - left - right, height - top - bottom
    weeks = [w for w, _ in points]
    values = [v for _, v in points] + ([target] if target is not None else [])
    values += [v for _, low, high in band or [] for v in (low, high)]
    y_min, y_max, y_step = value_axis(min(values), max(values), 4, min_span)
    first, last = min(weeks), max(weeks)
    x_span = max(last - first, 1)

    def x(week: float) -> float:
        return left + (week - first) / x_span * plot_w

    def y(value: float) -> float:
        return top + (y_max - value) / (y_max - y_min) * plot_h

    x_step = next(step for step in WEEK_STEPS if x_span / step <= 6 or step == WEEK_STEPS[-1])
    x_ticks = [{"x": f"{x(w):.1f}", "label": str(w)} for w in range(first, last + 1, x_step)]
    if (last - first) % x_step and (last - first) % x_step >= x_step / 2:
        x_ticks.append({"x": f"{x(last):.1f}", "label": str(last)})
    y_labels = step_decimals(y_step)
    y_ticks = [{"y": f"{y(tick):.1f}", "label": number(tick, y_labels)}
               for tick in axis_ticks(y_min, y_max, y_step)]
    end_week, end_value = points[-1]
    start_week, start_value = points[0]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
        "plot_height": plot_h,
        "mid_x": f"{left + plot_w / 2:.1f}",
        "y_label_x": left - 6,
        "target_x": left + 4,
        "x_label_y": height - bottom + 14,
        "axis_y": height - 4,
        "unit": unit,
        "points": " ".join(f"{x(w):.1f},{y(v):.1f}" for w, v in points),
        # the 80 % band as one polygon: along the upper edge, back along the lower
        "band": None if not band else " ".join(
            [f"{x(w):.1f},{y(high):.1f}" for w, _, high in band]
            + [f"{x(w):.1f},{y(low):.1f}" for w, low, _ in reversed(band)]),
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "start": {"x": f"{x(start_week):.1f}", "y": f"{y(start_value):.1f}",
                  "label": f"{number(start_value, 1)} {unit}"},
        # The end value sits right of the line's last point, in the margin the line never enters;
        # the target's label goes on the side of its line away from where the line starts.
        "end": {"x": f"{x(end_week):.1f}", "y": f"{y(end_value):.1f}",
                "label_x": f"{x(end_week) + 8:.1f}", "label_y": f"{y(end_value) + 4:.1f}",
                "label": f"{number(end_value, 1)} {unit}"},
        "target": None if target is None else {
            "y": f"{y(target):.1f}", "label": f"target {number(target, decimals)} {unit}",
            "label_y": f"{y(target) + (12 if y(start_value) < y(target) else -4):.1f}"},
        # a lighter week w spans weeks w − 1 to w on the axis: shaded behind the line
        "lighter": [{"x": f"{x(w - 1):.1f}", "width": f"{x(w) - x(w - 1):.1f}"}
                    for w in lighter or [] if first < w <= last],
        "summary": (f"From {number(start_value, 1)} {unit} in week {start_week} to "
                    f"{number(end_value, 1)} {unit} in week {end_week}"),
    }


def sample_weeks(weeks: int, most: int = 13) -> list[int]:
    """Weeks 0..``weeks`` thinned to at most ``most`` rows, always keeping the first and last."""
    step = max(1, math.ceil(weeks / (most - 1)))
    chosen = list(range(0, weeks + 1, step))
    if chosen[-1] != weeks:
        chosen.append(weeks)
    return chosen


def text_chart(weekly: list[WeekPoint], units: Units, width: int = 20,
               scale_cm: float = 0.0) -> list[dict[str, str]]:
    """Rows for the Markdown chart: week, thigh, change since start and a bar ∝ |change|, full
    width at the largest change or at ``scale_cm`` (the goal's threshold), whichever is larger:
    a plan that holds the thigh steady draws short bars, not noise blown up to full width."""
    start = weekly[0]
    by_week = {w.week: w for w in weekly}
    last = weekly[-1].week
    changes = [w.thigh_circumference_cm - start.thigh_circumference_cm for w in weekly]
    biggest = max([abs(c) for c in changes] + [abs(scale_cm)])
    rows = []
    for week in sample_weeks(last):
        point = by_week[week]
        change = point.thigh_circumference_cm - start.thigh_circumference_cm
        bar = "█" * round(abs(change) / biggest * width) if biggest > 0 else ""
        rows.append({
            "week": str(week),
            "thigh": length(units, point.thigh_circumference_cm),
            "change": length_change(units, change),
            "weight": mass(units, point.body_weight_kg),
            "thigh_band": band_text(units, point.thigh_circumference_cm_low,
                                    point.thigh_circumference_cm_high, "length"),
            "weight_band": band_text(units, point.body_weight_kg_low, point.body_weight_kg_high,
                                     "mass"),
            "bar": bar or "·",
        })
    return rows


# ---------------------------------------------------------------------------------------------
# Jinja
# ---------------------------------------------------------------------------------------------
MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<|#"})


def md_escape(value: Any) -> Any:
    """Backslash-escape Markdown syntax in text, so names and sentences print as written."""
    return value.translate(MD_SPECIAL) if isinstance(value, str) else value


def read_template(name: str) -> str:
    """A template's text: from the installed package ``planner.templates``, or from the source
    checkout's ``templates/`` when ``planner`` is imported from the checkout itself (tests run
    from the repository root import the source tree, which has no ``planner/templates``)."""
    try:
        return files("planner.templates").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return (Path(__file__).resolve().parents[2] / "templates" / name).read_text("utf-8")


@functools.lru_cache(maxsize=None)
def environment(fmt: str) -> jinja2.Environment:
    """The Jinja environment for ``md`` or ``html``: strict, autoescaped for HTML, and for
    Markdown every ``{{ value }}`` is Markdown-escaped."""
    finalize: Callable[[Any], Any] | None = md_escape if fmt == "md" else None
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(read_template),
        autoescape=fmt == "html",
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )


def render(plan: Plan, fmt: str, *, page_size: str = "A4", week: int | None = None) -> str:
    """The plan as ``json``, ``md`` or ``html`` text.

    ``page_size`` ("A4" or "Letter") sets the HTML print stylesheet's ``@page`` size; ``week``
    the block's week the sheet shows (default week 1; ``Plan.week_on`` finds a date's week).
    """
    if fmt == "json":
        return plan.to_json()
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if page_size not in PAGE_SIZES:
        raise ValueError(f"unknown page size {page_size!r}; choose one of {', '.join(PAGE_SIZES)}")
    template = environment(fmt).get_template(f"plan.{fmt}.j2")
    return template.render(v=build_view(plan, page_size, week))
