"""Render a calibration (``legplan calibrate``) as JSON, Markdown or standalone HTML.

Like ``render``, the templates only format: the charts' geometry (logged points and the fitted
line, in the athlete's units) and every number's text are prepared here.
"""

from __future__ import annotations

from typing import Any

from planner.model.units import Units, number
from planner.report.render import axis_ticks, environment, step_decimals, value_axis

CHART = {"width": 460, "height": 180, "left": 44, "right": 16, "top": 12, "bottom": 32}


def chart(points: list[tuple[int, float]], curve: list[tuple[int, float]], unit: str,
          min_span: float, title: str) -> dict[str, Any]:
    """Geometry of a chart of logged ``points`` (day, value) and the fitted ``curve``."""
    c = CHART
    plot_w = c["width"] - c["left"] - c["right"]
    plot_h = c["height"] - c["top"] - c["bottom"]
    values = [v for _, v in points] + [v for _, v in curve]
    low, high, step = value_axis(min(values), max(values), 4, min_span)
    last = max([d for d, _ in points] + [d for d, _ in curve] + [1])

    def x(day: float) -> float:
        return c["left"] + day / last * plot_w

    def y(value: float) -> float:
        return c["top"] + (high - value) / (high - low) * plot_h

    weeks = list(range(0, last // 7 + 1, max(1, (last // 7) // 6 or 1)))
    decimals = step_decimals(step)
    return {
        **c, "title": title, "unit": unit,
        "plot_right": c["width"] - c["right"], "plot_bottom": c["height"] - c["bottom"],
        "y_label_x": c["left"] - 6, "x_label_y": c["height"] - c["bottom"] + 14,
        "axis_y": c["height"] - 4, "mid_x": f"{c['left'] + plot_w / 2:.1f}",
        "dots": [{"x": f"{x(d):.1f}", "y": f"{y(v):.1f}"} for d, v in points],
        "line": " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in curve),
        "y_ticks": [{"y": f"{y(t):.1f}", "label": number(t, decimals)}
                    for t in axis_ticks(low, high, step)],
        "x_ticks": [{"x": f"{x(7 * w):.1f}", "label": str(w)} for w in weeks],
        "summary": f"{title}: {len(points)} logged points and the fitted line",
    }


def counted(n: int, one: str, many: str) -> str:
    """``1 weigh-in``, ``57 weigh-ins``."""
    return f"{n:,} {one if n == 1 else many}"


def log_line(log: dict[str, Any], points: int) -> str:
    """What the log holds, in one sentence."""
    return (f"Log {log['first']} to {log['last']}: "
            f"{counted(log['weigh_ins'], 'weigh-in', 'weigh-ins')}, "
            f"{counted(log['thigh_measures'], 'thigh measure', 'thigh measures')}, "
            f"{counted(log['calories_days'], 'day', 'days')} with calories "
            f"({counted(points, 'row', 'rows')} used).")


def weekly_rows(series: dict[str, list[dict[str, Any]]], day: dict[str, int],
                units: Units) -> list[dict[str, str]]:
    """The Markdown chart: per week of the log, the mean logged and fitted weight and thigh."""
    weeks: dict[int, dict[str, list[float]]] = {}
    for key, convert in (("weight", units.kg), ("thigh", units.cm)):
        for row in series[key]:
            week = weeks.setdefault(day[row["date"]] // 7, {})
            week.setdefault(key, []).append(convert(row["logged"]))
            week.setdefault(key + "_fit", []).append(convert(row["fitted"]))

    def mean(values: list[float] | None, decimals: int) -> str:
        return number(sum(values) / len(values), decimals) if values else ""

    return [{"week": str(w), "weight": mean(v.get("weight"), 1),
             "weight_fit": mean(v.get("weight_fit"), 1), "thigh": mean(v.get("thigh"), 1),
             "thigh_fit": mean(v.get("thigh_fit"), 1)} for w, v in sorted(weeks.items())]


def build_view(document: dict[str, Any], units_name: str) -> dict[str, Any]:
    cal, rep = document["calibration"], document["report"]
    units = Units.of(units_name)
    series = rep["series"]
    dates = [p["date"] for p in series["fitted_daily"]]
    day = {d: i for i, d in enumerate(dates)}

    def pts(rows: list[dict[str, Any]], convert) -> list[tuple[int, float]]:
        return [(day.get(r["date"], 0), convert(r["logged"])) for r in rows]

    curve_w = [(i, units.kg(p["weight_kg"])) for i, p in enumerate(series["fitted_daily"])]
    curve_t = [(i, units.cm(p["thigh_cm"])) for i, p in enumerate(series["fitted_daily"])]
    charts = []
    if series["weight"]:
        charts.append(chart(pts(series["weight"], units.kg), curve_w, units.mass,
                            units.kg(1.0), f"Body weight ({units.mass})"))
    if series["thigh"]:
        charts.append(chart(pts(series["thigh"], units.cm), curve_t, units.length,
                            units.cm(1.0), f"Thigh circumference ({units.length})"))
    off_lo, off_hi = cal["maintenance_offset_kcal_interval"]
    r_lo, r_hi = cal["response_interval"]
    p_off, p_r = rep["prior"]["maintenance_offset_kcal_interval"], rep["prior"]["response_interval"]
    plan = rep["plan"]
    return {
        "athlete": rep["athlete"],
        "log_line": log_line(rep["log"], cal["points"]),
        "rows": [
            {"label": "Maintenance offset", "value": f"{cal['maintenance_offset_kcal']:+,.0f} kcal/d",
             "interval": f"{off_lo:+,.0f} to {off_hi:+,.0f} kcal/d",
             "prior": f"{p_off[0]:+,.0f} to {p_off[1]:+,.0f} kcal/d",
             "fitted": "fitted" if rep["fitted"]["maintenance_offset"] else "prior kept"},
            {"label": "Muscle response", "value": f"{cal['response']:.2f}×",
             "interval": f"{r_lo:.2f}× to {r_hi:.2f}×",
             "prior": f"{p_r[0]:.2f}× to {p_r[1]:.2f}×",
             "fitted": "fitted" if rep["fitted"]["response"] else "prior kept"},
        ],
        "targets": {"before": f"{number(plan['calories_per_day_before'])} kcal/d",
                    "after": f"{number(plan['calories_per_day_after'])} kcal/d",
                    "maintenance": f"{number(rep['maintenance_kcal_per_day']['equations'])} → "
                                   f"{number(rep['maintenance_kcal_per_day']['calibrated'])} kcal/d"},
        "summary": rep["summary"],
        "notes": rep["notes"],
        "flags": rep["flags"],
        "noise": f"{units.kg(rep['noise']['weight_kg']):.1f} {units.mass} (scale), "
                 f"{units.cm(rep['noise']['thigh_cm']):.1f} {units.length} (tape)",
        "charts": charts,
        "weekly": weekly_rows(series, day, units),
        "mass": units.mass, "length": units.length,
    }


def render_calibration(document: dict[str, Any], units_name: str, fmt: str, json_text: str) -> str:
    """``json_text`` for json, else the Markdown / HTML report of the calibration ``document``."""
    if fmt == "json":
        return json_text
    template = environment(fmt).get_template(f"calibrate.{fmt}.j2")
    return template.render(v=build_view(document, units_name))
