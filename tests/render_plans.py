"""Plans for the rendering tests: from the solver when it is there, else a hand-made week scored
by the full model (``planner.science.scoring.score``)."""

from __future__ import annotations

from pathlib import Path

from planner.model.errors import NoSafePlanError
from planner.model.plan import DayPlan, Plan, PlanInput, Session
from planner.model.profile import DAYS, Profile, load_profile, parse_profile
from planner.model.sessions import CATALOGUE, allowed_kinds, squat_load_for
from planner.science.scoring import score

SAMPLES = Path(__file__).resolve().parent.parent / "sample_profiles"
HARD_ORDER = ("squats_lunges", "sprints", "hill_repeats")
CALORIE_FACTOR = {"leaner": 0.85, "bulkier": 1.08, "maintain": 1.0}  # x estimated expenditure


def sample_profile_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*.yaml"))


def built_in_profiles() -> list[Profile]:
    """A few profiles covering each goal and both unit systems (used when samples are absent)."""
    return [
        parse_profile(dict(name="Dana Reyes", sex="female", age=29, height_cm=168, weight_kg=64,
                           body_fat_pct=27, recent_weekly_run_minutes=90, goal="bulkier",
                           availability=dict(mon=60, wed=45, thu=60, sat=90, sun=120),
                           long_run_day="sun", facilities=["hills", "track", "barbell"])),
        parse_profile(dict(name="Marcus Okafor", sex="male", age=35, height_in=70, weight_lb=200,
                           recent_weekly_run_minutes=120, goal="leaner", horizon_weeks=16,
                           availability=dict(tue=45, thu=45, sat=90, sun=60),
                           facilities=["dumbbells"])),
        parse_profile(dict(name="Kenji Watanabe", sex="male", age=47, height_cm=170, weight_kg=70,
                           recent_weekly_run_minutes=200, goal="maintain", horizon_weeks=8,
                           availability=dict(mon=45, tue=60, thu=60, fri=45, sat=120, sun=90),
                           facilities=["hills", "track", "barbell"], exclude=["sprints"])),
    ]


def session_at_min_dose(profile: Profile, kind: str) -> Session:
    spec = CATALOGUE[kind]
    dose = spec.dose_min
    minutes = spec.minutes_for(dose)
    if kind == "squats_lunges":
        return Session(kind=kind, minutes=minutes, sets=dose, load=squat_load_for(profile))
    if kind == "long_run":
        return Session(kind=kind, minutes=minutes)
    return Session(kind=kind, minutes=minutes, reps=dose)


def hand_made_week(profile: Profile) -> list[DayPlan]:
    """A plausible week: a long run on the longest (or preferred) day, up to three hard sessions
    at their smallest dose on days that fit, never on consecutive days."""
    minutes = profile.minutes
    allowed = allowed_kinds(profile)
    sessions: dict[str, list[Session]] = {d: [] for d in DAYS}
    long_day = profile.long_run_day or max(DAYS, key=lambda d: minutes[d])
    if "long_run" in allowed and minutes[long_day] >= CATALOGUE["long_run"].dose_min:
        sessions[long_day].append(session_at_min_dose(profile, "long_run"))
    hard_kinds = [k for k in HARD_ORDER if k in allowed]
    previous_hard = -2
    for index, day in enumerate(DAYS):
        wraps_onto_monday = day == "sun" and any(CATALOGUE[s.kind].hard for s in sessions["mon"])
        if not hard_kinds or sessions[day] or index - previous_hard < 2 or wraps_onto_monday:
            continue
        kind = hard_kinds[0]
        session = session_at_min_dose(profile, kind)
        if session.minutes <= minutes[day]:
            sessions[day].append(session)
            previous_hard = index
            hard_kinds = hard_kinds[1:] + hard_kinds[:1]
    return [DayPlan(day=d, sessions=sessions[d]) for d in DAYS]  # type: ignore[arg-type]


def scored_plan(profile: Profile) -> Plan:
    """A hand-made week with calories set from the goal and the model's expenditure estimate."""
    days = hand_made_week(profile)
    first = score(profile, PlanInput(calories_per_day=2000, days=days))
    kcal = first.projection.maintenance_kcal_per_day * CALORIE_FACTOR[profile.goal]
    kcal = max(kcal, profile.sex_min_intake)
    return score(profile, PlanInput(calories_per_day=int(round(kcal / 10) * 10), days=days))


def best_plan(profile: Profile) -> Plan:
    """The solver's plan when ``planner.jobs.planning.solve`` exists and returns one, else ``scored_plan``."""
    try:
        from planner.jobs.planning import solve
    except ImportError:
        return scored_plan(profile)
    try:
        return solve(profile)
    except (NoSafePlanError, NotImplementedError):
        return scored_plan(profile)


def profiles_for_print() -> list[Profile]:
    paths = sample_profile_paths()
    return [load_profile(p) for p in paths] if paths else built_in_profiles()
