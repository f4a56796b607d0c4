"""The objective under the full effect model, and the surrogate tables CP-SAT optimises over.

* ``outcomes`` runs the full model (vectorised numpy, weekly RK4 steps) for many (calories,
  session energy, stimulus) at once, ``trajectories`` the same at every week;
  ``goal_shortfalls`` turns its metrics into the goal's terms.
* ``Table``/``build_table``: per calorie level, each metric linear in session energy S and
  stimulus s around a reference week — what the CP-SAT model sees.
* ``exact_terms``/``polish``/``polish_all``: a week's objective terms computed exactly, and its
  best calories; ``first_reaching_horizon``: the shortest horizon over which a week can reach the
  goal (the earliest-week search's upper bound).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from planner.model.plan import DayPlan, PlanInput
from planner.model.profile import DAYS, DAYS_PER_WEEK, KINDS
from planner.model.sessions import CATALOGUE, LONG_RUN_MIN, allowed_kinds
from planner.science import block, effect, goals, guardrails
from planner.solve.instance import Instance, Option

# The objective, in the order a coach ranks it (docs/design.md "Plan shape", below the table):
# the goal first; then the leg change the goal is about; a sustainable calorie change; the
# athlete's preferences; least training only as a tie-break. Points; CP-SAT works in 1/1000 points.
W_SHORT = 20  # per 0.001 cm the thigh misses the target
# per milli-unit the goal's other conditions miss (leg fat must fall, leg muscle rise, muscle make
# half the girth gained, weight stay within 1 kg): ten times the thigh's, so a closest plan does
# not buy girth with fat (a coach takes less girth that is muscle over more that is fat)
W_SIDE = 200

# The leg change the goal is about, per milli-unit (g of leg muscle / leg fat, 0.001 cm of thigh,
# g of body weight): "linear" adds weight × change, "loss" weight × max(0, −change), "drift"
# weight × |change|. leaner: leg fat down with leg muscle kept; bulkier: leg muscle up with the
# least leg fat; maintain: steady girth and weight, muscle kept.
LEG_CHANGE: dict[str, dict[str, dict[str, int]]] = {
    "leaner": {"linear": {"leg_fat": 1}, "loss": {"leg_muscle": 10}, "drift": {}},
    "bulkier": {"linear": {"leg_muscle": -2, "leg_fat": 1}, "loss": {}, "drift": {}},
    "maintain": {"linear": {}, "loss": {"leg_muscle": 10}, "drift": {"thigh": 1, "body_weight": 1}},
}

# "Steady" is the middle of maintain's band: drift inside this share of the band's half-width
# (thigh: the target, ±0.5 cm by default; body weight: ±1.0 kg) is free, only drift beyond it
# pays. A judgement: a 0.1 cm drift is below what a tape measure can show on a thigh and far
# inside the prediction's own spread, so ranking weeks by it chose weeks by the model's noise
# (an orienteer's 260 min of running became three sprint sessions to keep 0.1 cm). The margin
# term still keeps the plan off the band's edge.
DRIFT_FREE_SHARE = 0.5
WEIGHT_BAND_G = 1000.0 * goals.MAINTAIN_WEIGHT_KG  # [g] maintain's body-weight band, ± (goals.py)


def drift_allowance(inst: Instance) -> dict[str, float]:
    """[milli-units] the free drift of each ``LEG_CHANGE`` "drift" metric (``DRIFT_FREE_SHARE``
    of the band: 0.001 cm of thigh, g of body weight)."""
    band = {"thigh": 1000.0 * abs(inst.target), "body_weight": WEIGHT_BAND_G}
    return {name: DRIFT_FREE_SHARE * band[name] for name in LEG_CHANGE[inst.profile.goal]["drift"]}

# A sustainable calorie change, as a share of expenditure with the plan's sessions: a cut of
# 15 % (inside Helms 2014's 0.5-1 % of body weight a week, gentler than Garthe 2011's 19 % slow
# arm), a lean gain of +5 % (Helms 2023: 5 % grew as much muscle as 15 %, with less fat), and
# maintenance. The guardrails bound it either way; the leg-change term may move it where the
# effect model shows more of the goal's change for the kcal.
SUSTAINABLE_CHANGE = {"leaner": -0.15, "bulkier": 0.05, "maintain": 0.0}
W_CAL = 4  # per kcal/d away from the goal's sustainable intake, beyond half a calorie step


def calorie_change_kcal(inst: Instance, calories, maintenance_kcal):
    """[kcal/d] how far ``calories`` sit from the goal's sustainable intake, beyond half the
    calorie step: no target on the step's grid can be closer, so which side of the grid a
    week's expenditure happens to fall on does not rank weeks (up to 50 points at 25 kcal)."""
    off = np.abs(calories - sustainable_intake(inst.profile.goal, maintenance_kcal))
    return np.maximum(0.0, off - inst.cal_step / 2)

W_MARGIN = 3  # per 0.001 cm short of the margin

# The athlete's ``long_run_day`` is the day of *the* long run: the week's longest run goes there.
# Easy runs on other days are what a runner's week is made of (docs/science.md §6), so only a
# week whose longest run is not there alone (a run on another day as long or longer) pays.
W_PREF = 200  # per week whose longest run is not on the preferred day

# A long run goes into the week on fresh legs: no sprints, hill repeats or squats/lunges the day
# before it or the same day (docs/science.md §6: the hard/easy principle; interference grows with
# running duration, Wilson 2012). Per run of LONG_RUN_MIN or more (model.sessions: a long run; the
# sheet calls only the week's longest one that) with a hard session
# that day or the day before (the week repeats: Sunday is the day before Monday). A hard session
# beside a shorter easy run (lift first) is not one.
W_FRESH = 150

# per hard set between the largest and the smallest squats/lunges session of the week: a coach
# writes sessions of a similar size (past the stimulus ceiling the model cannot tell 10 + 4 from
# 7 + 7 sets; this says which a coach would pick)
W_BALANCE = 5

# per minute between the longest and the shortest of the week's long runs beyond one dose step
# (RUN_SPREAD_FREE_MIN), leaving out the one run that stands apart most (the week's long run, or
# one short run): a coach writes the other easy runs alike, 40/50/50 beside a 120-min long run
# rather than 20/50/70 (the totals the model sees are the same). 5 points per 10-min dose step, as
# W_BALANCE is 5 per set; a weight set by judgement, a tie-break under every other term but the
# training load
W_RUN_BALANCE = 0.5
RUN_SPREAD_FREE_MIN = CATALOGUE["long_run"].dose_step  # [min] one long-run dose step

W_LOAD = 0.01  # per RPE-minute of training (session-RPE, Foster 2001): only a tie-break

# When "running kept" has to give way (the days cannot hold 80 % of recent running), the week still
# runs as much of it as the other rules allow: per minute short of the floor, ranked above the
# leg change (a runner's week is a runner's week; docs/science.md §6).
W_RUN_SHORT = 50


def squat_spread_sets(week) -> int:
    """[hard sets] largest minus smallest squats/lunges session of ``week`` (0 for fewer than two)."""
    doses = [o.dose for day in week for o in day if o.kind == "squats_lunges"]
    return max(doses) - min(doses) if len(doses) > 1 else 0


def easy_run_spread_minutes(week) -> int:
    """[min] the least spread (longest minus shortest) of ``week``'s long runs with one of them
    left out, beyond ``RUN_SPREAD_FREE_MIN`` (0 for fewer than three runs)."""
    doses = sorted(o.dose for day in week for o in day if o.kind == "long_run")
    if len(doses) < 3:
        return 0
    return max(0, min(doses[-2] - doses[0], doses[-1] - doses[1]) - RUN_SPREAD_FREE_MIN)


def balance_points(week) -> float:
    """The ``balance`` term: squat sessions and easy runs of a similar size."""
    return float(W_BALANCE * squat_spread_sets(week) + W_RUN_BALANCE * easy_run_spread_minutes(week))


def long_run_minutes_by_day(week) -> list[int]:
    """[min] each day's long run (0 on a day without one; at most one long run a day)."""
    return [sum(o.dose for o in day if o.kind == "long_run") for day in week]


def longest_run_off_preferred_day(inst: Instance, week) -> int:
    """1 when a long run on another day is as long as the one on the athlete's ``long_run_day``
    or longer (none there counts as 0 minutes), else 0 (also without a preferred day): the
    long run is the week's longest, and a tie leaves the week without one."""
    if inst.profile.long_run_day is None:
        return 0
    pday = DAYS.index(inst.profile.long_run_day)
    runs = long_run_minutes_by_day(week)
    return int(any(runs[d] and runs[d] >= runs[pday] for d in range(len(runs)) if d != pday))


def long_run_days(week) -> list[int]:
    """The days with a long run of ``LONG_RUN_MIN`` minutes or more."""
    return [d for d, day in enumerate(week)
            if any(o.kind == "long_run" and o.minutes >= LONG_RUN_MIN for o in day)]


def tired_long_run_days(week) -> list[tuple[int, int, Option]]:
    """(long run's day, the other session's day, that session) for each of ``long_run_days``
    with a hard session the same day or the day before, or a long run of its own length class
    the day before (the same day's named first): the long run is a quality day too, so two
    back to back leave no easy day between them (Daniels)."""
    out = []
    longs = set(long_run_days(week))
    for d in sorted(longs):
        before = (d - 1) % DAYS_PER_WEEK
        hard = [(d, o) for o in week[d] if o.hard] + [(before, o) for o in week[before] if o.hard]
        if before in longs and before != d:
            hard += [(before, o) for o in week[before] if o.kind == "long_run"]
        if hard:
            out.append((d, *hard[0]))
    return out


def tired_long_runs(week) -> int:
    """Long runs of ``LONG_RUN_MIN`` minutes or more with a hard session the same day or
    the day before, or another such long run the day before (at most one long run a day)."""
    return len(tired_long_run_days(week))


# One session a day: a coach pairs two on a day (lift first, then an easy run; Murlasits 2018) only
# when the athlete's training days are too few to hold the week apart. Per day with two sessions;
# a weight set by judgement, under the preferences.
W_DOUBLE = 100


def double_days(week) -> int:
    """Days of ``week`` holding two sessions."""
    return sum(1 for day in week if len(day) > 1)


# The terms that depend on where in the week the sessions are, not only on the week's totals
# (the oracle's enumeration shares the effect of weeks with the same sessions on other days).
PLACEMENT_TERMS = ("preferences", "fresh long run", "double days")


def placement_points(inst: Instance, week) -> dict[str, float]:
    """The ``PLACEMENT_TERMS`` of ``week``, in points."""
    return {"preferences": float(W_PREF * longest_run_off_preferred_day(inst, week)),
            "fresh long run": float(W_FRESH * tired_long_runs(week)),
            "double days": float(W_DOUBLE * double_days(week))}


def week_running_minutes(week) -> int:
    """[min/week] the running (long runs, sprints, hill repeats) of a week of options."""
    return sum(o.running_minutes for day in week for o in day)


def running_short_minutes(inst: Instance, week) -> float:
    """[min/week] how far ``week`` runs below the "running kept" floor, when that rule gave way
    for this athlete (0 otherwise: then the rule itself holds)."""
    if "running kept" not in inst.relaxed:
        return 0.0
    run = week_running_minutes(week)
    return max(0.0, math.ceil(guardrails.running_floor(inst.profile) - 1e-6) - run)

# Maintain keeps the athlete's running, not only 80 % of it: the chronic load stays where it is
# only at an acute:chronic ratio of 1 (Gabbett 2016; under 0.8 is under-training), so a maintain
# week aims at the recent weekly volume (it is inside the running-load cap). Per minute below it;
# under the preferences and double days (100 points buy 100 minutes), above the training-load
# tie-break (an easy minute costs 0.04 there). A judgement weight.
W_RECENT_RUN = 1


def recent_running_target(inst: Instance) -> int:
    """[min/week] the recent weekly running a *maintain* week aims at; 0 (no aim) for other
    goals, where "running kept" has no floor (no ``keep_running``, long runs excluded, no recent
    running: the aim must not turn a history of easy running into hard sessions) or once it gave
    way (``running short`` speaks)."""
    p = inst.profile
    if (p.goal != "maintain" or "running kept" in inst.relaxed
            or guardrails.running_floor(p) <= 0):  # no keep_running, no easy runs, no history
        return 0
    return max(0, math.floor(p.recent_weekly_run_minutes))


def running_below_recent_minutes(inst: Instance, week) -> float:
    """[min/week] how far ``week`` runs below ``recent_running_target``."""
    run = week_running_minutes(week)
    return float(max(0, recent_running_target(inst) - run))


# Maintain keeps a strength session: muscle size and strength are kept on a small dose of
# resistance training (one session a week at a third of the volume kept young adults' size and
# strength, and older adults' strength but not their fibre size; Bickel 2011, Spiering 2021),
# while running alone does not load the
# quadriceps enough to keep them (the model sees no loss within a block, the literature does
# over months). Per maintain week without a squats/lunges session where they are allowed;
# between the double days (a coach would pair lifting with a run rather than drop it) and the
# preferences. A judgement weight on that evidence.
W_MAINTAIN_LIFT = 150


def maintain_lift_wanted(inst: Instance) -> bool:
    """A *maintain* week with squats/lunges allowed: the ``W_MAINTAIN_LIFT`` term applies (with
    one training day too: that day's session is then the lift, a run beside it if need be)."""
    return inst.profile.goal == "maintain" and "squats_lunges" in allowed_kinds(inst.profile)


def maintain_lift_missing(inst: Instance, week) -> int:
    """1 for a week without squats/lunges where ``maintain_lift_wanted``, else 0."""
    return int(maintain_lift_wanted(inst)
               and not any(o.kind == "squats_lunges" for day in week for o in day))


W_UNREACHED = 1_000_000  # a plan that misses the goal at all ranks after every plan that reaches it

S_SLOPE_STEP = 50.0  # [kcal/d] finite difference for the slope in S

LEVEL_STEP = 100  # [kcal/d] calorie levels of the surrogate (the exact polish refines to the step)

METRICS = ("thigh", "leg_muscle", "leg_fat", "body_weight", "max_loss")

# "muscle makes at least half of the girth gained": muscle volume ≥ fat volume, i.e.
# muscle/1.06 ≥ fat/0.90 ⇔ 90·muscle ≥ 106·fat (integers: the densities × 100, goals.py's rule)
SHARE_MUSCLE = int(round(100 * effect.FAT_DENSITY))  # 90, multiplies the leg muscle [g]
SHARE_FAT = int(round(100 * effect.MUSCLE_DENSITY))  # 106, multiplies the leg fat [g]


def sustainable_intake(goal: str, maintenance_kcal):
    """[kcal/d] the goal's sustainable intake: maintenance × (1 + ``SUSTAINABLE_CHANGE``)."""
    return maintenance_kcal * (1.0 + SUSTAINABLE_CHANGE[goal])


def leg_change_points(inst: Instance, metric: dict):
    """The "leg change" term (``LEG_CHANGE``) from metrics in milli-units (floats or arrays);
    drift counts beyond ``drift_allowance``."""
    spec = LEG_CHANGE[inst.profile.goal]
    free = drift_allowance(inst)
    zero = 0 * metric["thigh"]
    total = zero + sum(w * metric[m] for m, w in spec["linear"].items())
    total = total + sum(w * np.maximum(zero, -metric[m]) for m, w in spec["loss"].items())
    return total + sum(w * np.maximum(zero, np.abs(metric[m]) - free[m])
                       for m, w in spec["drift"].items())

def trajectories(inst: Instance, calories, session_kcal_day, stimulus,
                 weeks: int) -> dict[str, np.ndarray]:
    """Full-model changes from the start at every week 0..``weeks`` (weekly RK4 steps,
    vectorised), in milli-units, each array shaped (weeks + 1, n): thigh [0.001 cm], leg muscle /
    leg fat / body weight [g], and the largest weekly tissue loss so far [0.001 % of body weight]."""
    base = inst.base
    cal, sk, st = np.broadcast_arrays(np.asarray(calories, dtype=float),
                                      np.asarray(session_kcal_day, dtype=float) * DAYS_PER_WEEK / base.bw0,
                                      np.asarray(stimulus, dtype=float))
    return _changes(inst, effect.simulate(base, cal, sk, st, inst.growth, DAYS_PER_WEEK * weeks,
                                          step_days=DAYS_PER_WEEK))



def _changes(inst: Instance, states) -> dict[str, np.ndarray]:
    """``trajectories``' metrics from (bw, fat, lean, acc) lists at the weeks 0..n."""
    base = inst.base
    shape = np.broadcast(*[np.asarray(x) for x in (st[-1] for st in states)]).shape

    def rows(values) -> np.ndarray:  # the initial state is a scalar: broadcast it
        out = np.empty((len(values), *shape))
        for i, x in enumerate(values):  # each row copied as it is (a scalar broadcast)
            out[i] = x
        return out

    bw, fat, lean, acc = (rows(x) for x in states)
    lm, lf, th = effect.leg_state(base, fat, lean, acc)
    tissue = fat + lean
    loss = np.maximum(tissue[:-1] - tissue[1:], 0) / base.bw0 * 100 * 1000
    worst = np.concatenate([np.zeros_like(loss[:1]), np.maximum.accumulate(loss, axis=0)])
    return {"thigh": (th - th[0]) * 1000, "leg_muscle": (lm - lm[0]) * 1000,
            "leg_fat": (lf - lf[0]) * 1000, "body_weight": (bw - bw[0]) * 1000,
            "max_loss": worst}


def week_key(week) -> tuple:
    """A week (options per day) as a hashable key: (kind, dose) of each session, day by day."""
    return tuple(tuple((o.kind, o.dose) for o in day) for day in week)


def block_inputs(inst: Instance, week, weeks: int):
    """The block built from the working ``week`` (options per day) over ``weeks`` weeks, as the
    effect model sees it: (net session cost [kcal/kg/week] of each week, stimulus of each week,
    the working week's net session cost). Cached on the instance (the solver asks again)."""
    key = (week_key(week), weeks)
    cached = inst.block_cache.get(key)
    if cached is None:
        profile = inst.profile
        items = [[(o.kind, o.dose, o.minutes, o.load) for o in day] for day in week]
        grams = inst.protein / profile.weight_kg
        skpk, stim = [], []
        by_items: dict = {}  # a block repeats few distinct weeks: each one's load computed once
        for built in block.block_weeks(profile, items, weeks):
            week_items = tuple(built.items())
            if week_items not in by_items:
                load = block.week_load(profile, week_items)
                by_items[week_items] = (load.session_kcal_per_kg,
                                        effect.training_inputs(inst.base, load, grams)[0])
            skpk.append(by_items[week_items][0])
            stim.append(by_items[week_items][1])
        working = block.week_load(profile, [i for day in items for i in day])
        cached = inst.block_cache[key] = (skpk, stim, working.session_kcal_per_kg)
    return cached


def block_trajectories(inst: Instance, weeks, calories: np.ndarray,
                       horizon: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``trajectories`` of the blocks built from each of ``weeks`` (each at every value of
    ``calories``: arrays of len(weeks) × len(calories), week-major), weekly RK4 steps, with
    the calories re-set every cycle (``block.simulate_block``); and whether each keeps every
    calorie guardrail in every week of its first cycle (later cycles are held inside them)."""
    n = len(calories)
    inputs = [block_inputs(inst, week, horizon) for week in weeks]
    cal = np.tile(np.asarray(calories, dtype=float), len(weeks))
    by_week = np.repeat(np.array([x[0] for x in inputs], dtype=float).reshape(len(weeks), -1),
                        n, axis=0)  # (blocks × calories, weeks)
    stim_by_week = np.repeat(np.array([x[1] for x in inputs], dtype=float).reshape(len(weeks), -1),
                             n, axis=0)
    skpk = [by_week[:, w] for w in range(horizon)]
    stim = [stim_by_week[:, w] for w in range(horizon)]
    working = np.repeat(np.array([x[2] for x in inputs], dtype=float), n)
    states, _ = block.simulate_block(inst.profile, inst.base, skpk, stim, inst.growth, cal,
                                     working, step_days=DAYS_PER_WEEK)
    low, high = block.cycle_bounds(inst.profile, block.first_cycle(skpk), inst.profile.weight_kg,
                                   rounded=False)
    return _changes(inst, states), (cal >= low - 1e-6) & (cal <= high + 1e-6)


def block_outcomes(inst: Instance, weeks, calories: np.ndarray):
    """``block_trajectories``' end-of-horizon metrics and first-cycle calorie check."""
    traj, ok = block_trajectories(inst, weeks, calories, inst.weeks)
    return {name: values[-1] for name, values in traj.items()}, ok


def outcomes(inst: Instance, calories, session_kcal_day, stimulus) -> dict[str, np.ndarray]:
    """Full-model end-of-horizon changes (weekly RK4 steps, vectorised) in milli-units:
    thigh [0.001 cm], leg muscle / leg fat / body weight [g], max weekly tissue loss [0.001 %]."""
    return {name: values[-1] for name, values in
            trajectories(inst, calories, session_kcal_day, stimulus, inst.weeks).items()}



@dataclass
class Table:
    """The surrogate CP-SAT optimises over. For every calorie level j, each metric is linear in
    the session energy S and the stimulus s:

        metric_j(S, s) = a[j] + b[j]·(S − s_est) + c[j]·s

    The model's lean rate is linear in s (to ~0.005 cm over 0-1); the slope in S is taken at the
    reference S (re-centred on the previous pass's week, so it is exact near the answer).
    Values in milli-units."""

    s_est: float  # [kcal/d]
    calories: list[int]  # [kcal/d] one per level
    a: dict[str, list[float]]
    b: dict[str, list[float]]  # per kcal/d of S
    c: dict[str, list[float]]  # per unit of s
    bias: dict[str, float] = field(default_factory=dict)  # correction learnt from the full model

    def value(self, name: str, calories: int, s_kcal: float, stimulus: float) -> float:
        j = self.calories.index(calories)
        return (self.a[name][j] + self.b[name][j] * (s_kcal - self.s_est)
                + self.c[name][j] * stimulus + self.bias.get(name, 0.0))



def surrogate_best_calories(inst: Instance, table: Table, s_kcal: float, stim: float) -> int:
    """The calorie level the surrogate prefers for a week with these totals (used as a hint)."""
    cals = np.array(table.calories, dtype=float)
    metric = {name: np.array(table.a[name]) + np.array(table.b[name]) * (s_kcal - table.s_est)
              + np.array(table.c[name]) * stim + table.bias.get(name, 0.0) for name in METRICS}
    short, side, slack = goal_shortfalls(inst, metric)
    maint = inst.base.ei0 + s_kcal
    low, high = guardrails.calorie_bounds(inst.profile, maint)
    ok = (cals >= low) & (cals <= high) & (
        metric["max_loss"] <= inst.profile.limits.max_loss_pct_per_week * 1000)
    cost = (W_SHORT * short + W_SIDE * side + W_UNREACHED * ((short + side) > 0) + W_MARGIN * slack
            + leg_change_points(inst, metric)
            + W_CAL * calorie_change_kcal(inst, cals, maint)
            + np.where(ok, 0, 10 * W_UNREACHED))
    return int(cals[int(np.argmin(cost))])



def block_shape(inst: Instance, week) -> tuple[list[float], list[float]]:
    """How the block built from ``week`` scales it, week by week: each week's net session cost
    and stimulus as shares of the working week's (1 where the working week has none)."""
    skpk, stim, working = block_inputs(inst, week, inst.weeks)
    _, s_work = week_totals(inst, week)
    return ([x / working if working > 0 else 1.0 for x in skpk],
            [x / s_work if s_work > 0 else 1.0 for x in stim])


def shaped_outcomes(inst: Instance, calories, session_kcal_day, stimulus,
                    shape: tuple[list[float], list[float]]) -> dict[str, np.ndarray]:
    """``outcomes`` of a block shaped like ``shape`` (``block_shape``): week w holds that share
    of the session energy and the stimulus, and the calories are re-set as the block's are."""
    cal, sk, st = np.broadcast_arrays(np.asarray(calories, dtype=float),
                                      np.asarray(session_kcal_day, dtype=float) * DAYS_PER_WEEK
                                      / inst.base.bw0,
                                      np.asarray(stimulus, dtype=float))
    kcal, stim = shape
    states, _ = block.simulate_block(inst.profile, inst.base, [r * sk for r in kcal],
                                     [q * st for q in stim], inst.growth, cal, sk,
                                     step_days=DAYS_PER_WEEK)
    return {name: values[-1] for name, values in _changes(inst, states).items()}


def build_table(inst: Instance, s_est: float, stim_est: float = 0.5,
                shape: tuple[list[float], list[float]] | None = None) -> Table:
    """Tabulate the full model (vectorised, weekly RK4 steps) at four corners per calorie level:
    of a block shaped like ``shape`` (``block_shape`` of the week the table is centred on, so
    that it is exact there), or of the repeated week."""
    step = max(inst.cal_step, LEVEL_STEP)
    cals = np.arange(math.ceil(inst.cal_lo / step) * step, inst.cal_hi + 1, step, dtype=float)
    if inst.pins.calories is not None:  # pinned: one level (all of them when explaining)
        pin = float(inst.pins.calories)
        cals = np.array([pin]) if inst.bounded else np.union1d(cals, [pin])
    n = len(cals)
    c4 = np.concatenate([cals] * 4)
    s_kcal = np.repeat([s_est, s_est, s_est + S_SLOPE_STEP, s_est + S_SLOPE_STEP], n)
    stim = np.repeat([0.0, 1.0, 0.0, 1.0], n)
    out = (outcomes(inst, c4, s_kcal, stim) if shape is None
           else shaped_outcomes(inst, c4, s_kcal, stim, shape))
    a, b, c = {}, {}, {}
    for name in METRICS:
        v00, v01, v10, v11 = (out[name][k * n:(k + 1) * n] for k in range(4))
        a[name] = list(v00)
        c[name] = list(v01 - v00)
        slope0 = (v10 - v00) / S_SLOPE_STEP
        slope1 = (v11 - v01) / S_SLOPE_STEP
        b[name] = list(slope0 + (slope1 - slope0) * stim_est)
    return Table(s_est=s_est, calories=[int(x) for x in cals], a=a, b=b, c=c)



def goal_shortfalls(inst: Instance, metric: dict) -> tuple:
    """(thigh shortfall, side-condition shortfall, margin shortfall) in milli-units, for the goal,
    from metrics (floats or arrays) — one definition for the tables and the exact polish."""
    goal = inst.profile.goal
    target = inst.target * 1000
    margin = inst.margin_cm * 1000
    th = metric["thigh"]
    zero = 0 * th
    if goal == "bulkier":
        short = np.maximum(zero, target - th)
        slack = np.minimum(margin, np.maximum(zero, target + margin - th))
        side = (np.maximum(zero, 1 - metric["leg_muscle"])
                + np.maximum(zero, (SHARE_FAT * metric["leg_fat"] - SHARE_MUSCLE * metric["leg_muscle"])
                             / 100))
    elif goal == "leaner":
        short = np.maximum(zero, th - target)
        slack = np.minimum(margin, np.maximum(zero, th - target + margin))
        side = np.maximum(zero, metric["leg_fat"] + 1)
    else:
        short = np.maximum(zero, np.abs(th) - target)
        slack = np.minimum(margin, np.maximum(zero, np.abs(th) - target + margin))
        side = np.maximum(zero, np.abs(metric["body_weight"]) - WEIGHT_BAND_G)
    return short, side, slack



# Sessions on one day, in the order to do them: lift first (interference grows with the running
# before it: Murlasits 2018; Wilson 2012), then hard running, then the easy run.
DAY_ORDER = ("squats_lunges", "sprints", "hill_repeats", "long_run")


def day_order(option: Option) -> int:
    return DAY_ORDER.index(option.kind)


@dataclass(frozen=True)
class Choice:
    """A week (options per day) and calories, with its exact objective terms."""

    week: tuple[tuple[Option, ...], ...]
    calories: int
    terms: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.terms.values())

    def plan_input(self, protein: int) -> PlanInput:
        days = [DayPlan(day=DAYS[d], sessions=[o.session() for o in sorted(opts, key=day_order)])  # type: ignore[arg-type]
                for d, opts in enumerate(self.week)]
        return PlanInput(calories_per_day=self.calories, protein_g_per_day=protein, days=days)



def week_totals(inst: Instance, week) -> tuple[float, float]:
    """(session energy [kcal/d], effective stimulus s) of a week, exactly as the full model sees it."""
    sessions = [o.session() for day in week for o in day]
    load = effect.plan_load(inst.profile, sessions)
    s, _ = effect.training_inputs(inst.base, load, inst.protein / inst.profile.weight_kg)
    return load.session_kcal_per_kg * inst.base.bw0 / DAYS_PER_WEEK, s



def exact_terms(inst: Instance, week, calories: np.ndarray) -> tuple[list[dict[str, float]], np.ndarray]:
    """The objective terms of ``week`` at each calorie value under the full model — of the block
    built from it (``block_outcomes``) — and whether each calorie value keeps every calorie
    guardrail (intake floor, deficit, surplus, rate of loss) in every week."""
    s_kcal, _ = week_totals(inst, week)
    out, block_ok = block_outcomes(inst, [week], calories)
    columns, ok = week_terms(inst, week, calories, s_kcal, out)
    return [_terms_at(columns, i) for i in range(len(calories))], ok & block_ok



def week_terms(inst: Instance, week, calories: np.ndarray, s_kcal: float,
               out: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """``exact_terms`` as one array per term, from the week's full-model outcomes."""
    maint = inst.base.ei0 + s_kcal
    lim = inst.profile.limits
    low, high = guardrails.calorie_bounds(inst.profile, maint)
    ok = (calories >= low - 1e-6) & (calories <= high + 1e-6) & (
        out["max_loss"] <= lim.max_loss_pct_per_week * 1000 + 1e-6)
    effort = sum(o.effort for day in week for o in day)
    placement = placement_points(inst, week)
    short, side, slack = goal_shortfalls(inst, out)
    ones = np.ones(len(calories))
    columns = {
        "shortfall": W_SHORT * short + W_SIDE * side + W_UNREACHED * (short + side > 1e-9),
        "leg change": leg_change_points(inst, out),
        "calorie change": W_CAL * calorie_change_kcal(inst, calories, maint),
        "margin": W_MARGIN * slack,
        "running short": W_RUN_SHORT * running_short_minutes(inst, week) * ones,
        "recent running": W_RECENT_RUN * running_below_recent_minutes(inst, week) * ones,
        "maintain strength": float(W_MAINTAIN_LIFT * maintain_lift_missing(inst, week)) * ones,
        "preferences": placement["preferences"] * ones,
        "fresh long run": placement["fresh long run"] * ones,
        "double days": placement["double days"] * ones,
        "balance": balance_points(week) * ones,
        "training load": W_LOAD * float(effort) * ones,
    }
    return columns, ok



def _terms_at(columns: dict[str, np.ndarray], i: int) -> dict[str, float]:
    return {name: float(values[i]) for name, values in columns.items()}



def calorie_grid(inst: Instance) -> np.ndarray:
    if inst.pins.calories is not None:
        return np.array([float(inst.pins.calories)])
    return np.arange(inst.cal_lo, inst.cal_hi + inst.cal_step, inst.cal_step, dtype=float)



def polish(inst: Instance, week) -> Choice | None:
    """Best calories for a fixed week under the full model (None: no calorie keeps the rules)."""
    return polish_all(inst, [week])[0]



def polish_all(inst: Instance, weeks) -> list[Choice | None]:
    """``polish`` for several weeks at once (one vectorised run of the full model over the
    blocks built from them)."""
    if not weeks:
        return []
    cals = calorie_grid(inst)
    n = len(cals)
    totals = [week_totals(inst, week) for week in weeks]
    out, block_ok = block_outcomes(inst, weeks, cals)
    choices: list[Choice | None] = []
    for k, week in enumerate(weeks):
        part = {name: values[k * n:(k + 1) * n] for name, values in out.items()}
        columns, ok = week_terms(inst, week, cals, totals[k][0], part)
        ok = ok & block_ok[k * n:(k + 1) * n]
        total = sum(columns.values())  # summed in the terms' order, as Choice.total does
        best = None
        for i in np.flatnonzero(ok):
            if best is None or total[i] < total[best] - 1e-9:
                best = int(i)
        choices.append(None if best is None else Choice(
            week=tuple(tuple(d) for d in week), calories=int(cals[best]),
            terms=_terms_at(columns, best)))
    return choices



def first_reaching_horizon(inst: Instance, week, lo: int, hi: int) -> int | None:
    """The shortest horizon in ``lo``..``hi`` weeks over which the block of ``week``, at some calorie value
    that keeps every calorie guardrail over that horizon, reaches the goal (weekly-step model; one
    vectorised run over every calorie value). None: not within ``hi`` weeks."""
    if lo > hi:
        return None
    cals = calorie_grid(inst)
    s_kcal, _ = week_totals(inst, week)
    traj, block_ok = block_trajectories(inst, [week], cals, hi)  # a block's prefix is a block
    low, high = guardrails.calorie_bounds(inst.profile, inst.base.ei0 + s_kcal)
    static_ok = (cals >= low - 1e-6) & (cals <= high + 1e-6) & block_ok
    limit = inst.profile.limits.max_loss_pct_per_week * 1000 + 1e-6
    for w in range(lo, hi + 1):
        short, side, _ = goal_shortfalls(inst, {name: traj[name][w] for name in METRICS})
        if np.any(static_ok & (traj["max_loss"][w] <= limit) & (short + side <= 1e-9)):
            return w
    return None



def starter_weeks(inst: Instance) -> list[list[list[Option]]]:
    """Simple weeks to start from: one session of each allowed kind at its smallest dose, on the
    day with the most time (the long run on the preferred day when it fits)."""
    allowed = set(allowed_kinds(inst.profile))
    weeks = []
    for kind in KINDS:
        opts = [o for o in inst.options if o.kind == kind and kind in allowed]
        if not opts:
            continue
        smallest = min(opts, key=lambda o: (o.minutes, o.dose))
        days = [d for d in range(DAYS_PER_WEEK) if inst.avail[d] >= smallest.minutes]
        if not days:
            continue
        pref = inst.profile.long_run_day
        day = DAYS.index(pref) if kind == "long_run" and pref and DAYS.index(pref) in days else \
            max(days, key=lambda d: (inst.avail[d], -d))
        week: list[list[Option]] = [[] for _ in range(DAYS_PER_WEEK)]
        week[day].append(smallest)
        weeks.append(week)
    return weeks
