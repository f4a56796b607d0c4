"""The block: a working week shaped week by week by the progression rules, with its calories
re-set every 4 weeks from the projected body (docs/design.md "The block").

``block_weeks`` builds the weeks' sessions from the working week (``planner.science.progression``:
hard sessions build, every 4th week lighter, running within the week-to-week rule). ``simulate_block``
steps the effect model through them (``effect.simulate_weeks``, the state carried across) and
re-sets the calories at the start of each cycle: the working week's offset from maintenance kept,
maintenance taken at the projected weight, clamped into every calorie guardrail of the cycle's
weeks (``cycle_bounds``). Floats for one plan, numpy arrays for many (the solver's exact terms).

A session here is an ``Item``: (kind, dose, minutes, load), the plain values the solver and the
plan share.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

import numpy as np

from planner.model.plan import CALORIE_STEP, DayPlan, PlanInput, PlanWeek, Session, first_monday
from planner.model.profile import DAYS, DAYS_PER_WEEK, Profile
from planner.model.sessions import CATALOGUE, LONG_RUN_MIN
from planner.science import effect, guardrails, progression

Item = tuple[str, int, int, "str | None"]  # (kind, dose, minutes, load)


@dataclass(frozen=True)
class BlockWeek:
    """One week of a block: its number (1…), whether it is lighter, and its seven days' items."""

    week: int
    lighter: bool
    days: tuple[tuple[Item, ...], ...]

    def items(self) -> list[Item]:
        return [item for day in self.days for item in day]

    @property
    def running_minutes(self) -> int:
        return running_minutes(self.days)


def running_minutes(days: Sequence[Sequence[Item]]) -> int:
    """[min] the running (long runs, sprints, hill repeats, warm-ups included) of a week's days."""
    return sum(m for day in days for k, _, m, _ in day if CATALOGUE[k].running)


def _with_dose(item: Item, dose: int) -> Item:
    """``item`` at ``dose``: its minutes follow the catalogue's session structure (kept as they
    were when the dose is unchanged, e.g. a hand-written session's spare minutes)."""
    kind, old, minutes, load = item
    if dose == old:
        return item
    return (kind, dose, CATALOGUE[kind].minutes_for(dose), load)


def _lighter(days: list[list[Item]]) -> list[list[Item]]:
    """A lighter week of ``days``: its running and its squats/lunges each cut by
    ``progression.lighter_doses``, the same sessions on the same days."""
    days = [list(day) for day in days]
    for running in (True, False):
        where = [(d, i) for d, day in enumerate(days) for i, item in enumerate(day)
                 if CATALOGUE[item[0]].running == running]
        doses = progression.lighter_doses([(days[d][i][0], days[d][i][1]) for d, i in where])
        for (d, i), dose in zip(where, doses):
            days[d][i] = _with_dose(days[d][i], dose)
    return days


def _fit_running(days: list[list[Item]], cap: float) -> list[list[Item]]:
    """Shorten the week's running until it is within ``cap`` [min]: the longest long run a
    catalogue step at a time, then the largest sprint or hill session a rep at a time."""
    while running_minutes(days) > cap + 1e-9:
        cands = [(d, i) for d, day in enumerate(days) for i, (k, dose, _, _) in enumerate(day)
                 if CATALOGUE[k].running and dose > CATALOGUE[k].dose_min]
        if not cands:
            break
        long = [c for c in cands if days[c[0]][c[1]][0] == "long_run"]
        d, i = max(long or cands, key=lambda c: (days[c[0]][c[1]][2], -c[0]))
        kind, dose, _, _ = days[d][i]
        lower = [x for x in CATALOGUE[kind].doses() if x < dose]
        days[d][i] = _with_dose(days[d][i], lower[-1] if lower else CATALOGUE[kind].dose_min)
    return days


# [min] the longest a build week's easy run grows to while it holds the "running kept" floor:
# one catalogue step under LONG_RUN_MIN, so that it stays an easy run (the sheet's label, the
# fresh-legs term's long run) — no new long run beside a hard day, and no long run made longer
# than the week builds to (one run much longer than usual is the riskiest spike, Frandsen 2025)
EASY_RUN_GROWS_TO = LONG_RUN_MIN - CATALOGUE["long_run"].dose_step


def _easy_run_ceiling(profile: Profile) -> int:
    """[min] ``EASY_RUN_GROWS_TO``, within a beginner's short runs
    (``guardrails.longest_easy_run``)."""
    beginner = guardrails.longest_easy_run(profile)
    return EASY_RUN_GROWS_TO if beginner is None else min(EASY_RUN_GROWS_TO, int(beginner))


def _beside_hard(days: Sequence[Sequence[Item]], d: int) -> bool:
    """Whether day ``d`` or the day before holds a hard session (the week wraps round)."""
    return any(CATALOGUE[k].hard for day in (days[d], days[(d - 1) % len(days)])
               for k, _, _, _ in day)


def _lengthen_easy_runs(profile: Profile, days: list[list[Item]], floor: float) -> list[list[Item]]:
    """Lengthen the week's easy runs a catalogue step at a time while the week runs at least a
    whole step short of ``floor`` [min] (a smaller gap is closed by a rep put back, which
    overshoots less), within the minutes their day has that week and ``_easy_run_ceiling``:
    first the runs on days clear of hard sessions (that day and the day before), then the
    shortest, then the day with the most time left, then the earlier day. The "running kept"
    floor is held with easy minutes while the hard reps build, not with all-out efforts."""
    step = CATALOGUE["long_run"].dose_step
    if running_minutes(days) > floor - step + 1e-9:
        return days  # most weeks: nothing to lengthen, so nothing more to look up
    avail = list(profile.minutes.values())
    ceiling = _easy_run_ceiling(profile)
    while running_minutes(days) <= floor - step + 1e-9:
        room = [avail[d] - sum(m for _, _, m, _ in day) for d, day in enumerate(days)]
        runs = [(d, i) for d, day in enumerate(days) for i, (k, dose, m, _) in enumerate(day)
                if k == "long_run" and dose + step <= ceiling and room[d] >= step]
        if not runs:
            break
        d, i = min(runs, key=lambda c: (_beside_hard(days, c[0]), days[c[0]][c[1]][1],
                                        -room[c[0]], c[0]))
        days[d][i] = _with_dose(days[d][i], days[d][i][1] + step)
    return days


def _keep_running(profile: Profile, days: list[list[Item]], working: Sequence[Sequence[Item]],
                  floor: float) -> list[list[Item]]:
    """Hold a full week's running at the "running kept" ``floor`` [min] the working week keeps
    while its hard sessions build: first with easy minutes (``_lengthen_easy_runs``), then by
    putting back sprint and hill reps held back by the build, a rep at a time on the session
    furthest below its working dose. When the working week itself runs under the floor (the
    "running kept" rule gave way) nothing is added: no week could reach it, and the reps build
    as they would. A session back at its working dose is the working week's own (its minutes as
    written). Ties go to the kind's name, never the day."""
    if running_minutes(working) < floor - 1e-9:
        return days
    days = _lengthen_easy_runs(profile, days, floor)
    while running_minutes(days) < floor - 1e-9:
        short = [(d, i) for d, day in enumerate(days) for i, item in enumerate(day)
                 if CATALOGUE[item[0]].running and item[1] < working[d][i][1]]
        if not short:
            break
        d, i = max(short, key=lambda c: (working[c[0]][c[1]][1] - days[c[0]][c[1]][1],
                                         days[c[0]][c[1]][0]))
        kind, dose, _, _ = days[d][i]
        up = min(x for x in CATALOGUE[kind].doses() if x > dose)
        days[d][i] = working[d][i] if up >= working[d][i][1] else _with_dose(days[d][i], up)
    return days


def block_weeks(profile: Profile, working: Sequence[Sequence[Item]], weeks: int) -> list[BlockWeek]:
    """The block's ``weeks`` weeks from the working week (seven days of items): hard sessions'
    sets and reps build to the working dose (never taking a full week's running under the
    "running kept" floor: easy runs grow, then reps are put back, ``_keep_running``), every 4th
    week is lighter (same sessions, same days), and each week's running stays within
    ``progression.running_build_cap`` of the weeks before it."""
    exp = profile.strength_experience
    first = guardrails.running_cap(profile)
    floor = guardrails.running_floor(profile)
    pct = profile.limits.max_run_increase_pct
    out: list[BlockWeek] = []
    history: list[float] = []
    lights: list[bool] = []
    for w in range(1, weeks + 1):
        light = progression.is_lighter(w)
        days = [[_with_dose(item, progression.built_dose(item[0], item[1], exp, w))
                 for item in day] for day in working]
        if light:
            days = _lighter(days)
        else:
            days = _keep_running(profile, days, working, floor)
        cap = progression.running_build_cap(first, pct, profile.recent_weekly_run_minutes,
                                            history, lights)
        days = _fit_running(days, cap)
        week = BlockWeek(w, light, tuple(tuple(day) for day in days))
        out.append(week)
        history.append(week.running_minutes)
        lights.append(light)
    return out


def week_load(profile: Profile, items: Sequence[Item]) -> effect.WeekLoad:
    """The effect model's ``WeekLoad`` of a week's items."""
    return effect.week_load(items_as_sessions(items), profile.fast_twitch_pct)


def items_as_sessions(items: Sequence[Item]):
    """(kind, minutes, dose, load) tuples, as ``effect.week_load`` takes them."""
    return [(k, minutes, dose, load) for k, dose, minutes, load in items]


def _round_step(x, up: bool | None = None):
    """``x`` [kcal/d] to a whole ``CALORIE_STEP``: nearest, up (``up=True``) or down (False)."""
    f = np.floor if isinstance(x, np.ndarray) else math.floor
    c = np.ceil if isinstance(x, np.ndarray) else math.ceil
    if up is None:
        return f(x / CALORIE_STEP + 0.5) * CALORIE_STEP
    return (c(x / CALORIE_STEP - 1e-9) if up else f(x / CALORIE_STEP + 1e-9)) * CALORIE_STEP


def cycle_bounds(profile: Profile, session_kcal_per_kg: Sequence, weight_kg, rounded: bool = True):
    """[kcal/d] (lowest, highest) calories that keep every calorie guardrail (intake floor,
    deficit, healthy weight, surplus) in every week of a cycle, each week's expenditure taken at
    ``weight_kg`` (the body at the cycle's re-set) with that week's sessions (their net cost
    [kcal/kg/week] each), rounded inwards to whole calorie steps (``rounded``)."""
    lows, highs = [], []
    for skpk in session_kcal_per_kg:
        low, high = guardrails.calorie_bounds(profile, effect.expenditure_at(profile, skpk, weight_kg))
        lows.append(low)
        highs.append(high)
    vmax = np.maximum if any(isinstance(x, np.ndarray) for x in lows + highs) else max
    vmin = np.minimum if any(isinstance(x, np.ndarray) for x in lows + highs) else min
    low, high = lows[0], highs[0]
    for lo, hi in zip(lows[1:], highs[1:]):
        low, high = vmax(low, lo), vmin(high, hi)
    if not rounded:
        return low, high
    return _round_step(low, up=True), _round_step(high, up=False)


def reset_calories(profile: Profile, calories0, working_kcal_per_kg, weight_kg, bounds):
    """[kcal/d] a cycle's calorie target: the first cycle's ``calories0`` moved by the change in
    the working week's expenditure from the start weight to ``weight_kg`` (the same offset from
    maintenance), to a whole step, inside ``bounds`` (``cycle_bounds``; the floor wins if they
    cross)."""
    moved = (calories0 + effect.expenditure_at(profile, working_kcal_per_kg, weight_kg)
             - effect.expenditure_at(profile, working_kcal_per_kg, profile.weight_kg))
    low, high = bounds
    if isinstance(moved, np.ndarray) or isinstance(low, np.ndarray):
        return np.maximum(np.minimum(_round_step(moved), high), low)
    return max(min(_round_step(moved), high), low)


def simulate_block(profile: Profile, base: effect.Baseline, session_kcal_per_kg: Sequence,
                   stimulus: Sequence, growth, calories0, working_kcal_per_kg,
                   step_days: int = 1):
    """Step the effect model through a block: week w has net session cost
    ``session_kcal_per_kg[w]`` [kcal/kg/week] and stimulus ``stimulus[w]``; the first cycle eats
    ``calories0``, each later cycle its ``reset_calories`` at the projected weight (to the gram,
    as the projection shows it). Floats or arrays (many plans at once).

    Returns ((bw, fat, lean, acc) lists at days 0, step, …, the calories of each week)."""
    state = effect.initial_state(base)
    n = len(session_kcal_per_kg)
    lists: tuple[list, list, list, list] | None = None
    calories = calories0
    by_week = []
    vector = isinstance(calories0, np.ndarray)
    for w in range(n):
        week = w + 1
        if week > 1 and progression.cycle_start(week) == week:
            weight = np.round(state.body_weight, 3) if vector else round(state.body_weight, 3)
            cycle = session_kcal_per_kg[w:w + progression.CALORIE_RESET_EVERY]
            calories = reset_calories(profile, calories0, working_kcal_per_kg, weight,
                                      cycle_bounds(profile, cycle, weight))
        by_week.append(calories)
        part, state = effect.simulate_segment(base, state, calories, session_kcal_per_kg[w],
                                              stimulus[w], growth, DAYS_PER_WEEK, step_days)
        lists = effect.joined(lists, part)
    assert lists is not None
    return lists, by_week


def first_cycle(weekly: Sequence) -> list:
    """The first calorie cycle's share of a block's week-by-week values."""
    return list(weekly[:progression.CALORIE_RESET_EVERY])


@functools.lru_cache(maxsize=4096)
def session_of(item: Item) -> Session:
    """A plan ``Session`` of an item (a frozen model: one per item, shared)."""
    kind, dose, minutes, load = item
    field = CATALOGUE[kind].dose_field
    fields: dict = {"kind": kind, "minutes": minutes}
    if field != "minutes":
        fields[field] = dose
    if kind == "squats_lunges":
        fields["load"] = load
    return Session(**fields)


def item_of(session: Session) -> Item:
    """The item of a plan ``Session``."""
    return (session.kind, session.dose, session.minutes, session.load)


def block_input(profile: Profile, working: PlanInput, weeks: int,
                start: date | None = None) -> PlanInput:
    """``working`` (one week, its calories and protein) with its block of ``weeks`` weeks:
    ``block_weeks``' sessions, ``simulate_block``'s calories (day by day), the working week's
    protein, and each week's Monday when the block has a ``start`` (week 1's Monday: the first
    on or after it)."""
    protein = (working.protein_g_per_day if working.protein_g_per_day is not None
               else guardrails.default_protein(profile))
    days = [[item_of(s) for s in d.sessions] for d in working.days]
    built = block_weeks(profile, days, weeks)
    loads = [week_load(profile, w.items()) for w in built]
    working_load = week_load(profile, [i for d in days for i in d])
    base = effect.baseline(profile)
    inputs = [effect.training_inputs(base, load, protein / profile.weight_kg) for load in loads]
    _, calories = simulate_block(profile, base, [load.session_kcal_per_kg for load in loads],
                                 [s for s, _ in inputs], inputs[0][1] if inputs else 0.0,
                                 working.calories_per_day, working_load.session_kcal_per_kg)
    monday = first_monday(start) if start is not None else None
    plan_weeks = [PlanWeek(
        week=w.week, lighter=w.lighter, calories_per_day=int(kcal), protein_g_per_day=protein,
        start_date=None if monday is None else monday + timedelta(days=7 * (w.week - 1)),
        days=[DayPlan(day=day, sessions=[session_of(i) for i in items])  # type: ignore[arg-type]
              for day, items in zip(DAYS, w.days)])
        for w, kcal in zip(built, calories)]
    return working.model_copy(update={"weeks": plan_weeks})
