"""Everything the solver needs, prepared before any model is built: the session options (each
kind at each catalogue dose, with its weekly totals) and the bounds of the week and the calories.

``SolverParams`` say how to solve (from outside, never buried in the model); ``Pins`` fix parts
of a plan for what-ifs.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from planner.model.plan import CALORIE_STEP, Session
from planner.model.profile import DAYS, DAYS_PER_WEEK, KINDS, Profile
from planner.model.sessions import CATALOGUE, squat_load_for
from planner.science import effect, goals, guardrails

RPE: dict[str, int] = {"long_run": 4, "sprints": 8, "hill_repeats": 8, "squats_lunges": 7}


MAX_SESSIONS_PER_DAY = 2


@dataclass(frozen=True)
class SolverParams:
    """How to solve (never buried in the model). ``dose_levels`` restricts the catalogue (tests)."""

    time_limit_s: float = 2.0  # per CP-SAT call, deterministic seconds: same result under load
    workers: int = 1
    seed: int = 0
    calorie_step: int = CALORIE_STEP
    margin_cm: float = 0.1
    dose_levels: tuple[tuple[str, tuple[int, ...]], ...] | None = None
    find_earliest_week: bool = True
    start: tuple[tuple[str, str, int], ...] = ()  # warm start: (day, kind, dose) of a known week
    reach_check_limit: float = 1.0  # deterministic seconds for one "can week N be reached?" check
    # plan-shape rules that give way (they conflict with the guardrails or pins for this athlete)
    relaxed: tuple[str, ...] = ()
    suggest_fix: bool = True  # on "no safe plan", search the smallest profile change that helps



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
        """The plan ``Session`` of this option (built once: a frozen model, shared)."""
        return self._session

    @functools.cached_property
    def _session(self) -> Session:
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
    target: float
    margin_cm: float
    pins: Pins = field(default_factory=Pins)
    reach_pad: int = 0  # [milli-units] margin the surrogate must show after a missed reach
    endurance_max: int = 0  # [min/week] most long-run minutes a week can hold
    bounded: bool = True  # domains tightened by the rules (off when explaining infeasibility)
    relaxed: tuple[str, ...] = ()  # shape rules given way (``SolverParams.relaxed``)
    block_cache: dict = field(default_factory=dict)  # ``objective.block_inputs`` by week
    # [-] the least session energy of the block's first calorie cycle as a share of the working
    # week's (the centre week's block: a lighter week burns less, so it bounds the surplus)
    surplus_kcal_share: float = 1.0



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
                kind=kind, dose=dose, minutes=minutes, load=ld, kcal_day=kcal / DAYS_PER_WEEK,
                set_eq_tenths=int(round(seq * 10)),
                running_minutes=minutes if spec.running else 0,
                endurance_minutes=minutes if kind == "long_run" else 0,
                hard=spec.hard, effort=minutes * RPE[kind],
            ))
    avail = [profile.minutes[d] for d in DAYS]
    # the most session energy a week could hold: squats/lunges on every day it fits, plus the
    # running cap's minutes at the costliest running rate
    run_cap = guardrails.running_cap(profile) if bounded else DAYS_PER_WEEK * 150.0
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
        target=goals.thigh_target_cm(profile), margin_cm=params.margin_cm, pins=pins,
        endurance_max=int(min(DAYS_PER_WEEK * max([o.endurance_minutes for o in options] + [0]), run_cap)),
        bounded=bounded, relaxed=params.relaxed,
    )
