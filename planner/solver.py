"""The CP-SAT model: which days get which sessions, each session's dose, and the calorie target.

Data are prepared before the model is built (``prepare``); the model only iterates and adds
constraints. Every hard rule is one named function in ``HARD_RULES`` whose name matches the
checker's (``planner.guardrails``); each is guarded by an indicator literal so that, when no plan
exists, CP-SAT's ``sufficient_assumptions_for_infeasibility`` names the rules that conflict.

The goal enters through a **surrogate** of the effect model that CP-SAT can optimise over exactly:
the effect of a week depends only on three weekly totals — the sessions' energy S [kcal/d], the
effective stimulus s [0-1] and the calories — so the full model is tabulated (vectorised, weekly
RK4 steps) on a grid of (calories − maintenance, s) at a reference S, with a per-cell slope in S
(linear in S to within ~0.03 cm). CP-SAT picks the week and the calories on that surrogate; the
chosen week's calories are then *polished* with the full model over every calorie step, and the
plan is re-scored by the full daily model (``planner.scoring``), which alone sets ``goal_reached``.

Objective (minimised, integer points; each term named so the plan can say why it looks as it does):

* ``shortfall``        20 per 0.001 cm the thigh misses the target, 20 per gram the side conditions
                       of the goal miss (leg fat must fall, leg muscle rise, …) — reaching comes first;
* ``training load``    session-RPE load, minutes × effort (Foster 2001): easy run 4, squats 7,
                       sprints and hills 8 — least extra training;
* ``calorie change``   2 per kcal/d away from maintenance (with the plan's sessions);
* ``margin``           3 per 0.001 cm short of a 0.1 cm safety margin beyond the target;
* ``preferences``      200 per long run not on the preferred long-run day.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from planner import effect, goals, guardrails
from planner.errors import NoSafePlanError, SolverStoppedError
from planner.explain import explain
from planner.plan import DayPlan, Plan, PlanInput, Session, SolverInfo
from planner.profile import DAYS, KINDS, Profile
from planner.scoring import earliest_week, score
from planner.sessions import CATALOGUE, allowed_kinds, squat_load_for

RPE: dict[str, int] = {"long_run": 4, "sprints": 8, "hill_repeats": 8, "squats_lunges": 7}
W_SHORT = 20  # per milli-unit (0.001 cm or g) of shortfall
W_CAL = 2  # per kcal/d away from maintenance
W_MARGIN = 3  # per 0.001 cm short of the margin
W_PREF = 200  # per long run off the preferred day
W_UNREACHED = 1_000_000  # a plan that misses the goal at all ranks after every plan that reaches it
MAX_SESSIONS_PER_DAY = 2
S_LEVELS = 20  # stimulus grid: 0, 0.05, … 1
S_SLOPE_STEP = 50.0  # [kcal/d] finite difference for the slope in S
MAX_PASSES = 6
WALL_CLOCK_SAFETY = 10  # wall-clock limit = this × the deterministic limit (a last resort)
CORE_CHECK_SECONDS = 2.0  # per rule when shrinking a conflict to the rules that matter
REACH_PAD_STEP = 3  # [0.001 cm or g] per missed reach
DEBUG = False
LEVEL_STEP = 100  # [kcal/d] calorie levels of the surrogate (the exact polish refines to the step)
STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE",
                cp_model.INFEASIBLE: "INFEASIBLE", cp_model.MODEL_INVALID: "MODEL_INVALID",
                cp_model.UNKNOWN: "UNKNOWN"}


@dataclass(frozen=True)
class SolverParams:
    """How to solve (never buried in the model). ``dose_levels`` restricts the catalogue (tests)."""

    time_limit_s: float = 20.0  # deterministic seconds (CP-SAT work units): same result under load
    workers: int = 1
    seed: int = 0
    calorie_step: int = 25
    margin_cm: float = 0.1
    dose_levels: tuple[tuple[str, tuple[int, ...]], ...] | None = None
    find_earliest_week: bool = True
    reach_check_limit: float = 20.0  # deterministic seconds for one "can week N be reached?" check


@dataclass(frozen=True)
class Pins:
    """Parts of the plan fixed from outside (what-ifs): calories and/or sessions per kind."""

    calories: int | None = None
    kind_counts: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Option:
    """One possible session: kind at one dose, with its weekly totals prepared."""

    kind: str
    dose: int
    minutes: int
    load: str | None
    kcal_day: float  # [kcal/d] net cost averaged over the week (one session a week)
    set_eq_tenths: int  # [0.1 hard-set equivalents]
    running_minutes: int
    endurance_minutes: int
    hard: bool
    effort: int  # RPE-minutes

    def session(self) -> Session:
        fields: dict = {"kind": self.kind, "minutes": self.minutes}
        if self.kind in ("sprints", "hill_repeats"):
            fields["reps"] = self.dose
        elif self.kind == "squats_lunges":
            fields["sets"] = self.dose
            fields["load"] = self.load
        return Session(**fields)


@dataclass
class Instance:
    """Everything the model needs, prepared before it is built."""

    profile: Profile
    weeks: int
    base: effect.Baseline
    options: list[Option]
    avail: list[int]
    protein: int
    growth: float
    cal_step: int
    cal_lo: int  # [kcal/d] lowest grid calorie considered
    cal_hi: int
    s_max: int  # [kcal/d] most session energy a week could hold
    set_eq_cap: int  # [0.1 sets] stimulus saturates here
    target: float
    margin_cm: float
    pins: Pins = field(default_factory=Pins)
    reach_pad: int = 0  # [milli-units] margin the surrogate must show after a missed reach
    endurance_max: int = 0  # [min/week] most long-run minutes a week can hold
    bounded: bool = True  # domains tightened by the rules (off when explaining infeasibility)


def prepare(profile: Profile, weeks: int, params: SolverParams, pins: Pins,
            bounded: bool = True) -> Instance:
    """``bounded``: tighten variable domains with the running cap (off when explaining
    infeasibility, where the cap itself may be the rule to blame)."""
    base = effect.baseline(profile)
    load = squat_load_for(profile)
    levels = dict(params.dose_levels) if params.dose_levels else {}
    options = []
    for kind in KINDS:
        spec = CATALOGUE[kind]
        for dose in levels.get(kind, spec.doses()):
            minutes = spec.minutes_for(dose)
            ld = load if kind == "squats_lunges" else None
            kcal = effect.session_net_kcal(kind, minutes, dose, profile.weight_kg, ld)
            seq = effect.session_set_equivalents(kind, dose, profile.fast_twitch_pct, ld)
            options.append(Option(
                kind=kind, dose=dose, minutes=minutes, load=ld, kcal_day=kcal / 7.0,
                set_eq_tenths=int(round(seq * 10)),
                running_minutes=minutes if spec.running else 0,
                endurance_minutes=minutes if kind == "long_run" else 0,
                hard=spec.hard, effort=minutes * RPE[kind],
            ))
    avail = [profile.minutes[d] for d in DAYS]
    # the most session energy a week could hold: squats/lunges on every day it fits, plus the
    # running cap's minutes at the costliest running rate
    run_cap = guardrails.running_cap(profile) if bounded else 7 * 150.0
    lift = sum(max([o.kcal_day for o in options if not o.running_minutes and o.minutes <= a],
                   default=0.0) for a in avail)
    run_rate = max([o.kcal_day / o.minutes for o in options if o.running_minutes], default=0.0)
    s_max = int(math.ceil(lift + run_rate * run_cap)) + 1
    step = params.calorie_step
    lim = profile.limits
    lo = min(guardrails.intake_floor(profile), base.ei0 * (1 - lim.max_deficit_pct / 100))
    hi = (base.ei0 + s_max) * (1 + lim.max_surplus_pct / 100)
    if pins.calories is not None:
        lo, hi = min(lo, pins.calories), max(hi, pins.calories)
    protein = guardrails.default_protein(profile)
    _, growth = effect.training_inputs(base, effect.WeekLoad(), protein / profile.weight_kg)
    return Instance(
        profile=profile, weeks=weeks, base=base, options=options, avail=avail, protein=protein,
        growth=growth, cal_step=step, cal_lo=int(math.floor(lo / step) * step),
        cal_hi=int(math.ceil(hi / step) * step), s_max=s_max,
        set_eq_cap=int(math.ceil(effect.SETS_FULL * 10)),
        target=goals.thigh_target_cm(profile), margin_cm=params.margin_cm, pins=pins,
        endurance_max=int(min(7 * max([o.endurance_minutes for o in options] + [0]), run_cap)),
        bounded=bounded,
    )


# ---------------------------------------------------------------------------------------------
# Surrogate tables of the full effect model
# ---------------------------------------------------------------------------------------------
METRICS = ("thigh", "leg_muscle", "leg_fat", "body_weight", "max_loss")


def outcomes(inst: Instance, calories, session_kcal_day, stimulus) -> dict[str, np.ndarray]:
    """Full-model end-of-horizon changes (weekly RK4 steps, vectorised) in milli-units:
    thigh [0.001 cm], leg muscle / leg fat / body weight [g], max weekly tissue loss [0.001 %]."""
    base = inst.base
    cal = np.asarray(calories, dtype=float)
    sk = np.asarray(session_kcal_day, dtype=float) * 7.0 / base.bw0
    st = np.asarray(stimulus, dtype=float)
    bw, fat, lean, acc = effect.simulate(base, cal + 0 * sk + 0 * st, sk + 0 * cal, st + 0 * cal,
                                         inst.growth, 7 * inst.weeks, step_days=7)
    lm0, lf0, th0 = effect.leg_state(base, fat[0], lean[0], acc[0])
    lm, lf, th = effect.leg_state(base, fat[-1], lean[-1], acc[-1])
    tissue = [f + l for f, l in zip(fat, lean)]
    loss = np.max(np.stack([(tissue[i - 1] - tissue[i]) for i in range(1, len(tissue))]), axis=0)
    return {
        "thigh": (th - th0) * 1000, "leg_muscle": (lm - lm0) * 1000, "leg_fat": (lf - lf0) * 1000,
        "body_weight": (bw[-1] - bw[0]) * 1000,
        "max_loss": np.maximum(loss, 0) / base.bw0 * 100 * 1000,
    }


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
    cost = (W_SHORT * (short + side) + W_UNREACHED * ((short + side) > 0) + W_MARGIN * slack
            + W_CAL * np.abs(cals - maint) + np.where(ok, 0, 10 * W_UNREACHED))
    return int(cals[int(np.argmin(cost))])


def build_table(inst: Instance, s_est: float, stim_est: float = 0.5) -> Table:
    """Tabulate the full model (vectorised, weekly RK4 steps) at four corners per calorie level."""
    step = max(inst.cal_step, LEVEL_STEP)
    cals = np.arange(math.ceil(inst.cal_lo / step) * step, inst.cal_hi + 1, step, dtype=float)
    if inst.pins.calories is not None:  # pinned: one level (all of them when explaining)
        pin = float(inst.pins.calories)
        cals = np.array([pin]) if inst.bounded else np.union1d(cals, [pin])
    n = len(cals)
    c4 = np.concatenate([cals] * 4)
    s_kcal = np.repeat([s_est, s_est, s_est + S_SLOPE_STEP, s_est + S_SLOPE_STEP], n)
    stim = np.repeat([0.0, 1.0, 0.0, 1.0], n)
    out = outcomes(inst, c4, s_kcal, stim)
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
                + np.maximum(zero, (106 * metric["leg_fat"] - 90 * metric["leg_muscle"]) / 100))
    elif goal == "leaner":
        short = np.maximum(zero, th - target)
        slack = np.minimum(margin, np.maximum(zero, th - target + margin))
        side = np.maximum(zero, metric["leg_fat"] + 1)
    else:
        short = np.maximum(zero, np.abs(th) - target)
        slack = np.minimum(margin, np.maximum(zero, np.abs(th) - target + margin))
        side = np.maximum(zero, np.abs(metric["body_weight"]) - 1000)
    return short, side, slack


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------
@dataclass
class Vars:
    """Owns the variables and reads a solution back."""

    x: dict[tuple[int, int], cp_model.IntVar]
    rest: list[cp_model.IntVar]
    hard_day: list[cp_model.IntVar]
    level: list[cp_model.IntVar]  # exactly one calorie level is chosen
    calories: cp_model.LinearExpr  # [kcal/d] the chosen level's calories
    reach: cp_model.IntVar  # true: the goal must be reached (reach-only feasibility checks)
    s_kcal: cp_model.IntVar  # [kcal/d] rounded session energy
    terms: dict[str, cp_model.LinearExpr]
    rule_lits: dict[str, cp_model.IntVar]

    def week(self, solver: cp_model.CpSolver, inst: Instance) -> list[list[Option]]:
        return [[inst.options[o] for (d2, o), v in self.x.items() if d2 == d and solver.Value(v)]
                for d in range(7)]


def _sum(model, terms):
    return sum(terms) if terms else 0


def rule_availability(m, v: Vars, inst: Instance, lit) -> None:
    for d in range(7):
        m.Add(_sum(m, [inst.options[o].minutes * x for (d2, o), x in v.x.items() if d2 == d])
              <= inst.avail[d]).OnlyEnforceIf(lit)


def rule_exclusions(m, v: Vars, inst: Instance, lit) -> None:
    for (_, o), x in v.x.items():
        if inst.options[o].kind in inst.profile.exclude:
            m.Add(x == 0).OnlyEnforceIf(lit)


def rule_facilities(m, v: Vars, inst: Instance, lit) -> None:
    allowed = set(allowed_kinds(inst.profile)) | set(inst.profile.exclude)
    for (_, o), x in v.x.items():
        if inst.options[o].kind not in allowed:
            m.Add(x == 0).OnlyEnforceIf(lit)


def rule_rest_days(m, v: Vars, inst: Instance, lit) -> None:
    m.Add(sum(v.rest) >= inst.profile.limits.min_rest_days).OnlyEnforceIf(lit)


def rule_no_back_to_back(m, v: Vars, inst: Instance, lit) -> None:
    for d in range(7):
        m.Add(v.hard_day[d] + v.hard_day[(d + 1) % 7] <= 1).OnlyEnforceIf(lit)


def rule_one_hard_a_day(m, v: Vars, inst: Instance, lit) -> None:
    for d in range(7):
        hard = [x for (d2, o), x in v.x.items() if d2 == d and inst.options[o].hard]
        m.Add(_sum(m, hard) <= 1).OnlyEnforceIf(lit)


def rule_running_load(m, v: Vars, inst: Instance, lit) -> None:
    run = [inst.options[o].running_minutes * x for (_, o), x in v.x.items()
           if inst.options[o].running_minutes]
    m.Add(_sum(m, run) <= int(math.floor(guardrails.running_cap(inst.profile)))).OnlyEnforceIf(lit)


def rule_minimum_intake(m, v: Vars, inst: Instance, lit) -> None:
    m.Add(v.calories >= int(math.ceil(guardrails.intake_floor(inst.profile)))).OnlyEnforceIf(lit)


def rule_deficit(m, v: Vars, inst: Instance, lit) -> None:
    keep = 1000 - int(round(10 * inst.profile.limits.max_deficit_pct))  # per mille
    m.Add(1000 * v.calories >= int(math.ceil(keep * inst.base.ei0)) + keep * v.s_kcal
          ).OnlyEnforceIf(lit)


def rule_surplus(m, v: Vars, inst: Instance, lit) -> None:
    grow = 1000 + int(round(10 * inst.profile.limits.max_surplus_pct))
    m.Add(1000 * v.calories <= int(math.floor(grow * inst.base.ei0)) + grow * v.s_kcal
          ).OnlyEnforceIf(lit)


def rule_training_week(m, v: Vars, inst: Instance, lit) -> None:
    m.Add(sum(v.x.values()) >= 1).OnlyEnforceIf(lit)


def rule_pinned_calories(m, v: Vars, inst: Instance, lit) -> None:
    if inst.pins.calories is not None:
        m.Add(v.calories == inst.pins.calories).OnlyEnforceIf(lit)


def rule_pinned_sessions(m, v: Vars, inst: Instance, lit) -> None:
    for kind, count in inst.pins.kind_counts:
        xs = [x for (_, o), x in v.x.items() if inst.options[o].kind == kind]
        m.Add(_sum(m, xs) == count).OnlyEnforceIf(lit)


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
    ("surplus", rule_surplus),
    ("a training week", rule_training_week),
    ("pinned calories", rule_pinned_calories),
    ("pinned sessions", rule_pinned_sessions),
)


def _element(m, index, values, name):
    lo, hi = min(values), max(values)
    var = m.NewIntVar(lo, hi, name)
    m.AddElement(index, values, var)
    return var


def _add_goal(m, v: Vars, inst: Instance, table: Table, loss_lit) -> dict[str, cp_model.LinearExpr]:
    """Link the week to the surrogate; returns the goal's objective terms (integer points)."""
    opts = inst.options
    # stimulus_fraction is concave piecewise linear in weekly sets: the min of two lines and 1
    sets10 = sum(opts[o].set_eq_tenths * x for (_, o), x in v.x.items())
    full = effect.SETS_SLOPE_PCT * effect.SETS_FULL + effect.SETS_INTERCEPT_PCT
    ramp = (effect.SETS_SLOPE_PCT + effect.SETS_INTERCEPT_PCT) / full  # per set, below one set
    slope = effect.SETS_SLOPE_PCT / full
    stim = m.NewIntVar(0, 1000, "stimulus_permille")
    m.AddMinEquality(stim, [
        _scaled(m, sets10, ramp * 100, "stimulus_ramp"),
        _scaled(m, sets10, slope * 100, "stimulus_dose_response",
                int(round(effect.SETS_INTERCEPT_PCT / full * 1000))),
        1000,
    ])
    # interference: long runs come in 10-minute doses, so the endurance minutes take few values
    end_max = inst.endurance_max
    endurance = sum(opts[o].endurance_minutes * x for (_, o), x in v.x.items())
    s_pm = m.NewIntVar(0, 1000, "effective_stimulus_permille")
    levels = []
    for k in range(end_max // 10 + 1):
        w = m.NewBoolVar(f"endurance({10 * k} min)")
        m.Add(endurance == 10 * k).OnlyEnforceIf(w)
        factor = int(round(1000 * effect.interference_factor(10 * k)))
        m.Add(1000 * s_pm <= factor * stim).OnlyEnforceIf(w)
        m.Add(1000 * s_pm >= factor * stim - 999).OnlyEnforceIf(w)
        levels.append(w)
    m.AddExactlyOne(levels)
    # metric = Σ_j z_j·(a_j + b_j·ΔS + c_j·s): disaggregated per level (ΔS_j, s_j are ΔS and s on
    # the chosen level, 0 elsewhere) so the LP relaxation is the convex hull of the levels
    z = v.level
    ds_lo, ds_hi = -int(round(table.s_est)) - 1, inst.s_max + 8 - int(round(table.s_est))
    ds = v.s_kcal - int(round(table.s_est))
    ds_j, s_j = [], []
    for j, zj in enumerate(z):
        a_var = m.NewIntVar(min(ds_lo, 0), max(ds_hi, 0), f"session_kcal_offset(level={j})")
        m.Add(a_var <= ds_hi * zj)
        m.Add(a_var >= ds_lo * zj)
        b_var = m.NewIntVar(0, 1000, f"stimulus(level={j})")
        m.Add(b_var <= 1000 * zj)
        ds_j.append(a_var)
        s_j.append(b_var)
    m.Add(sum(ds_j) == ds)
    m.Add(sum(s_j) == s_pm)
    metric = {}
    for name in goal_metrics(inst.profile.goal):
        bias = table.bias.get(name, 0.0)
        expr = sum(int(round(1000 * (table.a[name][j] + bias))) * zj
                   + int(round(1000 * table.b[name][j])) * ds_j[j]
                   + int(round(table.c[name][j])) * s_j[j] for j, zj in enumerate(z))
        var = m.NewIntVar(-10**7, 10**7, name)
        m.Add(1000 * var <= expr)
        m.Add(1000 * var >= expr - 999)
        metric[name] = var
    limit = int(round(inst.profile.limits.max_loss_pct_per_week * 1000))
    m.Add(metric["max_loss"] <= limit).OnlyEnforceIf(loss_lit)
    terms = _goal_terms(m, inst, metric, v.reach)
    change = m.NewIntVar(0, 10**5, "calorie_change")
    m.AddAbsEquality(change, v.calories - int(round(inst.base.ei0)) - v.s_kcal)
    terms["calorie change"] = W_CAL * change
    return terms


def goal_metrics(goal: str) -> tuple[str, ...]:
    """The metrics a goal's predicate (and the rate-of-loss guardrail) needs."""
    side = {"bulkier": ("leg_muscle", "leg_fat"), "leaner": ("leg_fat",),
            "maintain": ("body_weight",)}[goal]
    return ("thigh", "max_loss") + side


def _scaled(m, expr, factor: float, name: str, offset: int = 0):
    """An integer variable ≈ offset + factor · expr (rounded down)."""
    var = m.NewIntVar(-10**7, 10**7, name)
    k = int(round(factor * 1000))
    m.Add(1000 * var <= 1000 * offset + k * expr)
    m.Add(1000 * var >= 1000 * offset + k * expr - 999)
    return var


def _goal_terms(m, inst: Instance, metric, reach_lit) -> dict[str, cp_model.LinearExpr]:
    goal = inst.profile.goal
    target = int(round(inst.target * 1000))
    margin = int(round(inst.margin_cm * 1000))
    big = 10**7
    thigh = metric["thigh"]
    short = m.NewIntVar(0, big, "thigh_shortfall")
    slack_short = m.NewIntVar(0, margin, "margin_shortfall")
    side_terms = []
    if goal == "bulkier":
        m.Add(short >= target - thigh)
        m.Add(slack_short >= target + margin - thigh - short)
        mus = m.NewIntVar(0, big, "leg_muscle_shortfall")
        m.Add(mus >= 1 - metric["leg_muscle"])
        share = m.NewIntVar(0, big, "muscle_share_shortfall")
        m.Add(100 * share >= 106 * metric["leg_fat"] - 90 * metric["leg_muscle"])
        side_terms = [mus, share]
    elif goal == "leaner":
        m.Add(short >= thigh - target)
        m.Add(slack_short >= thigh - target + margin - short)
        fat = m.NewIntVar(0, big, "leg_fat_shortfall")
        m.Add(fat >= metric["leg_fat"] + 1)
        side_terms = [fat]
    else:
        m.Add(short >= thigh - target)
        m.Add(short >= -thigh - target)
        m.Add(slack_short >= thigh - target + margin - short)
        m.Add(slack_short >= -thigh - target + margin - short)
        bw = m.NewIntVar(0, big, "body_weight_shortfall")
        m.Add(bw >= metric["body_weight"] - 1000)
        m.Add(bw >= -metric["body_weight"] - 1000)
        side_terms = [bw]
    reached = m.NewBoolVar("goal_reached")
    m.Add(reached == 1).OnlyEnforceIf(reach_lit)
    if inst.reach_pad:  # the full model showed the surrogate optimistic: demand a margin
        pad = inst.reach_pad
        if goal == "bulkier":
            m.Add(thigh - target >= pad).OnlyEnforceIf(reached)
            m.Add(metric["leg_muscle"] >= pad).OnlyEnforceIf(reached)
            m.Add(90 * metric["leg_muscle"] - 106 * metric["leg_fat"] >= 100 * pad
                  ).OnlyEnforceIf(reached)
        elif goal == "leaner":
            m.Add(target - thigh >= pad).OnlyEnforceIf(reached)
            m.Add(metric["leg_fat"] <= -pad).OnlyEnforceIf(reached)
        else:
            m.Add(thigh <= target - pad).OnlyEnforceIf(reached)
            m.Add(thigh >= -target + pad).OnlyEnforceIf(reached)
            m.Add(metric["body_weight"] <= 1000 - pad).OnlyEnforceIf(reached)
            m.Add(metric["body_weight"] >= -1000 + pad).OnlyEnforceIf(reached)
    m.Add(short + sum(side_terms) == 0).OnlyEnforceIf(reached)
    m.Add(short + sum(side_terms) >= 1).OnlyEnforceIf(reached.Not())
    return {"shortfall": W_SHORT * (short + sum(side_terms)) + W_UNREACHED * reached.Not(),
            "margin": W_MARGIN * slack_short}


def build(inst: Instance, table: Table, with_assumptions: bool = False,
          reach_only: bool = False, hint: dict | None = None):
    m = cp_model.CpModel()
    opts = inst.options
    x = {}
    for d in range(7):
        for o, opt in enumerate(opts):
            if opt.minutes <= max(inst.avail[d], opt.minutes if with_assumptions else 0):
                x[d, o] = m.NewBoolVar(f"session(day={DAYS[d]}, kind={opt.kind}, dose={opt.dose})")
    rest, hard_day = [], []
    for d in range(7):
        xs = [v for (d2, _), v in x.items() if d2 == d]
        r = m.NewBoolVar(f"rest({DAYS[d]})")
        h = m.NewBoolVar(f"hard_day({DAYS[d]})")
        for v in xs:
            m.AddImplication(v, r.Not())
        m.AddBoolOr(xs + [r]) if xs else m.Add(r == 1)
        hs = [v for (d2, o), v in x.items() if d2 == d and opts[o].hard]
        for v in hs:
            m.AddImplication(v, h)
        m.AddBoolOr(hs + [h.Not()]) if hs else m.Add(h == 0)
        m.Add(_sum(m, xs) <= MAX_SESSIONS_PER_DAY)
        for kind in KINDS:  # one session of a kind a day
            m.AddAtMostOne([v for (d2, o), v in x.items() if d2 == d and opts[o].kind == kind])
        rest.append(r)
        hard_day.append(h)
    level = [m.NewBoolVar(f"calories({c})") for c in table.calories]
    m.AddExactlyOne(level)
    s_kcal = m.NewIntVar(0, inst.s_max + 7, "session_kcal_per_day")
    m.Add(s_kcal == sum(int(round(opts[o].kcal_day)) * v for (_, o), v in x.items()))
    lits = {name: m.NewBoolVar(f"rule({name})") for name, _ in HARD_RULES}
    lits["rate of loss"] = m.NewBoolVar("rule(rate of loss)")
    calories = sum(c * z for c, z in zip(table.calories, level))
    reach = m.NewBoolVar("require_goal")
    m.Add(reach == int(reach_only))
    v = Vars(x=x, rest=rest, hard_day=hard_day, level=level, calories=calories,
             reach=reach, s_kcal=s_kcal, terms={}, rule_lits=lits)
    for name, encode in HARD_RULES:
        encode(m, v, inst, lits[name])
    goal_terms = _add_goal(m, v, inst, table, lits["rate of loss"])
    pref = []
    if inst.profile.long_run_day is not None:
        pday = DAYS.index(inst.profile.long_run_day)
        pref = [vv for (d, o), vv in x.items() if opts[o].kind == "long_run" and d != pday]
    v.terms = {
        "shortfall": goal_terms["shortfall"],
        "training load": sum(opts[o].effort * vv for (_, o), vv in x.items()),
        "calorie change": goal_terms["calorie change"],
        "margin": goal_terms["margin"],
        "preferences": W_PREF * _sum(m, pref),
    }
    m.Minimize(sum(v.terms.values()))
    for key, value in (hint or {}).items():
        if key in x:
            m.AddHint(x[key], value)
        elif key == "calories":  # the nearest calorie level
            near = min(range(len(table.calories)), key=lambda j: abs(table.calories[j] - value))
            for j, z in enumerate(level):
                m.AddHint(z, int(j == near))
    if with_assumptions:
        m.AddAssumptions(list(lits.values()))
    else:
        for lit in lits.values():
            m.Add(lit == 1)
    return m, v


def _solver(params: SolverParams) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.max_deterministic_time = params.time_limit_s
    s.parameters.max_time_in_seconds = WALL_CLOCK_SAFETY * params.time_limit_s
    s.parameters.num_workers = params.workers
    s.parameters.random_seed = params.seed
    s.parameters.linearization_level = 2
    return s


# ---------------------------------------------------------------------------------------------
# Exact polishing and the objective under the full model
# ---------------------------------------------------------------------------------------------
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
        days = [DayPlan(day=DAYS[d], sessions=[o.session() for o in opts])  # type: ignore[arg-type]
                for d, opts in enumerate(self.week)]
        return PlanInput(calories_per_day=self.calories, protein_g_per_day=protein, days=days)


def week_totals(inst: Instance, week) -> tuple[float, float]:
    """(session energy [kcal/d], effective stimulus s) of a week, exactly as the full model sees it."""
    sessions = [o.session() for day in week for o in day]
    load = effect.plan_load(inst.profile, sessions)
    s, _ = effect.training_inputs(inst.base, load, inst.protein / inst.profile.weight_kg)
    return load.session_kcal_per_kg * inst.base.bw0 / 7.0, s


def exact_terms(inst: Instance, week, calories: np.ndarray) -> tuple[list[dict[str, float]], np.ndarray]:
    """The objective terms of ``week`` at each calorie value under the full model, and whether each
    calorie value keeps every calorie guardrail (intake floor, deficit, surplus, rate of loss)."""
    s_kcal, s = week_totals(inst, week)
    out = outcomes(inst, calories, s_kcal, s)
    maint = inst.base.ei0 + s_kcal
    lim = inst.profile.limits
    low, high = guardrails.calorie_bounds(inst.profile, maint)
    ok = (calories >= low - 1e-6) & (calories <= high + 1e-6) & (
        out["max_loss"] <= lim.max_loss_pct_per_week * 1000 + 1e-6)
    effort = sum(o.effort for day in week for o in day)
    pref = 0
    if inst.profile.long_run_day is not None:
        pday = DAYS.index(inst.profile.long_run_day)
        pref = sum(1 for d, day in enumerate(week) for o in day if o.kind == "long_run" and d != pday)
    short, side, slack = goal_shortfalls(inst, out)
    terms = []
    for i, c in enumerate(calories):
        missed = short[i] + side[i] > 1e-9
        terms.append({
            "shortfall": float(W_SHORT * (short[i] + side[i]) + W_UNREACHED * missed),
            "training load": float(effort),
            "calorie change": float(W_CAL * abs(c - maint)),
            "margin": float(W_MARGIN * slack[i]),
            "preferences": float(W_PREF * pref),
        })
    return terms, ok


def calorie_grid(inst: Instance) -> np.ndarray:
    if inst.pins.calories is not None:
        return np.array([float(inst.pins.calories)])
    return np.arange(inst.cal_lo, inst.cal_hi + inst.cal_step, inst.cal_step, dtype=float)


def polish(inst: Instance, week) -> Choice | None:
    """Best calories for a fixed week under the full model (None: no calorie keeps the rules)."""
    cals = calorie_grid(inst)
    terms, ok = exact_terms(inst, week, cals)
    best = None
    for i in np.flatnonzero(ok):
        if best is None or sum(terms[i].values()) < sum(terms[best].values()) - 1e-9:
            best = int(i)
    if best is None:
        return None
    return Choice(week=tuple(tuple(d) for d in week), calories=int(cals[best]), terms=terms[best])


# ---------------------------------------------------------------------------------------------
# Solve
# ---------------------------------------------------------------------------------------------
@dataclass
class CoreResult:
    choice: Choice
    status: str
    passes: int


def _conflict(inst: Instance, table: Table, params: SolverParams) -> list[str]:
    """The hard rules that conflict: CP-SAT's core over the rules' indicator literals, on a
    feasibility model (no objective) whose domains the rules do not pre-tighten, then shrunk by
    deletion (a rule is kept only if the others alone are consistent without it)."""
    inst = prepare(inst.profile, inst.weeks, params, inst.pins, bounded=False)
    table = build_table(inst, table.s_est)
    model, v = build(inst, table, with_assumptions=True)
    model.ClearObjective()
    order = list(v.rule_lits)
    solver = _solver(params)
    if solver.Solve(model) != cp_model.INFEASIBLE:
        return order
    by_index = {lit.Index(): name for name, lit in v.rule_lits.items()}
    core = [by_index[i] for i in solver.SufficientAssumptionsForInfeasibility() if i in by_index]
    core = sorted(set(core), key=order.index) or order
    for name in list(core):
        trial = [n for n in core if n != name]
        model.ClearAssumptions()
        model.AddAssumptions([v.rule_lits[n] for n in trial])
        check = _solver(params)
        check.parameters.max_time_in_seconds = CORE_CHECK_SECONDS
        if check.Solve(model) == cp_model.INFEASIBLE:
            core = trial
    return core


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
        days = [d for d in range(7) if inst.avail[d] >= smallest.minutes]
        if not days:
            continue
        pref = inst.profile.long_run_day
        day = DAYS.index(pref) if kind == "long_run" and pref and DAYS.index(pref) in days else \
            max(days, key=lambda d: (inst.avail[d], -d))
        week: list[list[Option]] = [[] for _ in range(7)]
        week[day].append(smallest)
        weeks.append(week)
    return weeks


def solve_core(profile: Profile, weeks: int, params: SolverParams, pins: Pins,
               reach_only: bool = False) -> CoreResult | None:
    """Surrogate passes, each centred on the best week so far (its session energy and stimulus)
    and hinted with it; then exact polishing of the calories.

    Each pass first asks for the cheapest week that reaches the goal (the goal as a hard
    constraint keeps the LP relaxation tight); only when the surrogate says no week reaches it
    does it minimise the shortfall instead. Raises NoSafePlanError when the hard rules contradict.
    With ``reach_only`` it stops at the first week that reaches the goal (None: none does)."""
    inst = prepare(profile, weeks, params, pins)
    best: Choice | None = None
    if not pins.kind_counts and pins.calories is None:
        for week in starter_weeks(inst):
            cand = polish(inst, week)
            if cand is not None and (best is None or cand.total < best.total - 1e-9):
                best = cand
    ref = best.week if best is not None else None
    s_est, stim_est = week_totals(inst, ref) if ref else (inst.s_max * 0.3, 0.5)
    if profile.goal == "bulkier":  # growth wants the stimulus near its ceiling: centre there
        s_est, stim_est = max(s_est, 25.0), 1.0
    status = "UNKNOWN"
    passes = 0
    polished: dict = {}
    bias: dict[str, float] = {}
    reachable = True
    for _ in range(MAX_PASSES):
        table = build_table(inst, s_est, stim_est)
        table.bias = bias
        hint = None if ref is None else {
            (d, o): int(any(opt is inst.options[o] for opt in ref[d]))
            for d in range(7) for o in range(len(inst.options))}
        if hint is not None:
            hint["calories"] = surrogate_best_calories(inst, table, *week_totals(inst, ref))
        code, solver, v = cp_model.UNKNOWN, None, None
        if reachable:
            model, v = build(inst, table, reach_only=True, hint=hint)
            solver = _solver(params)
            solver.parameters.stop_after_first_solution = reach_only
            if reach_only:  # a feasibility check: bounded work, and no answer counts as "no"
                solver.parameters.max_deterministic_time = params.reach_check_limit
            code = solver.Solve(model)
            passes += 1
            if code == cp_model.INFEASIBLE or (reach_only and code == cp_model.UNKNOWN):
                if reach_only:
                    return None
                reachable = False
        if not reachable:
            model, v = build(inst, table, hint=hint)
            solver = _solver(params)
            code = solver.Solve(model)
            passes += 1
            if code == cp_model.INFEASIBLE:
                raise NoSafePlanError(profile.name, _conflict(inst, table, params))
        status = STATUS_NAMES.get(code, str(code))
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise SolverStoppedError(f"{profile.name}: the solver stopped with status {status} "
                                     "before finding a plan")
        week = v.week(solver, inst)
        key = tuple(tuple((o.kind, o.dose) for o in day) for day in week)
        s_kcal, stim_now = week_totals(inst, week)
        if key not in polished:
            polished[key] = polish(inst, week)
        cand = polished[key]
        if cand is not None and (best is None or cand.total < best.total - 1e-9):
            best = cand
        reached_now = cand is not None and cand.terms["shortfall"] == 0
        if DEBUG:
            print("pass", passes, [(o.kind, o.dose) for d in week for o in d], round(s_kcal),
                  round(stim_now, 3), "centre", round(s_est), round(stim_est, 3), "cal",
                  solver.Value(v.calories), "exact", cand and cand.calories,
                  cand and {k: round(x) for k, x in cand.terms.items()}, bias)
        centred = abs(s_kcal - s_est) <= S_SLOPE_STEP / 2 and abs(stim_now - stim_est) <= 0.1
        if not centred:  # the surrogate is exact near its centre: move it to this week
            s_est, stim_est, ref = s_kcal, stim_now, week
            bias = {}
        elif reachable and not reached_now and not (best and best.terms["shortfall"] == 0):
            # centred, yet the full model says the goal is missed: correct the surrogate by the
            # error it made here (its bias is systematic near the centre) and ask again
            cal = int(solver.Value(v.calories))
            exact = outcomes(inst, np.array([float(cal)]), s_kcal, stim_now)
            for name in METRICS:
                err = float(exact[name][0]) - table.value(name, cal, s_kcal, stim_now)
                bias[name] = bias.get(name, 0.0) + err
            inst.reach_pad += REACH_PAD_STEP
        else:
            break
    if best is None:
        raise NoSafePlanError(profile.name, ["deficit", "surplus", "rate of loss"],
                              "no calorie target keeps every calorie guardrail")
    return CoreResult(choice=best, status=status, passes=passes)


def solve(profile: Profile, params: SolverParams | None = None, pins: Pins | None = None,
          weeks: int | None = None) -> Plan:
    """Solve for the profile's goal and return the plan, re-scored by the full effect model."""
    params = params or SolverParams()
    pins = pins or Pins()
    weeks = profile.horizon_weeks if weeks is None else weeks
    t0 = time.perf_counter()
    core = solve_core(profile, weeks, params, pins)
    inst = prepare(profile, weeks, params, pins)
    plan_in = core.choice.plan_input(inst.protein)
    first = score(profile, plan_in, weeks)
    earliest = None
    if first.goal_reached:
        earliest = _first_week(profile, first)
    elif params.find_earliest_week:
        # the closest plan, kept up, bounds the search: a safe plan reaches it by then
        upper = earliest_week(profile, plan_in, float(inst.protein))
        earliest = earliest_reachable_week(profile, params, pins, weeks, upper)
    lines = explain(inst, core.choice, first, earliest, closer_calories_missing(inst, core.choice))
    wall = (time.perf_counter() - t0) * 1000
    info = SolverInfo(status=core.status, wall_ms=round(wall, 1),
                      objective={k: round(v, 1) for k, v in core.choice.terms.items()})
    return score(profile, plan_in, weeks, explanation=lines, solver=info, earliest=earliest,
                 earliest_known=True)


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


def _first_week(profile: Profile, plan: Plan) -> int | None:
    start = plan.projection.weekly[0]
    for point in plan.projection.weekly[1:]:
        if goals.evaluate(profile, start, point).reached:
            return point.week
    return None


def reaches(profile: Profile, params: SolverParams, pins: Pins, weeks: int) -> bool:
    """Does some safe plan reach the goal over a ``weeks``-week horizon (full re-score)?"""
    try:
        core = solve_core(profile, weeks, params, pins, reach_only=True)
    except NoSafePlanError:
        return False
    if core is None:
        return False
    inst = prepare(profile, weeks, params, pins)
    return score(profile, core.choice.plan_input(inst.protein), weeks).goal_reached


def earliest_reachable_week(profile: Profile, params: SolverParams, pins: Pins,
                            horizon: int, upper: int | None = None) -> int | None:
    """Earliest week in 1-52 at which a safe plan reaches the goal (binary search: a goal that
    a safe plan reaches by week w is reached by w + 1, as training gains and deficits accumulate).
    ``upper``: a week by which a safe plan is already known to reach it."""
    lo, hi = horizon + 1, 52 if upper is None else upper
    if lo > hi:
        return upper if upper is not None and upper <= 52 else None
    if upper is None and not reaches(profile, params, pins, hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if reaches(profile, params, pins, mid):
            hi = mid
        else:
            lo = mid + 1
    return lo
