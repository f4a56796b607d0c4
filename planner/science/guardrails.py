"""Safety rules (docs/science.md §5) and plan rules: one definition, used by the solver and the checker.

Each rule is a small named function in ``RULES``; its name is what plans, explanations and test ids
say. The bounds a rule enforces come from the pure functions below (``intake_floor``,
``calorie_bounds``, ``running_cap`` …), which the solver calls too, so the two can never disagree.
Limits come from ``profile.limits``, which can only tighten the published defaults.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from planner.model.plan import GuardrailResult, PlanInput, Projection, Session
from planner.model.profile import DAYS, Profile
from planner.model.sessions import (
    CATALOGUE,
    HARD_RUNS_MAX,
    SESSION_SETS_MAX,
    WEEK_SETS_MAX,
    SQUAT_LOADS,
    allowed_kinds,
    squat_load_for,
)
from planner.science import progression
from planner.science.effect import WeekLoad, expenditure_at, resting_energy_mifflin

# A beginner's allowance: an athlete who runs less than this a week may run this much (a first
# week of Couch to 5K: 3 × 20 min of run/walk; docs/science.md §5), since 10 % of nothing is nothing.
STARTER_RUN_MINUTES = 60.0
# ... in runs of at most this long, or of the athlete's whole recent week + 10 % if longer: the
# allowance is Couch to 5K's three sessions, not one long run (its first sessions are 20-30 min
# of run/walk), and one run much longer than any of the last weeks' is the riskiest kind of spike
# (Frandsen 2025: single runs over 10 % longer than the longest of the last 30 days)
STARTER_RUN_SESSION_MINUTES = 30
PROTEIN_DEFAULT_G_PER_KG = 1.8  # [g/kg/d] inside Morton 2018's 1.6-2.2


# ---------------------------------------------------------------------------------------------
# Bounds shared by solver and checker
# ---------------------------------------------------------------------------------------------
def intake_floor(profile: Profile) -> float:
    """[kcal/d] the lowest intake any plan may set: 1,200 women / 1,500 men (NHLBI), never below
    resting energy (Mifflin–St Jeor), and the coach's tighter floor if any."""
    rmr = resting_energy_mifflin(profile.sex, profile.weight_kg, profile.height_cm, profile.age)
    floor = max(profile.sex_min_intake, rmr)
    if profile.limits.min_intake_kcal is not None:
        floor = max(floor, profile.limits.min_intake_kcal)
    return floor


HEALTHY_BMI_MIN = 18.5  # [kg/m²] WHO: below is underweight
# [%] body fat below which no deficit is planned: about 15 % for women and 8 % for men (IOC
# consensus on relative energy deficiency in sport, Mountjoy 2018; above ACSM's essential fat of
# 10-13 % / 2-5 %). Constants, not limits: no input can loosen them.
BODY_FAT_FLOOR_PCT = {"female": 15.0, "male": 8.0}


def deficit_block(profile: Profile) -> str | None:
    """Why no deficit may be planned for this athlete (None: a deficit is allowed): a BMI under
    18.5 (WHO) or body fat under the floor (Mountjoy 2018), given or estimated."""
    fat_pct = profile.body_fat_fraction * 100
    if profile.bmi < HEALTHY_BMI_MIN:
        return f"BMI {profile.bmi:.1f} is under {HEALTHY_BMI_MIN:g}, a healthy weight (WHO)"
    if fat_pct < BODY_FAT_FLOOR_PCT[profile.sex]:
        return (f"body fat {fat_pct:.0f} % is under the {BODY_FAT_FLOOR_PCT[profile.sex]:g} % "
                f"floor for {'women' if profile.sex == 'female' else 'men'} (IOC REDs consensus, "
                "Mountjoy 2018)")
    return None


def calorie_bounds(profile: Profile, maintenance_kcal: float) -> tuple[float, float]:
    """[kcal/d] (lowest, highest) intake: the intake floor, at most ``max_deficit_pct`` below and
    at most ``max_surplus_pct`` above estimated expenditure (Garthe 2011; Helms 2023), and no
    deficit at all below a healthy weight or body-fat floor (``deficit_block``)."""
    lim = profile.limits
    vmax = np.maximum if isinstance(maintenance_kcal, np.ndarray) else max  # many at once too
    low = vmax(intake_floor(profile), maintenance_kcal * (1 - lim.max_deficit_pct / 100))
    if deficit_block(profile):
        low = vmax(low, maintenance_kcal)
    high = maintenance_kcal * (1 + lim.max_surplus_pct / 100)
    return low, high


def running_cap(profile: Profile) -> float:
    """[min/week] most running allowed: recent volume + 10 % (Gabbett 2016 acute:chronic ≤ 1.3;
    10 % rule), or the starter allowance for athletes who have not been running."""
    grow = 1 + profile.limits.max_run_increase_pct / 100
    return max(profile.recent_weekly_run_minutes * grow, STARTER_RUN_MINUTES)


RUNNING_KEPT_SHARE = 0.8  # a runner keeps ≥ 80 % of recent running (acute:chronic ≥ 0.8, Gabbett 2016)


def longest_easy_run(profile: Profile) -> float | None:
    """[min] the longest single easy run allowed while the beginner's allowance sets the week's
    cap: ``STARTER_RUN_SESSION_MINUTES``, or the whole recent week + 10 % if that is longer (an
    athlete at 45 min a week may run 40 in one go, a non-runner 30: short runs, not one of 60);
    None for a runner whose recent volume sets the cap (no run is longer than a week then)."""
    grow = 1 + profile.limits.max_run_increase_pct / 100
    if profile.recent_weekly_run_minutes * grow < STARTER_RUN_MINUTES:
        return max(float(STARTER_RUN_SESSION_MINUTES), profile.recent_weekly_run_minutes * grow)
    return None


def running_floor(profile: Profile) -> float:
    """[min/week] least running a runner's week keeps ("running kept"): 80 % of recent running
    (acute:chronic under 0.8 is under-training, Gabbett 2016), within the running-load cap; 0 when
    the profile says ``keep_running: false``, running is excluded, or there is no recent running."""
    if not profile.keep_running or "long_run" in profile.exclude:
        return 0.0
    return min(RUNNING_KEPT_SHARE * profile.recent_weekly_run_minutes, running_cap(profile))


def squat_sessions_min(profile: Profile) -> int:
    """Least squats/lunges sessions a week: 2 to bulk ("lift twice to bulk", Schoenfeld 2016:
    twice a week beats once), 1 in a cut ("strength kept": resistance training keeps muscle while
    losing fat, Donnelly 2009), when squats/lunges are allowed and the week has 2+ training days."""
    if "squats_lunges" not in allowed_kinds(profile) or profile.planned_training_days < 2:
        return 0
    return {"bulkier": 2, "leaner": 1}.get(profile.goal, 0)


def needs_mix(profile: Profile) -> bool:
    """"a mix": 3+ training days and 2+ allowed kinds ask for at least two kinds."""
    return profile.planned_training_days >= 3 and len(allowed_kinds(profile)) >= 2


def needs_fast_running(profile: Profile) -> bool:
    """A bulkier week without squats/lunges builds on sprints or hill repeats (Type II work)."""
    allowed = allowed_kinds(profile)
    return (profile.goal == "bulkier" and "squats_lunges" not in allowed
            and bool({"sprints", "hill_repeats"} & set(allowed)))


def protein_bounds(profile: Profile) -> tuple[int, int]:
    """[g/d] protein band, 1.6-2.2 g/kg/d (Morton 2018), rounded inwards."""
    lim = profile.limits
    return (math.ceil(lim.protein_min_g_per_kg * profile.weight_kg),
            math.floor(lim.protein_max_g_per_kg * profile.weight_kg))


def default_protein(profile: Profile) -> int:
    """[g/d] protein a plan sets: 1.8 g/kg/d, inside the band."""
    low, high = protein_bounds(profile)
    return min(high, max(low, round(PROTEIN_DEFAULT_G_PER_KG * profile.weight_kg)))


def is_hard(session: Session) -> bool:
    return CATALOGUE[session.kind].hard


# ---------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What a rule may look at."""

    profile: Profile
    plan: PlanInput
    protein_g_per_day: float
    projection: Projection
    load: WeekLoad
    # a week of a block (``check_block``): its running cap from the weeks before it, the share
    # of the "running kept" floor it keeps (a lighter week: ``progression.LIGHTER_KEEP_MIN``),
    # its expenditure at the body of its calorie cycle's re-set, and its number
    run_cap: float | None = None
    run_floor_share: float = 1.0
    maintenance: float | None = None
    week: int | None = None

    @property
    def maintenance_kcal(self) -> float:
        """[kcal/d] the expenditure the calorie rules compare with."""
        if self.maintenance is not None:
            return self.maintenance
        return self.projection.maintenance_kcal_per_day


Check = Callable[[Context], GuardrailResult]


@dataclass(frozen=True)
class Rule:
    name: str
    safety: bool  # a docs/science.md §5 guardrail (True) or a rule of the athlete's week (False)
    check: Check
    shape: bool = False  # a plan-shape rule (docs/design.md "Plan shape"): gives way to guardrails


def _result(name: str, ok: bool, detail: str) -> GuardrailResult:
    return GuardrailResult(name=name, ok=bool(ok), detail=detail)


def minimum_intake(c: Context) -> GuardrailResult:
    floor = intake_floor(c.profile)
    kcal = c.plan.calories_per_day
    return _result("minimum intake", kcal >= floor - 1e-6,
                   f"{kcal} {'≥' if kcal >= floor - 1e-6 else '<'} {floor:.0f} kcal/d")


def rate_of_loss(c: Context) -> GuardrailResult:
    limit = c.profile.limits.max_loss_pct_per_week
    worst = c.projection.max_weekly_loss_pct
    ok = worst <= limit + 1e-6
    return _result("rate of loss", ok,
                   f"steepest weekly tissue loss {worst:.2f} % {'≤' if ok else '>'} {limit:g} % "
                   "of body weight")


def _energy_gap(c: Context, name: str, sign: int, limit: float, word: str) -> GuardrailResult:
    """Calories ``word`` (below/above) expenditure, as a share of it, against ``limit`` %."""
    maint = c.maintenance_kcal
    pct = sign * (c.plan.calories_per_day - maint) / maint * 100
    ok = pct <= limit + 1e-6
    return _result(name, ok, f"{max(pct, 0):.1f} % {word} expenditure of {maint:.0f} kcal/d "
                             f"{'≤' if ok else '>'} {limit:g} %")


def healthy_weight(c: Context) -> GuardrailResult:
    why = deficit_block(c.profile)
    maint = c.maintenance_kcal
    kcal = c.plan.calories_per_day
    if why is None:
        return _result("healthy weight", True, "a deficit is allowed (BMI and body fat healthy)")
    ok = kcal >= maint - 1e-6
    return _result("healthy weight", ok, f"{why}: no deficit, {kcal} "
                   f"{'≥' if ok else '<'} {maint:.0f} kcal/d expenditure")


def deficit(c: Context) -> GuardrailResult:
    return _energy_gap(c, "deficit", -1, c.profile.limits.max_deficit_pct, "below")


def surplus(c: Context) -> GuardrailResult:
    return _energy_gap(c, "surplus", 1, c.profile.limits.max_surplus_pct, "above")


def protein(c: Context) -> GuardrailResult:
    low, high = protein_bounds(c.profile)
    p = c.protein_g_per_day
    ok = low <= p <= high
    return _result("protein", ok, f"{p:.0f} g/d {'within' if ok else 'outside'} {low}-{high} g/d "
                   "(1.6-2.2 g/kg)")


def rest_days(c: Context) -> GuardrailResult:
    n = sum(1 for d in c.plan.days if not d.sessions)
    need = c.profile.limits.min_rest_days
    return _result("rest days", n >= need, f"{n} full rest day(s), at least {need} needed")


def hard_days(c: Context) -> list[str]:
    return [d.day for d in c.plan.days if any(is_hard(s) for s in d.sessions)]


def no_back_to_back_hard_days(c: Context) -> GuardrailResult:
    hard = set(hard_days(c))
    pairs = [f"{a}-{b}" for a, b in zip(DAYS, DAYS[1:] + DAYS[:1]) if a in hard and b in hard]
    return _result("no back-to-back hard days", not pairs,
                   "hard days are apart (the week wraps Sun→Mon)" if not pairs
                   else "back to back: " + ", ".join(pairs))


def one_hard_session_a_day(c: Context) -> GuardrailResult:
    doubled = [d.day for d in c.plan.days if sum(is_hard(s) for s in d.sessions) > 1]
    return _result("48 h between hard sessions", not doubled,
                   "at most one hard session a day, hard days apart" if not doubled
                   else "two hard sessions on " + ", ".join(doubled))


def running_load(c: Context) -> GuardrailResult:
    run = c.load.running_minutes
    pct = c.profile.limits.max_run_increase_pct
    if c.run_cap is not None and c.week != 1:  # a later week of a block: against the weeks planned
        cap = c.run_cap
        why = (f"at most {pct:g} % above the last full week and acute:chronic ≤ "
               f"{progression.ACWR_MAX:g}")
    else:
        cap = running_cap(c.profile)
        why = f"recent {c.profile.recent_weekly_run_minutes:.0f} + {pct:g} %"
    ok = run <= cap + 1e-6
    detail = f"{run:.0f} min running {'≤' if ok else '>'} {cap:.0f} min/week ({why})"
    longest = longest_easy_run(c.profile)
    if longest is not None:
        over = [f"{day} {s.minutes} min" for day, s in c.plan.sessions()
                if s.kind == "long_run" and s.minutes > longest + 1e-6]
        ok = ok and not over
        detail += (f"; a beginner's runs at most {longest:.0f} min" if not over else
                   f"; a beginner's runs at most {longest:.0f} min: " + ", ".join(over))
    return _result("running load", ok, detail)


def availability(c: Context) -> GuardrailResult:
    over = []
    for d in c.plan.days:
        used = sum(s.minutes for s in d.sessions)
        if used > c.profile.minutes[d.day]:
            over.append(f"{d.day} {used}>{c.profile.minutes[d.day]} min")
    return _result("availability", not over,
                   "every session fits the day's time" if not over else "; ".join(over))


def exclusions(c: Context) -> GuardrailResult:
    bad = sorted({s.kind for _, s in c.plan.sessions() if s.kind in c.profile.exclude})
    return _result("exclusions", not bad,
                   "no excluded kind" if not bad else "excluded kinds planned: " + ", ".join(bad))


def facilities(c: Context) -> GuardrailResult:
    allowed = allowed_kinds(c.profile) + list(c.profile.exclude)
    bad = sorted({s.kind for _, s in c.plan.sessions() if s.kind not in allowed})
    heaviest = list(SQUAT_LOADS).index(squat_load_for(c.profile))  # SQUAT_LOADS: heaviest first
    overload = sorted({s.load for _, s in c.plan.sessions() if s.kind == "squats_lunges"
                       and s.load is not None and list(SQUAT_LOADS).index(s.load) < heaviest})
    problems = [f"{k} needs {CATALOGUE[k].needs}" for k in bad]
    problems += [f"{load} squats without the equipment" for load in overload]
    return _result("facilities", not problems,
                   "every session fits the facilities" if not problems else "; ".join(problems))


def session_doses(c: Context) -> GuardrailResult:
    bad = []
    for day, s in c.plan.sessions():
        spec = CATALOGUE[s.kind]
        if not spec.dose_min <= s.dose <= spec.dose_max:
            bad.append(f"{day} {s.kind} {spec.dose_field} {s.dose} outside "
                       f"{spec.dose_min}-{spec.dose_max}")
        elif s.minutes < spec.minutes_for(s.dose):
            bad.append(f"{day} {s.kind}: {s.dose} {spec.dose_field} need "
                       f"{spec.minutes_for(s.dose)} min, not {s.minutes}")
    return _result("session doses", not bad,
                   "every dose within the catalogue's range" if not bad else "; ".join(bad))


# ---------------------------------------------------------------------------------------------
# Plan shape: what a coach's week looks like (docs/design.md "Plan shape"; docs/science.md §6)
# ---------------------------------------------------------------------------------------------
def _kind_counts(c: Context) -> dict[str, int]:
    counts = {k: 0 for k in CATALOGUE}
    for _, s in c.plan.sessions():
        counts[s.kind] += 1
    return counts


def training_days(c: Context) -> GuardrailResult:
    n = sum(1 for d in c.plan.days if d.sessions)
    want = c.profile.planned_training_days
    return _result("training days", n == want, f"{n} training day(s), {want} asked")


def session_volume(c: Context) -> GuardrailResult:
    most = SESSION_SETS_MAX[c.profile.strength_experience]
    over = [f"{day} {s.dose} sets" for day, s in c.plan.sessions()
            if s.kind == "squats_lunges" and s.dose > most]
    week = sum(s.dose for _, s in c.plan.sessions() if s.kind == "squats_lunges")
    problems = ([f"over {most} hard sets: " + ", ".join(over)] if over else []) + (
        [f"{week} hard sets in the week, over {WEEK_SETS_MAX}"] if week > WEEK_SETS_MAX else [])
    return _result("session volume", not problems,
                   f"at most {most} hard sets a squats/lunges session ({c.profile.strength_experience})"
                   + (f", {week} of at most {WEEK_SETS_MAX} a week" if week else "")
                   if not problems else "; ".join(problems))


def running_kept(c: Context) -> GuardrailResult:
    floor = running_floor(c.profile) * c.run_floor_share
    run = c.load.running_minutes
    ok = run >= floor - 1e-6
    return _result("running kept", ok,
                   f"{run:.0f} min running {'≥' if ok else '<'} {floor:.0f} min/week "
                   f"({RUNNING_KEPT_SHARE:.0%} of recent {c.profile.recent_weekly_run_minutes:.0f}"
                   + (f", × {c.run_floor_share:.0%} in a lighter week" if c.run_floor_share < 1
                      else "") + ")"
                   if floor > 0 else "no running to keep")


def _squat_rule(name: str, goal: str) -> Check:
    def rule(c: Context) -> GuardrailResult:
        need = squat_sessions_min(c.profile) if c.profile.goal == goal else 0
        n = _kind_counts(c)["squats_lunges"]
        return _result(name, n >= need, f"{n} squats/lunges session(s), at least {need} needed"
                       if need else "does not apply to this goal and week")
    return rule


def a_mix(c: Context) -> GuardrailResult:
    counts = _kind_counts(c)
    used = [k for k, n in counts.items() if n]
    problems = []
    if needs_mix(c.profile) and len(used) < 2:
        problems.append(f"{len(used)} kind(s) in a {c.profile.planned_training_days}-day week, "
                        "at least 2 needed")
    if needs_fast_running(c.profile) and not (counts["sprints"] + counts["hill_repeats"]):
        problems.append("bulkier without squats/lunges needs sprints or hill repeats")
    return _result("a mix", not problems, "kinds: " + (", ".join(used) or "none")
                   if not problems else "; ".join(problems))


def hard_running_sessions(c: Context) -> GuardrailResult:
    counts = _kind_counts(c)
    n = counts["sprints"] + counts["hill_repeats"]
    most = HARD_RUNS_MAX[c.profile.strength_experience]
    return _result("hard running sessions", n <= most,
                   f"{n} sprint/hill session(s), at most {most} a week "
                   f"({c.profile.strength_experience})")


SHAPE_RULES: tuple[Rule, ...] = (
    Rule("training days", False, training_days, shape=True),
    Rule("session volume", False, session_volume, shape=True),
    Rule("running kept", False, running_kept, shape=True),
    Rule("strength kept", False, _squat_rule("strength kept", "leaner"), shape=True),
    Rule("lift twice to bulk", False, _squat_rule("lift twice to bulk", "bulkier"), shape=True),
    Rule("a mix", False, a_mix, shape=True),
    Rule("hard running sessions", False, hard_running_sessions, shape=True),
)
SHAPE_RULE_NAMES: tuple[str, ...] = tuple(r.name for r in SHAPE_RULES)

RULES: tuple[Rule, ...] = (
    Rule("minimum intake", True, minimum_intake),
    Rule("rate of loss", True, rate_of_loss),
    Rule("deficit", True, deficit),
    Rule("healthy weight", True, healthy_weight),
    Rule("surplus", True, surplus),
    Rule("protein", True, protein),
    Rule("rest days", True, rest_days),
    Rule("no back-to-back hard days", True, no_back_to_back_hard_days),
    Rule("48 h between hard sessions", True, one_hard_session_a_day),
    Rule("running load", True, running_load),
    Rule("exclusions", True, exclusions),
    Rule("availability", False, availability),
    Rule("facilities", False, facilities),
    Rule("session doses", False, session_doses),
    *SHAPE_RULES,
)
RULE_NAMES: tuple[str, ...] = tuple(r.name for r in RULES)


def check(context: Context) -> list[GuardrailResult]:
    """Run every rule on a plan; the solver-independent checker."""
    return [rule.check(context) for rule in RULES]


def check_block(profile: Profile, weeks: list[PlanInput], lighter: list[bool],
                proteins: list[float], projection: Projection,
                loads: list[WeekLoad]) -> list[GuardrailResult]:
    """Run every rule on every week of a block; one result per rule (``RULES`` order), ok when
    every week keeps it, its detail naming the weeks that do not (else week 1's detail).

    Each week is checked as a week (its own sessions, calories and protein), with what only the
    block knows: its running cap from the weeks planned before it
    (``progression.running_build_cap``), a lighter week's "running kept" floor
    (``progression.LIGHTER_KEEP_MIN``), and its expenditure at the body weight of its calorie
    cycle's re-set (the projection's, at the cycle's first day). The rate of loss is the block's
    steepest week."""
    first = running_cap(profile)
    pct = profile.limits.max_run_increase_pct
    history: list[float] = []
    per_rule: list[list[GuardrailResult]] = [[] for _ in RULES]
    for i, (week, light, protein, load) in enumerate(zip(weeks, lighter, proteins, loads)):
        number = i + 1
        start = progression.cycle_start(number)
        weight = (profile.weight_kg if start == 1
                  else projection.weekly[start - 1].body_weight_kg)
        cap = progression.running_build_cap(first, pct, profile.recent_weekly_run_minutes,
                                            history, lighter[:i])
        context = Context(profile, week, protein, projection, load, run_cap=cap,
                          run_floor_share=progression.LIGHTER_KEEP_MIN if light else 1.0,
                          maintenance=expenditure_at(profile, load.session_kcal_per_kg, weight),
                          week=number)
        for results, rule in zip(per_rule, RULES):
            results.append(rule.check(context))
        history.append(load.running_minutes)
    out = []
    for results in per_rule:
        failed = [(w + 1, r) for w, r in enumerate(results) if not r.ok]
        if failed:
            detail = _weeks_detail(failed)
        else:
            detail = (f"all {len(results)} weeks; week 1: {results[0].detail}"
                      if len(results) > 1 else results[0].detail)
        out.append(_result(results[0].name, not failed, detail))
    return out


BROKEN_DETAILS_SHOWN = 3  # distinct failures a block's rule names; the rest are counted


def _weeks_detail(failed: list[tuple[int, GuardrailResult]]) -> str:
    """The failures of a rule over a block, weeks with the same detail together:
    "weeks 1-3, 5-7: …; week 4: …", at most ``BROKEN_DETAILS_SHOWN`` details."""
    by_detail: dict[str, list[int]] = {}
    for week, result in failed:
        by_detail.setdefault(result.detail, []).append(week)
    parts = []
    for detail, weeks in list(by_detail.items())[:BROKEN_DETAILS_SHOWN]:
        spans: list[list[int]] = []
        for w in weeks:
            if spans and w == spans[-1][1] + 1:
                spans[-1][1] = w
            else:
                spans.append([w, w])
        text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)
        parts.append(f"{'week' if len(weeks) == 1 else 'weeks'} {text}: {detail}")
    more = sum(len(w) for w in list(by_detail.values())[BROKEN_DETAILS_SHOWN:])
    if more:
        parts.append(f"and {more} more week(s)")
    return "; ".join(parts)
