"""Score a plan: re-project it with the full effect model, apply the goal and every rule.

Used by ``legplan score`` on any (hand-edited) plan, and by the solver on every plan it returns:
``goal_reached`` always comes from here, never from the solver's surrogate.
"""

from __future__ import annotations

from planner.model.errors import InputError
from planner.model.plan import (
    MAX_WEEKS,
    DayPlan,
    GoalStatus,
    Plan,
    PlanInput,
    PlanWeek,
    Session,
    SolverInfo,
)
from planner.model.profile import Profile
from planner.model.sessions import (
    CATALOGUE,
    SESSION_SETS_MAX,
    describe_dose,
    squat_load_for,
)
from planner.science import bands, block, effect, goals, guardrails


def describe(session: Session, experience: str) -> Session:
    """The session with its plain-words ``description`` filled in (and, for a dose the input
    left out, how it was derived)."""
    text = describe_dose(session.kind, session.minutes, session.dose, session.load)
    if session.dose_derived:
        text += f" ({derived_dose_note(session, experience)})"
    return session.model_copy(update={"description": text})


def derived_dose_note(session: Session, experience: str) -> str:
    """How a dose the input left out was derived from the minutes, e.g.
    "reps derived from minutes: 8 reps fit in 35 min"."""
    spec = CATALOGUE[session.kind]
    unit = "hard sets" if spec.dose_field == "sets" else "reps"
    need = spec.minutes_for(session.dose)
    head = f"{spec.dose_field} derived from minutes: "
    if need > session.minutes:
        return (head + f"{session.minutes} min is shorter than the smallest dose, {session.dose} "
                f"{unit} in {need} min, which is used")
    if session.dose < spec.dose_for_minutes(session.minutes):  # capped by with_athlete_defaults
        return (head + f"{session.dose} {unit}, the most a session holds for a"
                f"{'n' if experience[0] in 'aeiou' else ''} {experience} athlete, in "
                f"{session.minutes} min")
    if session.dose == spec.dose_max and need < session.minutes:
        return head + f"{session.dose} {unit}, the most a session holds, in {session.minutes} min"
    return head + f"{session.dose} {unit} fit in {session.minutes} min"


def earliest_week(profile: Profile, plan: PlanInput, protein: float) -> int | None:
    """First week 1-52 at which this plan, kept up, reaches the goal (None: never by 52): a
    plan without weeks repeats its week; a block goes on as a block of its working week
    (``days``) at its first calories."""
    if plan.weeks is not None:
        longer = block.block_input(profile, plan.model_copy(update={"weeks": None}), MAX_WEEKS)
        longer, proteins, _, load = _prepared(profile, longer)  # what score projects of it
        return first_reach(profile, _block_projection(profile, longer.weeks, proteins,  # type: ignore[arg-type]
                                                      load)[-1])
    load = effect.plan_load(profile, [s for _, s in plan.sessions()])
    return first_reach(profile, effect.project(profile, plan.calories_per_day, load, MAX_WEEKS,
                                               protein))


def score(
    profile: Profile,
    plan: PlanInput,
    weeks: int | None = None,
    *,
    explanation: list[str] | None = None,
    solver: SolverInfo | None = None,
    find_earliest: bool = True,
) -> Plan:
    """Project ``plan`` for ``weeks`` (default: the profile's horizon) and check it.

    ``goal_status.earliest_week`` is the first week this plan itself, kept up, reaches the goal
    (up to 52); ``find_earliest=False`` skips that search (callers that only need the projection,
    or that fill in the earliest week over all safe plans, as the solver does).
    """
    plan, protein, sessions, load = _prepared(profile, plan)
    given = plan.weeks
    if given is not None:  # a block: its own weeks, day by day, every week checked
        if weeks is not None and weeks > len(given):
            raise InputError("plan", [("--weeks", f"{weeks} is more than the plan's "
                                                  f"{len(given)} weeks")])
        given = given[:weeks] if weeks is not None else given
        weeks = len(given)
        week_plans, week_proteins, band_weeks, projection = _block_projection(
            profile, given, protein, load)
        loads = [load for _, load, _, _ in band_weeks]
        results = guardrails.check_block(profile, week_plans, [w.lighter for w in given],
                                         week_proteins, projection, loads)
    else:
        weeks = profile.horizon_weeks if weeks is None else weeks
        projection = effect.project(profile, plan.calories_per_day, load, weeks, protein)
        context = guardrails.Context(profile, plan, protein, projection, load)
        results = guardrails.check(context)
        band_weeks = [(plan.calories_per_day, load, sessions, protein)] * weeks
    band = bands.projection_band(profile, band_weeks, load, projection)
    projection = bands.with_band(projection, band)
    check = goals.evaluate(profile, projection.weekly[0], projection.weekly[-1])
    earliest = None
    if find_earliest:
        earliest = first_reach(profile, projection)
        if earliest is None and not check.reached:
            earliest = earliest_week(profile, plan, protein)
    lines = list(explanation or [])
    if not lines:
        lines = _score_explanation(profile, check, results, earliest, weeks, given is not None)
    experience = profile.strength_experience
    lines += [f"{day} {s.kind}: {derived_dose_note(s, experience)}."
              for day, s in plan.sessions() if s.dose_derived]
    days = described_days(plan.days, experience)
    plan_weeks = None if given is None else [
        w.model_copy(update={"days": described_days(w.days, experience)}) for w in given]
    return Plan(
        athlete=profile.name,
        goal=profile.goal,
        horizon_weeks=weeks,
        units=profile.units,
        calories_per_day=plan.calories_per_day,
        protein_g_per_day=int(round(protein)),
        days=days,
        weeks=plan_weeks,
        projection=projection,
        goal_reached=check.reached,
        goal_status=GoalStatus(target_thigh_change_cm=check.target_cm,
                               shortfall_cm=check.shortfall_cm, unmet=check.unmet,
                               earliest_week=earliest, probability=band.probability),
        guardrails=results,
        explanation=lines,
        solver=solver,
    )


def _prepared(profile: Profile, plan: PlanInput) -> tuple[PlanInput, float, list[Session],
                                                          effect.WeekLoad]:
    """``plan`` with the athlete's defaults, its protein [g/d], its working week's sessions and
    their ``WeekLoad``: what ``score`` starts from."""
    plan = with_athlete_defaults(profile, plan)
    protein = (plan.protein_g_per_day if plan.protein_g_per_day is not None
               else guardrails.default_protein(profile))
    sessions = [s for _, s in plan.sessions()]
    return plan, protein, sessions, effect.plan_load(profile, sessions)


def _block_projection(profile: Profile, given: list[PlanWeek], protein: float,
                      load: effect.WeekLoad) -> tuple:
    """A block's weeks ``given`` (of a plan ``_prepared``; ``protein`` [g/d] and ``load`` its
    own) projected day by day: (each week as a one-week plan, each week's protein [g/d],
    ``bands.week_inputs`` of them, the projection). ``score`` checks and bands it;
    ``earliest_week`` needs only the projection."""
    week_plans = [_week_input(w, protein) for w in given]
    week_proteins = [float(w.protein_g_per_day) for w in week_plans]  # type: ignore[arg-type]
    band_weeks = bands.week_inputs(profile, week_plans)  # each week's load, computed once
    loads = [ld for _, ld, _, _ in band_weeks]
    projection = effect.project_weeks(
        profile, [(w.calories_per_day, ld, p) for w, ld, p in zip(week_plans, loads,
                                                                  week_proteins)],
        protein, summary_load=load)
    return week_plans, week_proteins, band_weeks, projection


def described_days(days: list[DayPlan], experience: str) -> list[DayPlan]:
    """The days with every session's plain-words ``description``."""
    return [DayPlan(day=d.day, sessions=[describe(s, experience) for s in d.sessions])
            for d in days]


def _week_input(week: PlanWeek, protein: float) -> PlanInput:
    """A block's week as a one-week plan (its protein, else the plan's), for the rules."""
    return PlanInput(calories_per_day=week.calories_per_day,
                     protein_g_per_day=(week.protein_g_per_day if week.protein_g_per_day
                                        is not None else int(round(protein))),
                     days=week.days)


def with_athlete_defaults(profile: Profile, plan: PlanInput) -> PlanInput:
    """The plan with every squat/lunge session that names no load given the heaviest variant the
    athlete's facilities allow (what the solver plans), so it is costed, credited, checked and
    shown as that variant; and a squat/lunge dose derived from the minutes (the input gave none)
    held to the most a session holds for the athlete's level (``SESSION_SETS_MAX``), so the
    derived dose never breaks the session-volume rule by itself."""
    load = squat_load_for(profile)
    spec = CATALOGUE["squats_lunges"]
    most = max([d for d in spec.doses() if d <= SESSION_SETS_MAX[profile.strength_experience]],
               default=spec.dose_min)

    def filled(s: Session) -> Session:
        if s.kind != "squats_lunges":
            return s
        update: dict[str, object] = {} if s.load else {"load": load}
        if s.dose_derived and s.dose > most:
            update["sets"] = most
        return s.model_copy(update=update) if update else s

    def filled_days(days: list[DayPlan]) -> list[DayPlan]:
        return [d.model_copy(update={"sessions": [filled(s) for s in d.sessions]}) for d in days]

    weeks = None if plan.weeks is None else [
        w.model_copy(update={"days": filled_days(w.days)}) for w in plan.weeks]
    return plan.model_copy(update={"days": filled_days(plan.days), "weeks": weeks})


def first_reach(profile: Profile, projection) -> int | None:
    """First week of a projection at which the goal is reached (None: not within it)."""
    start = projection.weekly[0]
    for point in projection.weekly[1:]:
        if goals.evaluate(profile, start, point).reached:
            return point.week
    return None


def _score_explanation(profile, check, results, earliest, weeks, is_block=False) -> list[str]:
    lines = []
    failed = [r for r in results if not r.ok]
    what = f"This {weeks}-week block" if is_block else "This week"
    if check.reached:
        lines.append(f"This {weeks}-week block reaches the {profile.goal} goal." if is_block else
                     f"This week, repeated for {weeks} weeks, reaches the {profile.goal} goal.")
    else:
        lines.append(f"{what} does not reach the {profile.goal} goal in {weeks} weeks: "
                     + "; ".join(check.unmet) + ".")
        if earliest is not None:
            lines.append(f"Kept up, it would reach the goal in week {earliest}.")
        else:
            lines.append(f"Kept up, it would not reach the goal within {MAX_WEEKS} weeks.")
    if failed:
        lines.append("Rules broken: " + "; ".join(f"{r.name} ({r.detail})" for r in failed) + ".")
    else:
        lines.append("Every guardrail passes.")
    return lines

