"""Markdown and HTML for what-ifs and seeks (templates ``whatif.*.j2``, ``seek.*.j2``).

As in ``planner.report.render``, the templates only format: the views below hold every string and the
charts' SVG geometry, in the athlete's units; the Jinja environment and number/units helpers are
``planner.report.render``'s.
"""

from __future__ import annotations

import math
from typing import Any

from planner.model.plan import MAX_WEEKS, Plan
from planner.model.profile import KINDS
from planner.model.scenarios import Outcome, Scenario, SeekResult, Sweep, WhatIf
from planner.model.units import Units, length, mass_change, number, signed
from planner.report.render import (
    GOAL_LABELS,
    KIND_LABELS,
    axis_ticks,
    environment,
    nice_step,
    step_decimals,
    value_axis,
    week_rows,
)

SERIES_STYLES = 8  # CSS classes s0..s7 (colour and dash pattern, so print in grey still reads)
STATUS_LABELS = {"baseline": "baseline", "applied": "applied",
                 "nearest safe value": "NOT APPLIED — shown at the nearest safe value",
                 "no safe plan": "NO SAFE PLAN"}


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------
def thigh_change(units: Units, cm: float) -> str:
    """A thigh change with one more decimal than the plan shows: what-ifs differ by millimetres."""
    return signed(units.cm(cm), units.length_decimals + 1, units.length)


def line_chart(series: list[dict[str, Any]], x_label: str, y_unit: str, *, min_span: float,
               width: int = 560, height: int = 240) -> dict[str, Any]:
    """Geometry of an overlay line chart in SVG user units.

    ``series``: ``{"label": str, "points": [(x, y), …], "bad": [bool, …] (optional)}`` in display
    units; points flagged bad get a hollow marker (e.g. intakes that break a guardrail).
    """
    left, right, top, bottom = 48, 16, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    xs = [x for s in series for x, _ in s["points"]]
    ys = [y for s in series for _, y in s["points"]]
    x_min, x_max = min(xs), max(max(xs), min(xs) + 1)
    x_step = max(1.0, nice_step(x_max - x_min, 6))  # x values are weeks, kcal/d or counts
    y_min, y_max, y_step = value_axis(min(ys), max(ys), 4, min_span)

    def px(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def py(y: float) -> float:
        return top + (y_max - y) / (y_max - y_min) * plot_h

    first_tick = math.ceil(x_min / x_step - 1e-9) * x_step
    x_ticks = [{"x": f"{px(t):.1f}", "label": number(t, step_decimals(x_step))}
               for t in (first_tick + i * x_step for i in range(int((x_max - first_tick) / x_step
                                                                    + 1e-9) + 1))]
    y_ticks = [{"y": f"{py(t):.1f}", "label": number(t, step_decimals(y_step))}
               for t in axis_ticks(y_min, y_max, y_step)]
    lines = []
    for i, s in enumerate(series):
        bad = s.get("bad") or [False] * len(s["points"])
        lines.append({
            "label": s["label"],
            "style": f"s{i % SERIES_STYLES}",
            "points": " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s["points"]),
            "markers": [{"x": f"{px(x):.1f}", "y": f"{py(y):.1f}", "bad": b,
                         "title": f"{number(x, 0)}: {number(y, 2)} {y_unit}"}
                        for (x, y), b in zip(s["points"], bad)],
            "legend_y": top + 14 * i + 4,
        })
    return {"width": width, "height": height, "left": left, "right": width - right, "top": top,
            "bottom": height - bottom, "x_ticks": x_ticks, "y_ticks": y_ticks, "lines": lines,
            "x_label": x_label, "y_unit": y_unit, "x_label_y": height - bottom + 14,
            "unit_y": top + 4, "axis_y": height - 4, "mid_x": f"{left + plot_w / 2:.1f}", "y_label_x": left - 6}


# ---------------------------------------------------------------------------------------------
# Rows shared by both views
# ---------------------------------------------------------------------------------------------
OUTCOME_ROWS = ("Calories per day", *[f"{KIND_LABELS[k]} per week" for k in KINDS],
                "Training per week", "Weeks", "Thigh change", "Leg muscle change",
                "Leg fat change", "Body weight change", "Goal reached", "Guardrails")


def outcome_cells(o: Outcome | None, units: Units) -> list[str]:
    """The column of one outcome, in ``OUTCOME_ROWS`` order ("—" throughout when None)."""
    if o is None:
        return ["—"] * len(OUTCOME_ROWS)
    tissue = units.mass_decimals + 1
    return [f"{number(o.calories_per_day)} kcal", *[str(o.sessions[k]) for k in KINDS],
            f"{o.training_minutes} min", str(o.weeks), thigh_change(units, o.thigh_cm_change),
            mass_change(units, o.leg_muscle_kg_change, tissue),
            mass_change(units, o.leg_fat_kg_change, tissue),
            mass_change(units, o.body_weight_kg_change, units.mass_decimals),
            "yes" if o.goal_reached else "no",
            "all kept" if not o.broken_guardrails else "broken: " + ", ".join(o.broken_guardrails)]


def table(outcomes: list[Outcome | None], units: Units) -> list[dict[str, Any]]:
    columns = [outcome_cells(o, units) for o in outcomes]
    return [{"label": label, "cells": [col[i] for col in columns]}
            for i, label in enumerate(OUTCOME_ROWS)]


def trajectory(o: Outcome, units: Units) -> list[tuple[float, float]]:
    return [(week, units.cm(cm)) for week, cm in enumerate(o.thigh_cm)]


# ---------------------------------------------------------------------------------------------
# What-if
# ---------------------------------------------------------------------------------------------
def scenario_lines(s: Scenario) -> list[str]:
    lines = []
    for p in s.problems:
        text = f"{p.change} not applied: breaks {', '.join(p.rules)} ({p.detail})"
        if p.nearest_safe:
            text += f"; nearest safe value {p.nearest_safe}, shown in this column"
        else:
            text += "; no nearby safe value"
        lines.append(text)
    return lines + list(s.notes)


def whatif_view(result: WhatIf) -> dict[str, Any]:
    units = Units.of(result.units)
    shown = [s for s in result.scenarios if s.outcome is not None]
    chart = line_chart([{"label": s.name, "points": trajectory(s.outcome, units)}  # type: ignore[arg-type]
                        for s in shown], "week", units.length, min_span=units.cm(1.0))
    return {
        "athlete": result.athlete,
        "goal_label": GOAL_LABELS.get(result.goal, result.goal),
        "columns": [{"name": s.name, "changes": ", ".join(s.changes) or "as planned",
                     "status": STATUS_LABELS[s.status], "ok": s.status in ("baseline", "applied")}
                    for s in result.scenarios],
        "rows": table([s.outcome for s in result.scenarios], units),
        "details": [{"name": s.name, "lines": scenario_lines(s)} for s in result.scenarios
                    if scenario_lines(s)],
        "chart": chart,
        "units_name": result.units,
    }


def render_whatif(result: WhatIf, fmt: str) -> str:
    if fmt == "json":
        return result.to_json()
    return environment(fmt).get_template(f"whatif.{fmt}.j2").render(v=whatif_view(result))


# ---------------------------------------------------------------------------------------------
# Seek
# ---------------------------------------------------------------------------------------------
def sweep_view(s: Sweep, units: Units) -> dict[str, Any]:
    unit = "kcal/d" if s.lever == "calories" else "sessions/week"
    rows = []
    for p in s.points:
        o = p.outcome
        rows.append({"value": f"{number(p.value)} {unit}", "safe": p.safe,
                     "thigh": thigh_change(units, o.thigh_cm_change) if o else "—",
                     "muscle": mass_change(units, o.leg_muscle_kg_change,
                                           units.mass_decimals + 1) if o else "—",
                     "fat": mass_change(units, o.leg_fat_kg_change,
                                        units.mass_decimals + 1) if o else "—",
                     "weight": mass_change(units, o.body_weight_kg_change,
                                           units.mass_decimals) if o else "—",
                     "reached": ("yes" if o.goal_reached else "no") if o else "—",
                     "rules": ", ".join(p.broken_rules) or "all kept"})
    scored = [p for p in s.points if p.outcome is not None]
    chart = None
    if scored:
        points = [(p.value, units.cm(p.outcome.thigh_cm_change))  # type: ignore[union-attr]
                  for p in scored]
        chart = line_chart([{"label": "thigh change", "points": points,
                             "bad": [not p.safe for p in scored]}],
                           unit, units.length, min_span=units.cm(0.2))
    label = "Calories" if s.lever == "calories" else KIND_LABELS[s.lever]
    return {"title": f"{label}: {s.spec}", "method": s.method, "rows": rows, "chart": chart}


def seek_view(result: SeekResult) -> dict[str, Any]:
    units = Units.of(result.units)
    target = thigh_change(units, result.target_thigh_change_cm)
    best = thigh_change(units, result.best_thigh_change_cm)
    if result.reached:
        headline = f"Reached: thigh {best} by week {result.weeks} (target {target})"
    else:
        headline = f"Not reachable by week {result.weeks}: best {best} of the {target} target"
    if result.earliest_week is not None:
        when = f"First reached in week {result.earliest_week}."
    else:
        when = "" if result.reached else f"No safe plan reaches it within {MAX_WEEKS} weeks."
    plan: Plan = result.plan
    return {
        "athlete": result.athlete,
        "reached": result.reached,
        "headline": headline,
        "when": when,
        "target": target,
        "weeks": result.weeks,
        "rows": table([result.outcome], units),
        "week": week_rows(plan.days),  # the working week (a block builds up to it)
        "key_lever": result.key_lever,
        "steps": [{"change": s.change, "thigh": thigh_change(units, s.thigh_cm_change),
                   "reached": "yes" if s.goal_reached else "no", "key": s.lever == result.key_lever}
                  for s in result.one_step_less],
        "notes": list(result.notes),
        "sweeps": [sweep_view(s, units) for s in result.sweeps],
        "start": length(units, result.outcome.thigh_cm[0]),
        "units_name": result.units,
    }


def render_seek(result: SeekResult, fmt: str) -> str:
    if fmt == "json":
        return result.to_json()
    return environment(fmt).get_template(f"seek.{fmt}.j2").render(v=seek_view(result))
