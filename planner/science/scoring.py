"""Score a plan: re-project it with the full effect model, apply the goal and every rule.

Used by ``legplan score`` on any (hand-edited) plan, and by the solver on every plan it returns:
``goal_reached`` always comes from here, never from the solver's surrogate.
"""

from __future__ import annotations

from planner.model.plan import (
    MAX_WEEKS,
    DayPlan,
    GoalStatus,
    Plan,
    PlanInput,
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
from planner.science import bands, effect, goals, guardrails


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
    """First week 1-52 at which repeating this week reaches the goal (None: never by 52)."""
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
    weeks = profile.horizon_weeks if weeks is None else weeks
    plan = with_athlete_defaults(profile, plan)
    protein = (plan.protein_g_per_day if plan.protein_g_per_day is not None
               else guardrails.default_protein(profile))
    sessions = [s for _, s in plan.sessions()]
    load = effect.plan_load(profile, sessions)
    projection = effect.project(profile, plan.calories_per_day, load, weeks, protein)
    band = bands.projection_band(profile, plan.calories_per_day, load, sessions, protein,
                                 projection)
    projection = bands.with_band(projection, band)
    check = goals.evaluate(profile, projection.weekly[0], projection.weekly[-1])
    context = guardrails.Context(profile, plan, protein, projection, load)
    results = guardrails.check(context)
    earliest = None
    if find_earliest:
        earliest = first_reach(profile, projection)
        if earliest is None and not check.reached:
            earliest = earliest_week(profile, plan, protein)
    lines = list(explanation or [])
    if not lines:
        lines = _score_explanation(profile, check, results, earliest, weeks)
    experience = profile.strength_experience
    lines += [f"{day} {s.kind}: {derived_dose_note(s, experience)}."
              for day, s in plan.sessions() if s.dose_derived]
    days = [DayPlan(day=d.day, sessions=[describe(s, experience) for s in d.sessions])
            for d in plan.days]
    return Plan(
        athlete=profile.name,
        goal=profile.goal,
        horizon_weeks=weeks,
        units=profile.units,
        calories_per_day=plan.calories_per_day,
        protein_g_per_day=int(round(protein)),
        days=days,
        projection=projection,
        goal_reached=check.reached,
        goal_status=GoalStatus(target_thigh_change_cm=check.target_cm,
                               shortfall_cm=check.shortfall_cm, unmet=check.unmet,
                               earliest_week=earliest, probability=band.probability),
        guardrails=results,
        explanation=lines,
        solver=solver,
    )


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

    days = [d.model_copy(update={"sessions": [filled(s) for s in d.sessions]}) for d in plan.days]
    return plan.model_copy(update={"days": days})


def first_reach(profile: Profile, projection) -> int | None:
    """First week of a projection at which the goal is reached (None: not within it)."""
    start = projection.weekly[0]
    for point in projection.weekly[1:]:
        if goals.evaluate(profile, start, point).reached:
            return point.week
    return None


def _score_explanation(profile, check, results, earliest, weeks) -> list[str]:
    lines = []
    failed = [r for r in results if not r.ok]
    if check.reached:
        lines.append(f"This week, repeated for {weeks} weeks, reaches the {profile.goal} goal.")
    else:
        lines.append(f"This week does not reach the {profile.goal} goal in {weeks} weeks: "
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

