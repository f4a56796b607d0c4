"""The CP-SAT model: which days get which sessions, each session's dose, and the calorie target.

Data are prepared before the model is built (``prepare``); the model only iterates and adds
constraints. Every hard rule is one named function in ``HARD_RULES`` whose name matches the
checker's (``planner.science.guardrails``); each is guarded by an indicator literal so that, when no plan
exists, CP-SAT's ``sufficient_assumptions_for_infeasibility`` names the rules that conflict.

The goal enters through a **surrogate** of the effect model that CP-SAT can optimise over exactly:
the effect of a week depends only on three weekly totals — the sessions' energy S [kcal/d], the
effective stimulus s [0-1] and the calories — so the full model is tabulated (vectorised, weekly
RK4 steps) on a grid of (calories − maintenance, s) at a reference S, with a per-cell slope in S
(linear in S to within ~0.03 cm). CP-SAT picks the week and the calories on that surrogate; the
chosen week's calories are then *polished* with the full model over every calorie step, and the
plan is re-scored by the full daily model (``planner.science.scoring``), which alone sets ``goal_reached``.

The plan-shape rules (``SHAPE_ENCODERS``, the checker's ``SHAPE_RULES``) are hard rules too, but
give way, one at a time in ``SHAPE_GIVE_WAY_ORDER``, when they conflict with the guardrails or pins
(``solve_core``; ``SolverParams.relaxed``). After the surrogate passes, ``improve_doses`` moves one
session's dose a catalogue step at a time while the full model's objective improves.

Objective (minimised, points; CP-SAT works in 1/1000 points): the terms and weights of
``planner.solve.objective`` — shortfall, leg change, calorie change, margin, running short,
recent running, maintain strength, preferences, fresh long run, double days, balance, training load (a tie-break) — each written once in its
exact form there and once as CP-SAT terms here (``_goal_terms``, ``_leg_change``, the per-level
calorie change, ``_running_short``, ``_running_below_recent``, ``_maintain_lift_missing``, ``_longest_run_off_preferred_day``, ``_tired_long_runs``,
``_double_days``, ``_squat_spread``, ``_easy_run_spread``); the oracle test holds the two together.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from planner.model.errors import NoSafePlanError, SolverStoppedError
from planner.model.plan import MAX_WEEKS, DayPlan, PlanInput
from planner.model.profile import DAYS, DAYS_PER_WEEK, KINDS, Profile
from planner.model.sessions import (
    CATALOGUE,
    LONG_RUN_MIN,
    HARD_RUNS_MAX,
    SESSION_SETS_MAX,
    WEEK_SETS_MAX,
    allowed_kinds,
)
from planner.science import effect, guardrails
from planner.science.block import first_cycle
from planner.science.scoring import score
from planner.solve.instance import (
    MAX_SESSIONS_PER_DAY,
    Instance,
    Option,
    Pins,
    SolverParams,
    prepare,
)
from planner.solve.objective import (
    LEG_CHANGE,
    LEVEL_STEP,
    METRICS,
    S_SLOPE_STEP,
    SHARE_FAT,
    SHARE_MUSCLE,
    SUSTAINABLE_CHANGE,
    W_BALANCE,
    W_CAL,
    W_DOUBLE,
    W_FRESH,
    W_LOAD,
    W_MAINTAIN_LIFT,
    WEIGHT_BAND_G,
    W_MARGIN,
    W_PREF,
    W_RECENT_RUN,
    W_RUN_BALANCE,
    W_RUN_SHORT,
    W_SHORT,
    W_SIDE,
    W_UNREACHED,
    RUN_SPREAD_FREE_MIN,
    Choice,
    Table,
    block_outcomes,
    block_shape,
    build_table,
    drift_allowance,
    exact_terms,
    first_reaching_horizon,
    maintain_lift_wanted,
    polish,
    polish_all,
    recent_running_target,
    starter_weeks,
    surrogate_best_calories,
    week_key,
    week_totals,
)

log = logging.getLogger(__name__)

MAX_PASSES = 6

U = 1000  # CP-SAT works in micro-units (0.000001 cm or g); its objective is 1000 × the points

WALL_CLOCK_SAFETY = 10  # wall-clock limit = this × the deterministic limit (a last resort)
WALL_CLOCK_STOP_SHARE = 0.5  # a call this far into the net, short of its work limit, was stopped by it

CORE_CHECK_SECONDS = 2.0  # per rule when shrinking a conflict to the rules that matter

# a week this close to the surrogate's centre (its session energy [kcal/d], its stimulus [0-1]) is
# solved on a surrogate exact enough: the passes stop re-centring
CENTRED_S_KCAL = S_SLOPE_STEP / 2
CENTRED_STIMULUS = 0.1

REACH_PAD_STEP = 3  # [0.001 cm or g] per missed reach

WEIGHT_BAND = int(round(WEIGHT_BAND_G)) * U  # [micro-units: mg] maintain's ±1 kg

STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
                cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID",
                cp_model.UNKNOWN: "UNKNOWN"}

@dataclass
class Vars:
    """Owns the variables and reads a solution back."""

    x: dict[tuple[int, int], cp_model.IntVar]
    days: list[list[tuple[int, cp_model.IntVar]]]  # per day: (option index, variable)
    rest: list[cp_model.IntVar]
    hard_day: list[cp_model.IntVar]
    level: list[cp_model.IntVar]  # exactly one calorie level is chosen
    calories: cp_model.LinearExpr  # [kcal/d] the chosen level's calories
    reach: cp_model.IntVar  # true: the goal must be reached (reach-only feasibility checks)
    s_kcal: cp_model.IntVar  # [kcal/d] rounded session energy
    terms: dict[str, cp_model.LinearExpr]
    rule_lits: dict[str, cp_model.IntVar]

    def week(self, solver: cp_model.CpSolver, inst: Instance) -> list[list[Option]]:
        return [[inst.options[o] for o, v in day if solver.value(v)] for day in self.days]


def _weighted(pairs) -> cp_model.LinearExpr:
    """Σ coefficient·variable over (coefficient, variable) pairs, built in one call."""
    pairs = list(pairs)
    return cp_model.LinearExpr.weighted_sum([x for _, x in pairs], [c for c, _ in pairs])




def _running(v: Vars, inst: Instance) -> cp_model.LinearExpr:
    """[min/week] the week's running minutes (``objective.week_running_minutes``)."""
    return _weighted((inst.options[o].running_minutes, x) for (_, o), x in v.x.items()
                     if inst.options[o].running_minutes)


def rule_availability(m, v: Vars, inst: Instance, lit) -> None:
    for d in range(DAYS_PER_WEEK):
        m.add(_weighted((inst.options[o].minutes, x) for o, x in v.days[d])
              <= inst.avail[d]).only_enforce_if(lit)



def rule_exclusions(m, v: Vars, inst: Instance, lit) -> None:
    for (_, o), x in v.x.items():
        if inst.options[o].kind in inst.profile.exclude:
            m.add(x == 0).only_enforce_if(lit)



def rule_facilities(m, v: Vars, inst: Instance, lit) -> None:
    allowed = set(allowed_kinds(inst.profile)) | set(inst.profile.exclude)
    for (_, o), x in v.x.items():
        if inst.options[o].kind not in allowed:
            m.add(x == 0).only_enforce_if(lit)



def rule_rest_days(m, v: Vars, inst: Instance, lit) -> None:
    m.add(sum(v.rest) >= inst.profile.limits.min_rest_days).only_enforce_if(lit)



def rule_no_back_to_back(m, v: Vars, inst: Instance, lit) -> None:
    for d in range(DAYS_PER_WEEK):
        m.add(v.hard_day[d] + v.hard_day[(d + 1) % DAYS_PER_WEEK] <= 1).only_enforce_if(lit)



def rule_one_hard_a_day(m, v: Vars, inst: Instance, lit) -> None:
    for d in range(DAYS_PER_WEEK):
        hard = [x for o, x in v.days[d] if inst.options[o].hard]
        # ≤ the day's hard literal (itself ≤ 1): the same weeks, a tighter LP relaxation
        m.add(sum(hard) <= v.hard_day[d]).only_enforce_if(lit)



def rule_running_load(m, v: Vars, inst: Instance, lit) -> None:
    run = _running(v, inst)
    m.add(run <= int(math.floor(guardrails.running_cap(inst.profile)))).only_enforce_if(lit)
    longest = guardrails.longest_easy_run(inst.profile)
    if longest is not None:
        for (_, o), x in v.x.items():
            if inst.options[o].kind == "long_run" and inst.options[o].minutes > longest + 1e-6:
                m.add(x == 0).only_enforce_if(lit)



def rule_minimum_intake(m, v: Vars, inst: Instance, lit) -> None:
    m.add(v.calories >= int(math.ceil(guardrails.intake_floor(inst.profile)))).only_enforce_if(lit)



def rule_deficit(m, v: Vars, inst: Instance, lit) -> None:
    keep = 1000 - int(round(10 * inst.profile.limits.max_deficit_pct))  # per mille
    m.add(1000 * v.calories >= int(math.ceil(keep * inst.base.ei0)) + keep * v.s_kcal
          ).only_enforce_if(lit)



def rule_healthy_weight(m, v: Vars, inst: Instance, lit) -> None:
    if guardrails.deficit_block(inst.profile):  # no deficit: calories ≥ expenditure
        m.add(v.calories >= int(math.ceil(inst.base.ei0)) + v.s_kcal).only_enforce_if(lit)


def rule_surplus(m, v: Vars, inst: Instance, lit) -> None:
    """The surplus in every week of the first calorie cycle: against the week that burns least,
    whose sessions cost ``inst.surplus_kcal_share`` of the working week's (1: the working week)."""
    grow = 1000 + int(round(10 * inst.profile.limits.max_surplus_pct))
    share = int(math.floor(grow * inst.surplus_kcal_share * 1000))  # per million
    m.add(10**6 * v.calories <= int(math.floor(1000 * grow * inst.base.ei0)) + share * v.s_kcal
          ).only_enforce_if(lit)



def rule_training_week(m, v: Vars, inst: Instance, lit) -> None:
    m.add(sum(v.x.values()) >= 1).only_enforce_if(lit)



def rule_pinned_calories(m, v: Vars, inst: Instance, lit) -> None:
    if inst.pins.calories is not None:
        m.add(v.calories == inst.pins.calories).only_enforce_if(lit)



def rule_pinned_sessions(m, v: Vars, inst: Instance, lit) -> None:
    for kind, count in inst.pins.kind_counts:
        xs = [x for (_, o), x in v.x.items() if inst.options[o].kind == kind]
        m.add(sum(xs) == count).only_enforce_if(lit)



def _count(v: Vars, inst: Instance, kinds: tuple[str, ...]):
    return sum(x for (_, o), x in v.x.items() if inst.options[o].kind in kinds)


# ---- plan shape (docs/design.md "Plan shape"): the same rules as the checker's SHAPE_RULES ----
def rule_training_days(m, v: Vars, inst: Instance, lit) -> None:
    m.add(sum(v.rest) == DAYS_PER_WEEK - inst.profile.planned_training_days).only_enforce_if(lit)


def rule_session_volume(m, v: Vars, inst: Instance, lit) -> None:
    most = SESSION_SETS_MAX[inst.profile.strength_experience]
    squats = [(inst.options[o].dose, x) for (_, o), x in v.x.items()
              if inst.options[o].kind == "squats_lunges"]
    for dose, x in squats:
        if dose > most:
            m.add(x == 0).only_enforce_if(lit)
    if squats:
        m.add(_weighted(squats) <= WEEK_SETS_MAX).only_enforce_if(lit)


def rule_running_kept(m, v: Vars, inst: Instance, lit) -> None:
    floor = int(math.ceil(guardrails.running_floor(inst.profile) - 1e-6))
    if floor > 0:
        run = _running(v, inst)
        m.add(run >= floor).only_enforce_if(lit)


def rule_strength_kept(m, v: Vars, inst: Instance, lit) -> None:
    if inst.profile.goal == "leaner" and guardrails.squat_sessions_min(inst.profile):
        m.add(_count(v, inst, ("squats_lunges",)) >= 1).only_enforce_if(lit)


def rule_lift_twice(m, v: Vars, inst: Instance, lit) -> None:
    if inst.profile.goal == "bulkier" and guardrails.squat_sessions_min(inst.profile):
        m.add(_count(v, inst, ("squats_lunges",)) >= 2).only_enforce_if(lit)


def rule_a_mix(m, v: Vars, inst: Instance, lit) -> None:
    if guardrails.needs_mix(inst.profile):
        used = []
        for kind in KINDS:
            u = m.new_bool_var(f"kind_used({kind})")
            m.add(u <= _count(v, inst, (kind,)))
            used.append(u)
        m.add(sum(used) >= 2).only_enforce_if(lit)
    if guardrails.needs_fast_running(inst.profile):
        m.add(_count(v, inst, ("sprints", "hill_repeats")) >= 1).only_enforce_if(lit)


def rule_hard_running_sessions(m, v: Vars, inst: Instance, lit) -> None:
    most = HARD_RUNS_MAX[inst.profile.strength_experience]
    m.add(_count(v, inst, ("sprints", "hill_repeats")) <= most).only_enforce_if(lit)


# When shape rules conflict with the guardrails (or pins), they give way one at a time, first
# the one a coach would drop first: the cap on hard running, then the mix, the running volume,
# the strength sessions, the number of training days, and last the sets a session holds.
SHAPE_GIVE_WAY_ORDER = ("hard running sessions", "a mix", "running kept", "strength kept",
                        "lift twice to bulk", "training days", "session volume")

SHAPE_ENCODERS = (
    ("training days", rule_training_days),
    ("session volume", rule_session_volume),
    ("running kept", rule_running_kept),
    ("strength kept", rule_strength_kept),
    ("lift twice to bulk", rule_lift_twice),
    ("a mix", rule_a_mix),
    ("hard running sessions", rule_hard_running_sessions),
)
assert tuple(name for name, _ in SHAPE_ENCODERS) == guardrails.SHAPE_RULE_NAMES
assert sorted(SHAPE_GIVE_WAY_ORDER) == sorted(guardrails.SHAPE_RULE_NAMES)


# Hard rules, one registry: name (as the checker and the explanation say it) → encoder.
# "rate of loss" is enforced through the surrogate (``_add_goal``) and re-checked exactly; "protein"
# is met by construction (1.8 g/kg); "session doses" by the catalogue.
HARD_RULES = (
    ("availability", rule_availability),
    ("exclusions", rule_exclusions),
    ("facilities", rule_facilities),
    ("rest days", rule_rest_days),
    ("no back-to-back hard days", rule_no_back_to_back),
    ("48 h between hard sessions", rule_one_hard_a_day),
    ("running load", rule_running_load),
    ("minimum intake", rule_minimum_intake),
    ("deficit", rule_deficit),
    ("healthy weight", rule_healthy_weight),
    ("surplus", rule_surplus),
    ("a training week", rule_training_week),
    ("pinned calories", rule_pinned_calories),
    ("pinned sessions", rule_pinned_sessions),
)


def active_rules(inst: Instance):
    """The hard rules, then the shape rules not given way (``SolverParams.relaxed``)."""
    return HARD_RULES + tuple((n, r) for n, r in SHAPE_ENCODERS if n not in inst.relaxed)

def _add_goal(m, v: Vars, inst: Instance, table: Table, loss_lit,
              reach_only: bool = False) -> dict[str, cp_model.LinearExpr]:
    """Link the week to the surrogate; returns the goal's objective terms (integer points).

    ``reach_only`` (the goal is required): every calorie level at which the surrogate's most
    favourable corner (extreme session energy and stimulus) still misses a goal requirement or
    breaks the rate-of-loss rule is fixed off — exact, and it keeps the LP from blending a level
    that cannot reach the goal with one that overshoots it."""
    opts = inst.options
    # stimulus_fraction is concave piecewise linear in weekly sets: the min of two lines and 1
    sets10 = _weighted((opts[o].set_eq_tenths, x) for (_, o), x in v.x.items())
    full = effect.SETS_SLOPE_PCT * effect.SETS_FULL + effect.SETS_INTERCEPT_PCT
    ramp = (effect.SETS_SLOPE_PCT + effect.SETS_INTERCEPT_PCT) / full  # per set, below one set
    slope = effect.SETS_SLOPE_PCT / full
    stim = m.new_int_var(0, 1000, "stimulus_permille")
    m.add_min_equality(stim, [
        _scaled(m, sets10, ramp * 100, "stimulus_ramp"),
        _scaled(m, sets10, slope * 100, "stimulus_dose_response",
                int(round(effect.SETS_INTERCEPT_PCT / full * 1000))),
        1000,
    ])
    # interference: long runs come in 10-minute doses, so the endurance minutes take few values.
    # Disaggregated per value k (stim_k: the stimulus when the week runs 10k endurance minutes, 0
    # otherwise), so s = Σ f_k·stim_k is linear: the LP relaxation is the convex hull of the
    # values, where indicator constraints per value would leave it loose
    end_max = inst.endurance_max
    step = CATALOGUE["long_run"].dose_step  # [min] every long run is a multiple of it
    endurance = _weighted((opts[o].endurance_minutes, x) for (_, o), x in v.x.items())
    s_pm = m.new_int_var(0, 1000, "effective_stimulus_permille")
    levels, parts, weighted = [], [], []
    for k in range(end_max // step + 1):
        w = m.new_bool_var(f"endurance({step * k} min)")
        stim_k = m.new_int_var(0, 1000, f"stimulus(endurance={step * k} min)")
        m.add(stim_k <= 1000 * w)
        levels.append(w)
        parts.append(stim_k)
        weighted.append((int(round(1000 * effect.interference_factor(step * k))), stim_k))
    m.add_exactly_one(levels)
    m.add(endurance == _weighted((step * k, w) for k, w in enumerate(levels)))
    m.add(sum(parts) == stim)
    m.add(1000 * s_pm <= _weighted(weighted))
    m.add(1000 * s_pm >= _weighted(weighted) - 999)
    # metric = Σ_j z_j·(a_j + b_j·ΔS + c_j·s): disaggregated per level (ΔS_j, s_j are ΔS and s on
    # the chosen level, 0 elsewhere) so the LP relaxation is the convex hull of the levels
    z = v.level
    ds_lo, ds_hi = -int(round(table.s_est)) - 1, inst.s_max + 8 - int(round(table.s_est))
    ds = v.s_kcal - int(round(table.s_est))
    ds_j, s_j = [], []
    for j, zj in enumerate(z):
        a_var = m.new_int_var(min(ds_lo, 0), max(ds_hi, 0), f"session_kcal_offset(level={j})")
        m.add(a_var <= ds_hi * zj)
        m.add(a_var >= ds_lo * zj)
        b_var = m.new_int_var(0, 1000, f"stimulus(level={j})")
        m.add(b_var <= 1000 * zj)
        ds_j.append(a_var)
        s_j.append(b_var)
    m.add(sum(ds_j) == ds)
    m.add(sum(s_j) == s_pm)
    metric, coef = {}, {}
    for name in goal_metrics(inst.profile.goal):
        bias = table.bias.get(name, 0.0)
        coef[name] = [(int(round(1000 * (table.a[name][j] + bias))),
                       int(round(1000 * table.b[name][j])), int(round(table.c[name][j])))
                      for j in range(len(z))]
        metric[name] = _weighted(  # [micro-units], not rounded
            term for j, (zj, (a, b, c)) in enumerate(zip(z, coef[name]))
            for term in ((a, zj), (b, ds_j[j]), (c, s_j[j])))
    limit = int(round(inst.profile.limits.max_loss_pct_per_week * 1000)) * U
    m.add(metric["max_loss"] <= limit).only_enforce_if(loss_lit)
    if reach_only:  # levels whose best corner already misses a requirement cannot be chosen
        needs = [({"max_loss": -1}, limit)] + _reach_requirements(inst)
        for j, zj in enumerate(z):
            for weights, const in needs:  # a requirement linear in (ΔS, s): best at a corner
                a, b, c = (sum(w * coef[n][j][k] for n, w in weights.items()) for k in range(3))
                if a + max(b * ds_lo, b * ds_hi) + max(0, 1000 * c) + const < 0:
                    m.add(zj == 0)
                    break
    terms = _goal_terms(m, inst, metric, v.reach)
    terms["leg change"] = _leg_change(m, inst, metric)
    # objective.calorie_change_kcal per level; on level j it is |c_j − f·(ei0 + s_est + ΔS_j)|
    # beyond half a step, with f = 1 + SUSTAINABLE_CHANGE (in per mille): the disaggregated form
    # is the convex hull, tighter than the absolute value of the sum
    f = int(round(1000 * (1 + SUSTAINABLE_CHANGE[inst.profile.goal])))
    # [0.001 kcal/d] the free half step: here half the levels' spacing, since the polish moves the
    # calories anywhere on the finer grid between levels (a pinned target: half the step)
    half = 500 * (inst.cal_step if inst.pins.calories is not None
                  else max(inst.cal_step, LEVEL_STEP))
    change = []
    for j, (zj, cal) in enumerate(zip(z, table.calories)):
        off = 1000 * cal - f * (int(round(inst.base.ei0)) + int(round(table.s_est)))
        ch = m.new_int_var(0, 10**8, f"calorie_change(level={j})")  # [0.001 kcal/d]
        m.add(ch >= (off - half) * zj - f * ds_j[j])
        m.add(ch >= f * ds_j[j] - (off + half) * zj)
        change.append(ch)
    terms["calorie change"] = W_CAL * sum(change)  # U per kcal/d = 1 per 0.001 kcal/d
    return terms


def _spread(m, v: Vars, inst: Instance, kind: str, leave_one_out: bool = False, free: int = 0):
    """The largest minus the smallest dose of ``kind``'s sessions (at most one a day), less
    ``free``, at least 0; with ``leave_one_out`` the solver may leave one day out (it leaves out
    the one that narrows the spread most, as the exact form's minimum does)."""
    most = CATALOGUE[kind].dose_max
    per_day = []
    for day in v.days:
        opts = [(inst.options[o].dose, x) for o, x in day if inst.options[o].kind == kind]
        if opts:
            per_day.append((_weighted(opts), sum(x for _, x in opts)))
    if len(per_day) < 2 + leave_one_out:
        return 0
    top = m.new_int_var(0, most, f"{kind}_dose_max")
    low = m.new_int_var(0, most, f"{kind}_dose_min")
    out = [m.new_bool_var(f"{kind}_left_out({k})") for k in range(len(per_day))] if leave_one_out else []
    if out:
        m.add_at_most_one(out)
    for k, (dose, has) in enumerate(per_day):
        left = out[k] if out else 0
        m.add(top >= dose - most * left)
        m.add(low <= dose + most * (1 - has) + most * left)
    spread = m.new_int_var(0, most, f"{kind}_spread")
    m.add(spread >= top - low - free)
    return spread


def _squat_spread(m, v: Vars, inst: Instance):
    """``objective.squat_spread_sets`` as CP-SAT: largest minus smallest squat session's sets."""
    return _spread(m, v, inst, "squats_lunges")


def _easy_run_spread(m, v: Vars, inst: Instance):
    """``objective.easy_run_spread_minutes`` as CP-SAT: the long runs' spread with one run left
    out, beyond ``RUN_SPREAD_FREE_MIN``."""
    return _spread(m, v, inst, "long_run", leave_one_out=True, free=RUN_SPREAD_FREE_MIN)


def _tired_long_runs(m, v: Vars, inst: Instance):
    """Σ over days of [a long run of LONG_RUN_MIN+ that day and a hard session that day or
    the day before, or another such long run the day before]
    (``objective.tired_long_runs``; at most one long run a day)."""
    long = [[x for o, x in day if inst.options[o].kind == "long_run"
             and inst.options[o].minutes >= LONG_RUN_MIN] for day in v.days]
    tired = []
    for d in range(DAYS_PER_WEEK):
        if not long[d]:
            continue
        before = (d - 1) % DAYS_PER_WEEK
        t = m.new_bool_var(f"tired_long_run({DAYS[d]})")
        m.add(t >= sum(long[d]) + v.hard_day[before] - 1)
        m.add(t >= sum(long[d]) + v.hard_day[d] - 1)
        if long[before]:  # a long run the day before: two quality days back to back
            m.add(t >= sum(long[d]) + sum(long[before]) - 1)
        tired.append(t)
    return sum(tired)


def _longest_run_off_preferred_day(m, v: Vars, inst: Instance):
    """``objective.longest_run_off_preferred_day`` as CP-SAT: a literal forced to 1 when another
    day's long run is as long as the preferred day's or longer (0 without a preferred day). Per
    run option of dose D on another day: it, or a longer run on the preferred day, or the literal
    (at most one long run a day) — tighter than comparing the days' minutes with a big-M."""
    if inst.profile.long_run_day is None:
        return 0
    pday = DAYS.index(inst.profile.long_run_day)
    runs = [[(inst.options[o].dose, x) for o, x in day if inst.options[o].kind == "long_run"]
            for day in v.days]
    off = m.new_bool_var("longest_run_off_preferred_day")
    for d, run in enumerate(runs):
        if d == pday:
            continue
        for dose, x in run:
            longer = [y for other, y in runs[pday] if other > dose]
            m.add(x <= off + sum(longer))
    return off


def _double_days(m, v: Vars):
    """``objective.double_days`` as CP-SAT: per day, a literal forced on by a second session
    (up to ``MAX_SESSIONS_PER_DAY``; the sessions-a-day limit itself is the model's)."""
    doubles = []
    for d, day in enumerate(v.days):
        if len(day) > 1:
            b = m.new_bool_var(f"double_day({DAYS[d]})")
            # 1 − rest: on a rest day no session, so the same weeks; but the LP relaxation can no
            # longer dodge the double day by half-resting the day (det. time −27 % on 52 athletes)
            m.add(sum(x for _, x in day) <= 1 - v.rest[d] + (MAX_SESSIONS_PER_DAY - 1) * b)
            doubles.append(b)
    return sum(doubles)


def _running_short(m, v: Vars, inst: Instance):
    """[min/week] running below the "running kept" floor once that rule gave way (else 0):
    ``objective.running_short_minutes`` as a CP-SAT expression."""
    if "running kept" not in inst.relaxed:
        return 0
    floor = int(math.ceil(guardrails.running_floor(inst.profile) - 1e-6))
    run = _running(v, inst)
    short = m.new_int_var(0, max(floor, 0), "running_short")
    m.add(short >= floor - run)
    return short


def _running_below_recent(m, v: Vars, inst: Instance):
    """[min/week] ``objective.running_below_recent_minutes`` as a CP-SAT expression."""
    recent = recent_running_target(inst)
    if recent <= 0:
        return 0
    run = _running(v, inst)
    below = m.new_int_var(0, recent, "running_below_recent")
    m.add(below >= recent - run)
    return below


def _maintain_lift_missing(m, v: Vars, inst: Instance):
    """``objective.maintain_lift_missing`` as a CP-SAT expression."""
    if not maintain_lift_wanted(inst):
        return 0
    missing = m.new_bool_var("maintain_lift_missing")
    m.add(_count(v, inst, ("squats_lunges",)) + missing >= 1)
    return missing


def _leg_change(m, inst: Instance, metric) -> cp_model.LinearExpr:
    """``objective.LEG_CHANGE`` on the micro-unit metrics (1 per micro-unit = U per milli-unit),
    drift beyond ``drift_allowance``."""
    spec = LEG_CHANGE[inst.profile.goal]
    free = {name: int(round(U * value)) for name, value in drift_allowance(inst).items()}
    parts = [(w, metric[n]) for n, w in spec["linear"].items()]
    big = 10**7 * U
    for n, w in spec["loss"].items():
        lost = m.new_int_var(0, big, f"{n}_lost")
        m.add(lost >= -metric[n])
        parts.append((w, lost))
    for n, w in spec["drift"].items():
        drift = m.new_int_var(0, big, f"{n}_drift")
        m.add(drift >= metric[n] - free[n])
        m.add(drift >= -metric[n] - free[n])
        parts.append((w, drift))
    return sum(w * e for w, e in parts)



def goal_metrics(goal: str) -> tuple[str, ...]:
    """The metrics a goal's predicate, its leg-change term and the rate-of-loss guardrail need."""
    side = {"bulkier": ("leg_muscle", "leg_fat"), "leaner": ("leg_fat",),
            "maintain": ("body_weight",)}[goal]
    spec = LEG_CHANGE[goal]
    extra = tuple(n for part in spec.values() for n in part)
    return tuple(dict.fromkeys(("thigh", "max_loss") + side + extra))



def _scaled(m, expr, factor: float, name: str, offset: int = 0):
    """An integer variable ≈ offset + factor · expr (rounded down)."""
    var = m.new_int_var(-10**7, 10**7, name)
    k = int(round(factor * 1000))
    m.add(1000 * var <= 1000 * offset + k * expr)
    m.add(1000 * var >= 1000 * offset + k * expr - 999)
    return var



def _reach_requirements(inst: Instance) -> list[tuple[dict[str, int], int]]:
    """The goal as linear requirements Σ weight·metric + constant ≥ 0 on micro-unit metrics,
    with the reach pad (the same conditions ``_goal_terms`` imposes when the goal is reached)."""
    target = int(round(inst.target * 1000)) * U
    pad = inst.reach_pad * U
    goal = inst.profile.goal
    if goal == "bulkier":
        return [({"thigh": 1}, -target - pad), ({"leg_muscle": 1}, -max(U, pad)),
                ({"leg_muscle": SHARE_MUSCLE, "leg_fat": -SHARE_FAT}, -100 * pad)]
    if goal == "leaner":
        return [({"thigh": -1}, target - pad), ({"leg_fat": -1}, -max(U, pad))]
    return [({"thigh": -1}, target - pad), ({"thigh": 1}, target - pad),
            ({"body_weight": -1}, WEIGHT_BAND - pad), ({"body_weight": 1}, WEIGHT_BAND - pad)]



def _goal_terms(m, inst: Instance, metric, reach_lit) -> dict[str, cp_model.LinearExpr]:
    """Shortfalls in micro-units (metric values are 1000 × milli-units, exact)."""
    goal = inst.profile.goal
    target = int(round(inst.target * 1000)) * U
    margin = int(round(inst.margin_cm * 1000)) * U
    big = 10**7 * U
    thigh = metric["thigh"]
    short = m.new_int_var(0, big, "thigh_shortfall")
    slack_short = m.new_int_var(0, margin, "margin_shortfall")
    side_terms = []
    if goal == "bulkier":
        m.add(short >= target - thigh)
        m.add(slack_short >= target + margin - thigh - short)
        mus = m.new_int_var(0, big, "leg_muscle_shortfall")
        m.add(mus >= U - metric["leg_muscle"])
        share = m.new_int_var(0, big, "muscle_share_shortfall")
        m.add(100 * share >= SHARE_FAT * metric["leg_fat"] - SHARE_MUSCLE * metric["leg_muscle"])
        side_terms = [mus, share]
    elif goal == "leaner":
        m.add(short >= thigh - target)
        m.add(slack_short >= thigh - target + margin - short)
        fat = m.new_int_var(0, big, "leg_fat_shortfall")
        m.add(fat >= metric["leg_fat"] + U)
        side_terms = [fat]
    else:
        m.add(short >= thigh - target)
        m.add(short >= -thigh - target)
        m.add(slack_short >= thigh - target + margin - short)
        m.add(slack_short >= -thigh - target + margin - short)
        bw = m.new_int_var(0, big, "body_weight_shortfall")
        m.add(bw >= metric["body_weight"] - WEIGHT_BAND)
        m.add(bw >= -metric["body_weight"] - WEIGHT_BAND)
        side_terms = [bw]
    reached = m.new_bool_var("goal_reached")
    m.add(reached == 1).only_enforce_if(reach_lit)
    if inst.reach_pad:  # the full model showed the surrogate optimistic: demand a margin
        for weights, const in _reach_requirements(inst):
            m.add(sum(w * metric[n] for n, w in weights.items()) + const >= 0
                  ).only_enforce_if(reached)
    m.add(short + sum(side_terms) == 0).only_enforce_if(reached)
    m.add(short + sum(side_terms) >= 1).only_enforce_if(reached.negated())
    return {"shortfall": W_SHORT * short + W_SIDE * sum(side_terms) + W_UNREACHED * U * reached.negated(),
            "margin": W_MARGIN * slack_short}



def build(inst: Instance, table: Table, with_assumptions: bool = False,
          reach_only: bool = False, hint: dict | None = None):
    m = cp_model.CpModel()
    opts = inst.options
    x = {}
    for d in range(DAYS_PER_WEEK):
        for o, opt in enumerate(opts):
            if opt.minutes <= max(inst.avail[d], opt.minutes if with_assumptions else 0):
                x[d, o] = m.new_bool_var(f"session(day={DAYS[d]}, kind={opt.kind}, dose={opt.dose})")
    days = [[(o, v) for (d2, o), v in x.items() if d2 == d] for d in range(DAYS_PER_WEEK)]
    rest, hard_day = [], []
    for d, day in enumerate(days):
        xs = [v for _, v in day]
        r = m.new_bool_var(f"rest({DAYS[d]})")
        h = m.new_bool_var(f"hard_day({DAYS[d]})")
        for v in xs:
            m.add_implication(v, r.negated())
        m.add_bool_or(xs + [r]) if xs else m.add(r == 1)
        hs = [v for o, v in day if opts[o].hard]
        for v in hs:
            m.add_implication(v, h)
        m.add_bool_or(hs + [h.negated()]) if hs else m.add(h == 0)
        m.add(cp_model.LinearExpr.sum(xs) <= MAX_SESSIONS_PER_DAY)
        for kind in KINDS:  # one session of a kind a day
            m.add_at_most_one([v for o, v in day if opts[o].kind == kind])
        rest.append(r)
        hard_day.append(h)
    level = [m.new_bool_var(f"calories({c})") for c in table.calories]
    m.add_exactly_one(level)
    s_kcal = m.new_int_var(0, inst.s_max + 7, "session_kcal_per_day")
    m.add(s_kcal == _weighted((int(round(opts[o].kcal_day)), v) for (_, o), v in x.items()))
    rules = active_rules(inst)
    lits = {name: m.new_bool_var(f"rule({name})") for name, _ in rules}
    lits["rate of loss"] = m.new_bool_var("rule(rate of loss)")
    calories = _weighted(zip(table.calories, level))
    reach = m.new_bool_var("require_goal")
    m.add(reach == int(reach_only))
    v = Vars(x=x, days=days, rest=rest, hard_day=hard_day, level=level, calories=calories,
             reach=reach, s_kcal=s_kcal, terms={}, rule_lits=lits)
    for name, encode in rules:
        encode(m, v, inst, lits[name])
    goal_terms = _add_goal(m, v, inst, table, lits["rate of loss"], reach_only)
    v.terms = {
        "shortfall": goal_terms["shortfall"],
        "leg change": goal_terms["leg change"],
        "calorie change": goal_terms["calorie change"],
        "margin": goal_terms["margin"],
        "running short": W_RUN_SHORT * U * _running_short(m, v, inst),
        "recent running": W_RECENT_RUN * U * _running_below_recent(m, v, inst),
        "maintain strength": W_MAINTAIN_LIFT * U * _maintain_lift_missing(m, v, inst),
        "preferences": W_PREF * U * _longest_run_off_preferred_day(m, v, inst),
        "fresh long run": W_FRESH * U * _tired_long_runs(m, v, inst),
        "double days": W_DOUBLE * U * _double_days(m, v),
        "balance": W_BALANCE * U * _squat_spread(m, v, inst)
        + int(round(W_RUN_BALANCE * U)) * _easy_run_spread(m, v, inst),
        "training load": _weighted((int(round(W_LOAD * U * opts[o].effort)), vv)
                                   for (_, o), vv in x.items()),
    }
    m.minimize(sum(v.terms.values()))
    for key, value in (hint or {}).items():
        if key in x:
            m.add_hint(x[key], value)
        elif key == "calories":  # the nearest calorie level
            near = min(range(len(table.calories)), key=lambda j: abs(table.calories[j] - value))
            for j, z in enumerate(level):
                m.add_hint(z, int(j == near))
    if with_assumptions:
        m.add_assumptions(list(lits.values()))
    else:
        for lit in lits.values():
            m.add(lit == 1)
    return m, v



def _solver(params: SolverParams, goal: str = "bulkier") -> cp_model.CpSolver:
    """A CP-SAT solver configured from ``params``, with search settings by goal as measured on
    the models of 150 generated athletes (benchmarks/batch.py's roster) and the sample profiles
    (benchmarks/solve.py):

    * no cut rounds at the root (``max_cut_rounds_at_level_zero=0``) for every goal: the models
      are small and the root cuts cost more than they save (closest plans 108 -> 39 ms, bulkier
      weeks 51 -> 23 ms, leaner weeks 17 -> 14 ms; same optima);
    * bulkier weeks trade training against calories and keep presolve and the stronger LP;
    * leaner and maintain weeks solve about twice as fast without presolve;
    * the closest plan when no week reaches the goal (``goal="closest"``): no presolve, the
      default LP (39 ms against 47 with the stronger one)."""
    s = cp_model.CpSolver()
    s.parameters.max_deterministic_time = params.time_limit_s
    s.parameters.max_time_in_seconds = WALL_CLOCK_SAFETY * params.time_limit_s
    s.parameters.num_workers = params.workers
    s.parameters.random_seed = params.seed
    s.parameters.max_cut_rounds_at_level_zero = 0
    s.parameters.catch_sigint_signal = False  # Ctrl-C is the program's: CP-SAT must not take it
    if goal == "bulkier":
        s.parameters.linearization_level = 2
        s.parameters.cp_model_probing_level = 1
    else:
        s.parameters.cp_model_presolve = False
    if goal in ("leaner", "maintain", "closest"):
        s.parameters.linearization_level = 2
    return s



def _check_solver(params: SolverParams) -> cp_model.CpSolver:
    """A solver for one feasibility check (a conflict's rule, a shape rule giving way)."""
    check = _solver(params)
    check.parameters.max_deterministic_time = CORE_CHECK_SECONDS
    check.parameters.max_time_in_seconds = WALL_CLOCK_SAFETY * CORE_CHECK_SECONDS
    return check


def _solve(solver: cp_model.CpSolver, model: cp_model.CpModel, name: str) -> int:
    """``solver.solve(model)``, except that a solve ended by the wall-clock safety net before its
    deterministic work limit raises SolverStoppedError: its answer (a cut-short core check, a
    different FEASIBLE week) would depend on how busy the machine is, and a busy machine must
    never change a plan. Under load the core checks' 2 work-seconds took 19.9 of their 20 s."""
    code = solver.solve(model)
    limits = solver.parameters
    # CP-SAT may also give up shortly *before* the wall-clock limit when it judges the time
    # left too short (OR-Tools 9.15: UNKNOWN at 0.11 of 0.15 s, "stopped after presolve"), so
    # half the net counts: unloaded, wall time stays near the work time, a tenth of the net.
    cut_short = code == cp_model.UNKNOWN or (code == cp_model.FEASIBLE
                                             and not limits.stop_after_first_solution)
    if cut_short and solver.wall_time >= WALL_CLOCK_STOP_SHARE * limits.max_time_in_seconds:
        work = solver.response_proto.deterministic_time  # (CpSolver.deterministic_time: 9.15+)
        if work < limits.max_deterministic_time:
            raise SolverStoppedError(
                f"{name}: the solver was stopped by its wall-clock safety net "
                f"({limits.max_time_in_seconds:g} s) after {work:.2f} of its "
                f"{limits.max_deterministic_time:g} work-seconds; the machine is too busy for a "
                "plan that does not depend on its load")
    return code


@dataclass
class CoreResult:
    choice: Choice
    status: str
    passes: int
    inst: Instance



def _conflict(inst: Instance, table: Table, params: SolverParams) -> list[str]:
    """The hard rules that conflict: CP-SAT's core over the rules' indicator literals, on a
    feasibility model (no objective) whose domains the rules do not pre-tighten, then shrunk by
    deletion (a rule is kept only if the others alone are consistent without it)."""
    inst = prepare(inst.profile, inst.weeks, params, inst.pins, bounded=False)
    table = build_table(inst, table.s_est)
    model, v = build(inst, table, with_assumptions=True)
    model.clear_objective()
    order = list(v.rule_lits)
    solver = _solver(params)
    if _solve(solver, model, inst.profile.name) != cp_model.INFEASIBLE:
        return order
    by_index = {lit.index: name for name, lit in v.rule_lits.items()}
    core = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]
    core = sorted(set(core), key=order.index) or order
    for name in list(core):
        trial = [n for n in core if n != name]
        model.clear_assumptions()
        model.add_assumptions([v.rule_lits[n] for n in trial])
        check = _check_solver(params)  # a deterministic limit: the same core however busy
        if _solve(check, model, inst.profile.name) == cp_model.INFEASIBLE:
            core = trial
    return core



STRUCTURAL_RULES = ("rest days", "no back-to-back hard days", "48 h between hard sessions",
                    "running load", "availability", "exclusions", "facilities", "session doses",
                    *guardrails.SHAPE_RULE_NAMES)


def week_keeps_rules(inst: Instance, week) -> bool:
    """The checker's own rules on a week's structure, and the pinned session counts (calorie
    rules are applied per calorie value by ``polish``)."""
    plan = PlanInput(calories_per_day=0, days=[
        DayPlan(day=DAYS[d], sessions=[o.session() for o in day]) for d, day in enumerate(week)])
    load = effect.plan_load(inst.profile, [s for _, s in plan.sessions()])
    context = guardrails.Context(inst.profile, plan, 0.0, None, load)  # type: ignore[arg-type]
    if any(not r.check(context).ok for r in guardrails.RULES
           if r.name in STRUCTURAL_RULES and r.name not in inst.relaxed):
        return False
    counts = {kind: sum(o.kind == kind for day in week for o in day) for kind in KINDS}
    return all(counts[kind] == n for kind, n in inst.pins.kind_counts) and any(week)


def warm_start(inst: Instance, start: tuple[tuple[str, str, int], ...]) -> list | None:
    """A known week (e.g. the baseline of a what-if) as the solver's options, if every session of
    it is in this instance's catalogue and fits its day; else None."""
    if not start:
        return None
    week: list[list[Option]] = [[] for _ in range(DAYS_PER_WEEK)]
    for day, kind, dose in start:
        d = DAYS.index(day)
        match = [o for o in inst.options if o.kind == kind and o.dose == dose]
        if not match or match[0].minutes > inst.avail[d]:
            return None
        week[d].append(match[0])
    return week


class _NoWeek(Exception):
    """Inside ``solve_core``: no week keeps the rules of ``inst`` (``table``: its surrogate)."""

    def __init__(self, inst: Instance, table: Table):
        self.inst, self.table = inst, table


def _week_exists(inst: Instance, table: Table, params: SolverParams) -> bool:
    """Whether any week keeps ``inst``'s rules (a feasibility model: no objective)."""
    model, _ = build(inst, table)
    model.clear_objective()
    check = _check_solver(params)
    return _solve(check, model, inst.profile.name) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _give_way(profile: Profile, weeks: int, params: SolverParams, pins: Pins,
              failed: _NoWeek) -> tuple[str | None, list[str] | None]:
    """The shape rule that gives way next when no week keeps them all: the first, in
    ``SHAPE_GIVE_WAY_ORDER``, whose giving way alone lets a week exist (a fast feasibility check
    each, on the failed pass's own surrogate table); when no single one does, the first one in
    the conflict. Returns (rule, the conflict if it was computed); rule None: the guardrails (or
    pins) alone conflict."""
    active = {name for name, _ in active_rules(failed.inst)}
    for rule in (r for r in SHAPE_GIVE_WAY_ORDER if r in active):
        trial = replace(params, relaxed=params.relaxed + (rule,))
        if _week_exists(prepare(profile, weeks, trial, pins), failed.table, trial):
            return rule, None
    conflict = _conflict(failed.inst, failed.table, params)
    return next((r for r in SHAPE_GIVE_WAY_ORDER if r in conflict and r in active), None), conflict


def solve_core(profile: Profile, weeks: int, params: SolverParams, pins: Pins,
               reach_only: bool = False) -> CoreResult | None:
    """``_solve_core`` keeping every plan-shape rule the guardrails (and pins) allow: when no week
    keeps them all, shape rules give way one at a time (``_give_way``; ``SolverParams.relaxed``,
    named in the plan's explanation) and the week is solved again; a conflict of guardrails
    alone raises ``NoSafePlanError`` naming it."""
    while True:
        try:
            return _solve_core(profile, weeks, params, pins, reach_only)
        except _NoWeek as failed:
            rule, conflict = _give_way(profile, weeks, params, pins, failed)
            if rule is None:
                raise NoSafePlanError(profile.name, conflict) from None
            params = replace(params, relaxed=params.relaxed + (rule,))


def _solve_core(profile: Profile, weeks: int, params: SolverParams, pins: Pins,
                reach_only: bool = False) -> CoreResult | None:
    """Surrogate passes, each centred on the best week so far (its session energy and stimulus)
    and hinted with it; then exact polishing of the calories.

    Each pass first asks for the cheapest week that reaches the goal (the goal as a hard
    constraint keeps the LP relaxation tight); only when the surrogate says no week reaches it
    does it minimise the shortfall instead. Raises _NoWeek when the rules contradict.
    With ``reach_only`` it stops at the first week that reaches the goal (None: none does)."""
    inst = prepare(profile, weeks, params, pins)
    best: Choice | None = None
    starts = starter_weeks(inst) if not pins.kind_counts else []
    warm = warm_start(inst, params.start)
    known = [week for week in starts + ([warm] if warm else []) if week_keeps_rules(inst, week)]
    for cand in polish_all(inst, known):
        if cand is not None and (best is None or cand.total < best.total - 1e-9):
            best = cand
    if reach_only and best is not None and best.terms["shortfall"] == 0:
        return CoreResult(best, "OPTIMAL", 0, inst)  # a known week already does
    ref = best.week if best is not None else None
    s_est, stim_est = week_totals(inst, ref) if ref else (inst.s_max * 0.3, 0.5)
    if ref is not None:
        inst.surplus_kcal_share = _least_cycle_share(inst, ref)
    if profile.goal == "bulkier":  # growth wants the stimulus near its ceiling: centre there
        s_est, stim_est = max(s_est, 25.0), 1.0
    passes = 0
    polished: dict = {}
    proven = True  # every pass proved its optimum within the work limit
    bias: dict[str, float] = {}
    centres: set = set()  # (S, s) of the weeks the surrogate has been centred on
    reachable = True
    for _ in range(MAX_PASSES):
        table = build_table(inst, s_est, stim_est, None if ref is None else block_shape(inst, ref))
        table.bias = bias
        hint = None if ref is None else {
            (d, o): int(any(opt is option for opt in ref[d]))
            for d in range(DAYS_PER_WEEK) for o, option in enumerate(inst.options)}
        if hint is not None:
            hint["calories"] = surrogate_best_calories(inst, table, *week_totals(inst, ref))
        code, solver, v = cp_model.UNKNOWN, None, None
        if reachable:
            model, v = build(inst, table, reach_only=True, hint=hint)
            solver = _solver(params, profile.goal)
            solver.parameters.stop_after_first_solution = reach_only
            if reach_only:  # a feasibility check: bounded work, and no answer counts as "no"
                solver.parameters.max_deterministic_time = params.reach_check_limit
            code = _solve(solver, model, profile.name)
            passes += 1
            if code == cp_model.INFEASIBLE or (reach_only and code == cp_model.UNKNOWN):
                if reach_only:
                    return None
                reachable = False
        if not reachable:
            # the closest plan (search settings measured for it: no presolve)
            model, v = build(inst, table, hint=hint)
            solver = _solver(params, "closest")
            code = _solve(solver, model, profile.name)
            passes += 1
            if code == cp_model.INFEASIBLE:
                raise _NoWeek(inst, table)
        status = STATUS_NAMES.get(code, str(code))
        proven = proven and code == cp_model.OPTIMAL
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverStoppedError(f"{profile.name}: the solver stopped with status {status} "
                                     "before finding a plan")
        week = v.week(solver, inst)
        key = week_key(week)
        s_kcal, stim_now = week_totals(inst, week)
        if key not in polished:
            polished[key] = polish(inst, week)
        cand = polished[key]
        if cand is not None and (best is None or cand.total < best.total - 1e-9):
            best = cand
        reached_now = cand is not None and cand.terms["shortfall"] == 0
        log.debug("pass %d: %s S=%.0f s=%.3f centre S=%.0f s=%.3f terms=%s", passes,
                  [(o.kind, o.dose) for d in week for o in d], s_kcal, stim_now, s_est, stim_est,
                  cand and cand.terms)
        centred = (abs(s_kcal - s_est) <= CENTRED_S_KCAL
                   and abs(stim_now - stim_est) <= CENTRED_STIMULUS)
        totals = (round(s_kcal), round(stim_now, 3))
        if not centred and totals in centres:
            break  # re-centring cycles between weeks already solved around: keep the best
        if not centred:  # the surrogate is exact near its centre: move it to this week
            centres.add(totals)
            s_est, stim_est, ref = s_kcal, stim_now, week
            inst.surplus_kcal_share = _least_cycle_share(inst, ref)
            bias = {}
        elif reachable and not reached_now and not (best and best.terms["shortfall"] == 0):
            # centred, yet the full model says the goal is missed: correct the surrogate by the
            # error it made here (its bias is systematic near the centre) and ask again
            cal = int(solver.value(v.calories))
            exact, _ = block_outcomes(inst, [week], np.array([float(cal)]))  # the block's
            for name in METRICS:
                err = float(exact[name][0]) - table.value(name, cal, s_kcal, stim_now)
                bias[name] = bias.get(name, 0.0) + err
            inst.reach_pad += REACH_PAD_STEP
        else:
            break
    if best is None:
        raise NoSafePlanError(profile.name, ["deficit", "surplus", "rate of loss"],
                              "no calorie target keeps every calorie guardrail")
    if not reach_only:
        best = improve_doses(inst, best)
    return CoreResult(best, "OPTIMAL" if proven else "FEASIBLE", passes, inst)


def _least_cycle_share(inst: Instance, week) -> float:
    """The least session energy of the first calorie cycle of ``week``'s block, as a share of
    the working week's (``Instance.surplus_kcal_share``)."""
    return min(first_cycle(block_shape(inst, week)[0]), default=1.0)


def dose_neighbours(inst: Instance, week) -> list[list[list[Option]]]:
    """Weeks that differ from ``week`` in one session's dose by one catalogue step, and keep
    every structural and shape rule."""
    out = []
    for d, day in enumerate(week):
        for i, opt in enumerate(day):
            same = [o for o in inst.options if o.kind == opt.kind]
            k = same.index(opt)
            for j in (k - 1, k + 1):
                if 0 <= j < len(same):
                    cand = [list(x) for x in week]
                    cand[d][i] = same[j]
                    if week_keeps_rules(inst, cand):
                        out.append(cand)
    return out + merged_long_runs(inst, week)


def merged_long_runs(inst: Instance, week) -> list[list[list[Option]]]:
    """Weeks with two of ``week``'s long runs made one, on either run's day, of the longest
    catalogue dose that fits that day and is at most their sum, keeping every structural and
    shape rule (a move a dose step cannot make: the block of one longer run can rank better,
    with the sessions beside it kept, than the surrogate said)."""
    runs = [(d, i) for d, day in enumerate(week) for i, o in enumerate(day) if o.kind == "long_run"]
    out = []
    for (d1, i1), (d2, i2) in ((a, b) for n, a in enumerate(runs) for b in runs[n + 1:]):
        total = week[d1][i1].dose + week[d2][i2].dose
        for keep, (gone, j) in (((d1, i1), (d2, i2)), ((d2, i2), (d1, i1))):
            room = inst.avail[keep[0]] - sum(o.minutes for k, o in enumerate(week[keep[0]])
                                             if k != keep[1])
            fits = [o for o in inst.options
                    if o.kind == "long_run" and o.dose <= total and o.minutes <= room]
            if not fits:
                continue
            cand = [list(x) for x in week]
            cand[keep[0]][keep[1]] = max(fits, key=lambda o: o.dose)
            del cand[gone][j]
            if week_keeps_rules(inst, cand):
                out.append(cand)
    return out


def improve_doses(inst: Instance, best: Choice) -> Choice:
    """Exact local search after the surrogate passes: move one session's dose a step at a time
    while the full model's objective improves (the surrogate is linear in the week's totals, so
    near a trade-off between terms it can land a dose step off)."""
    while True:
        cands = [c for c in polish_all(inst, dose_neighbours(inst, best.week)) if c is not None]
        better = min(cands, key=lambda c: c.total, default=None)
        if better is None or better.total >= best.total - 1e-9:
            return best
        best = better



def closer_calories_missing(inst: Instance, choice: Choice) -> int | None:
    """One calorie step closer to maintenance, if that would miss the goal with the same week
    (which shows the calories are the least change that reaches it)."""
    if choice.terms["shortfall"] > 0:
        return None
    maint, _ = week_totals(inst, choice.week)
    maint += inst.base.ei0
    step = inst.cal_step if choice.calories < maint else -inst.cal_step
    closer = choice.calories + step
    if abs(closer - maint) >= abs(choice.calories - maint):
        return None
    terms, _ = exact_terms(inst, choice.week, np.array([float(closer)]))
    return closer if terms[0]["shortfall"] > 0 else None



def reaching_week(profile: Profile, params: SolverParams, pins: Pins, weeks: int) -> Choice | None:
    """A safe week that reaches the goal over a ``weeks``-week horizon (full daily re-score), or
    None. ``params.start`` is tried first: a week that reaches it later often reaches it sooner."""
    try:
        core = solve_core(profile, weeks, params, pins, reach_only=True)
    except NoSafePlanError:
        return None
    if core is None:
        return None
    reached = score(profile, core.choice.plan_input(core.inst.protein), weeks).goal_reached
    return core.choice if reached else None


def earliest_reachable_week(profile: Profile, params: SolverParams, pins: Pins,
                            horizon: int, upper: int | None = None,
                            known: tuple | None = None) -> int | None:
    """Earliest week in ``horizon`` + 1..52 at which a safe plan reaches the goal, or None.

    Relies on monotonicity (a goal a safe plan reaches by week w is reached by w + 1, as training
    gains and deficits accumulate), so one failed check at w − 1 proves w earliest. ``upper``: a
    week by which a safe plan is already known to reach it; ``known``: a safe week to start from
    (e.g. the closest plan's). Each reaching week found bounds the answer from above by the
    shortest horizon over which it reaches the goal at any safe calorie value (one vectorised run,
    then verified); the check just below that bound usually settles it. Once a check finds an
    earlier week the rest is bisection, so the number of solver checks stays logarithmic."""
    lo, hi = horizon + 1, upper if upper is not None and upper <= MAX_WEEKS else None
    inst = prepare(profile, horizon, params, pins)

    def tighten(week, hi: int | None, params: SolverParams):
        """(hi, params) after bounding by ``week``'s own shortest reaching horizon."""
        w = first_reaching_horizon(inst, week, lo, MAX_WEEKS if hi is None else hi - 1)
        if w is None:
            return hi, params
        found = reaching_week(profile, replace(params, start=_as_start(week)), pins, w)
        if found is None:  # the weekly-step bound did not survive the daily re-score
            return hi, params
        return w, replace(params, start=_as_start(found.week))

    if known is not None:
        hi, params = tighten(known, hi, params)
    if hi is None:
        found = reaching_week(profile, params, pins, MAX_WEEKS)
        if found is None:
            return None
        hi, params = tighten(found.week, MAX_WEEKS, replace(params, start=_as_start(found.week)))
    bound_tight = True  # until a check below the bound finds a week: then bisect
    while lo < hi:
        mid = hi - 1 if bound_tight else (lo + hi) // 2
        found = reaching_week(profile, params, pins, mid)
        if found is None:
            lo = mid + 1
            continue
        bound_tight = False
        hi, params = tighten(found.week, mid, replace(params, start=_as_start(found.week)))
    return lo


def _as_start(week) -> tuple[tuple[str, str, int], ...]:
    """A week (options per day) as ``SolverParams.start``."""
    return tuple((DAYS[d], o.kind, o.dose) for d, day in enumerate(week) for o in day)
