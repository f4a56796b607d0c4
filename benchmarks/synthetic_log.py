"""Synthetic athlete logs made with the effect model itself, from known parameters plus realistic
noise (daily scale scatter about 0.5 kg, tape about 0.5 cm): what the calibration tests and the
calibrate benchmark fit."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from planner.model.logs import Log, LogEntry, jump_flags
from planner.model.plan import PlanInput
from planner.model.profile import DAYS_PER_WEEK, Profile, parse_profile
from planner.science import effect

START = date(2024, 1, 1)  # a Monday, well in the past wherever the tests run
WEIGHT_NOISE_KG = 0.5
THIGH_NOISE_CM = 0.5

BULKER = {  # a novice man who lifts heavy three times a week and eats a small surplus
    "name": "Synthetic Bulker", "sex": "male", "age": 24, "height_cm": 180, "weight_kg": 75,
    "body_fat_pct": 15, "strength_experience": "novice", "goal": "bulkier",
    "availability": {"mon": 60, "wed": 60, "fri": 60}, "facilities": ["barbell"],
}
BULKER_PLAN = {"calories_per_day": 2900, "protein_g_per_day": 135, "days": [
    {"day": d, "sessions": [{"kind": "squats_lunges", "minutes": 45, "sets": 8}]}
    for d in ("mon", "wed", "fri")]}


def bulker() -> tuple[Profile, PlanInput]:
    return parse_profile(BULKER), PlanInput.model_validate(BULKER_PLAN)


def truth(profile: Profile, plan: PlanInput, offset: float, response: float, days: int):
    """The model's daily body weight [kg] and thigh girth [cm] for the true parameters, the plan
    followed week by week (its block's weeks, the last one going on; else its one week): the
    effect model itself (``effect.simulate_weeks`` on ``effect.individual``), not the fit's code."""
    base = effect.individual(effect.baseline(profile.without_calibration()), float(offset),
                             float(response))
    weeks = plan.weeks or [plan]
    grams = plan.protein_g_per_day or 1.8 * profile.weight_kg
    segments = []
    for first in range(0, days, DAYS_PER_WEEK):
        week = weeks[min(first // DAYS_PER_WEEK, len(weeks) - 1)]
        load = effect.plan_load(profile, [s for d in week.days for s in d.sessions])
        stimulus, growth = effect.training_inputs(base, load, grams / profile.weight_kg)
        segments.append((float(week.calories_per_day), load.session_kcal_per_kg, stimulus, growth,
                         min(DAYS_PER_WEEK, days - first)))
    (bw, fat, lean, acc), _ = effect.simulate_weeks(base, segments)
    _, _, thigh = effect.leg_state(base, np.array(fat), np.array(lean), np.array(acc))
    return np.array(bw), thigh


def synthetic_log(profile: Profile, plan: PlanInput, offset: float, response: float, days: int,
                  *, thigh_every: int = 7, seed: int = 1, thigh_offset_cm: float = 1.5,
                  start: date = START) -> Log:
    """A log of ``days`` + 1 daily weigh-ins (day 0 … days) and a thigh measure every
    ``thigh_every`` days, made from the model with the true ``offset`` and ``response``. The tape
    reads ``thigh_offset_cm`` more than the model's geometric thigh (the fit must not care)."""
    rng = np.random.default_rng(seed)
    bw, thigh = truth(profile, plan, offset, response, days)
    entries = []
    for day in range(days + 1):
        weight = round(float(bw[day] + rng.normal(0, WEIGHT_NOISE_KG)), 1)
        tape = rng.normal(0, THIGH_NOISE_CM)
        girth = (round(float(thigh[day] + thigh_offset_cm + tape), 1)
                 if day % thigh_every == 0 else None)
        entries.append(LogEntry(day=start + timedelta(days=day), line=day + 2, weight_kg=weight,
                                thigh_cm=girth))
    entries_t = tuple(entries)
    return Log("synthetic.log.csv", entries_t, jump_flags(entries_t))


def log_csv(log: Log) -> str:
    """The log as the CSV file an athlete would keep."""
    lines = ["date,weight_kg,thigh_cm,calories,note"]
    for e in log.entries:
        cells = [e.day.isoformat(), "" if e.weight_kg is None else f"{e.weight_kg:g}",
                 "" if e.thigh_cm is None else f"{e.thigh_cm:g}",
                 "" if e.calories is None else f"{e.calories:g}", e.note]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"
