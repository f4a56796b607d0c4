"""Properties of the effect model that must hold for every valid athlete and week (hypothesis).

Examples are few (the machine is small) and without deadline: each one runs a full projection.
They are derandomized (a fixed seed): the suite gives the same verdict on every run and machine.
"""

from __future__ import annotations

import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.model.profile import Profile
from planner.model.sessions import CATALOGUE
from planner.science import effect

FEW = settings(max_examples=30, deadline=None, derandomize=True, database=None)

profiles = st.builds(
    Profile,
    name=st.just("athlete"),
    sex=st.sampled_from(["female", "male"]),
    age=st.integers(18, 90),
    height_cm=st.floats(120, 230),
    weight_kg=st.floats(35, 250),
    body_fat_pct=st.none() | st.floats(3, 60),
    fast_twitch_pct=st.floats(15, 85),
    strength_experience=st.sampled_from(["novice", "intermediate", "advanced"]),
    pal=st.floats(1.2, 2.2),
    goal=st.sampled_from(["leaner", "bulkier", "maintain"]),
)


def doses(kind: str):
    """Every integer dose in the catalogue's range for ``kind`` (sessions.py)."""
    return st.integers(CATALOGUE[kind].dose_min, CATALOGUE[kind].dose_max)


sessions = st.one_of(
    doses("long_run").map(lambda m: ("long_run", m, m, None)),
    st.tuples(st.sampled_from(["sprints", "hill_repeats"]), doses("sprints")).map(
        lambda t: (t[0], 45, t[1], None)),
    st.tuples(doses("squats_lunges"), st.sampled_from(["barbell", "goblet", "bodyweight"])).map(
        lambda t: ("squats_lunges", 50, t[0], t[1])),
)
weeks_of_sessions = st.lists(sessions, max_size=7)
offsets = st.floats(-0.25, 0.20)  # [share of maintenance] the guardrails' deficit/surplus range
not_surplus = st.floats(-0.25, 0.0)  # deficit up to maintenance


def intake(profile: Profile, week, offset: float) -> float:
    """[kcal/d] maintenance of ``week`` (sessions included) × (1 + ``offset``)."""
    return effect.maintenance_kcal(profile, effect.week_load(week, profile.fast_twitch_pct)) * (
        1 + offset)


def project(profile: Profile, week, calories: float, weeks: int = 12):
    return effect.project(profile, calories, effect.week_load(week, profile.fast_twitch_pct), weeks)


@FEW
@given(profiles, weeks_of_sessions, offsets, st.floats(1, 500))
def test_more_calories_never_lower_end_weight(profile, week, offset, extra):
    calories = intake(profile, week, offset)
    low = project(profile, week, calories)
    high = project(profile, week, calories + extra)
    assert high.body_weight_kg_change >= low.body_weight_kg_change


def dose_more(kind: str, load: str | None):
    """Property: at the same energy balance (the extra dose's energy eaten back), one more unit
    of ``kind``'s dose in each of 1-3 sessions (within the catalogue's range) never lowers leg
    muscle (1 g rounding) while the week stays within the stimulus ceiling (``SETS_FULL``
    weekly set-equivalents; beyond it extra volume only costs energy). At the same intake it
    can: in a deficit deep enough that training builds nothing (Murphy & Koehler, ≈ −500
    kcal/d) the extra energy spent only deepens the deficit. Returned as a test function."""

    @FEW
    @given(profiles, st.lists(sessions, max_size=3), not_surplus, st.integers(1, 3),
           st.integers(CATALOGUE[kind].dose_min, CATALOGUE[kind].dose_max - 1))
    def check(profile, week, offset, count, dose):
        more_week = week + [(kind, 45, dose + 1, load)] * count
        assume(effect.week_load(more_week, profile.fast_twitch_pct).set_equivalents
               <= effect.SETS_FULL)
        few_week = week + [(kind, 45, dose, load)] * count
        calories = intake(profile, few_week, offset)
        extra = intake(profile, more_week, 0.0) - intake(profile, few_week, 0.0)
        few = project(profile, few_week, calories)
        more = project(profile, more_week, calories + extra)
        assert more.leg_muscle_kg_change >= few.leg_muscle_kg_change - 0.001

    return check


test_more_sprint_reps_never_lower_leg_muscle = dose_more("sprints", None)
test_more_squat_sets_never_lower_leg_muscle = dose_more("squats_lunges", "barbell")


def test_squats_in_a_surplus_never_lower_leg_muscle():
    """An advanced woman (60 kg, 25 % fat) at +10 % intake for 12 weeks: 30 weekly squat sets
    must not give less leg muscle than no squats: overfeeding lean is not counted as muscle."""
    profile = Profile(name="advanced", sex="female", age=30, height_cm=165, weight_kg=60,
                      body_fat_pct=25, strength_experience="advanced", goal="bulkier")
    calories = intake(profile, [], 0.10)
    none = project(profile, [], calories).leg_muscle_kg_change
    squats = project(profile, [("squats_lunges", 50, 10, "barbell")] * 3, calories)
    assert squats.leg_muscle_kg_change >= none - 0.001


@FEW
@given(profiles, weeks_of_sessions, offsets, st.integers(1, 52))
def test_projection_is_finite(profile, week, offset, weeks):
    result = project(profile, week, intake(profile, week, offset), weeks)
    numbers = [v for point in result.weekly for v in point.model_dump().values() if v is not None]
    numbers += [result.body_weight_kg_change, result.thigh_circumference_cm_change,
                result.leg_muscle_kg_change, result.leg_fat_kg_change]
    assert all(math.isfinite(v) for v in numbers)


@settings(FEW, max_examples=25)
@given(profiles, weeks_of_sessions, offsets)
def test_projection_is_deterministic(profile, week, offset):
    calories = intake(profile, week, offset)
    assert project(profile, week, calories) == project(profile, week, calories)


@FEW
@given(profiles, weeks_of_sessions, offsets, st.integers(1, 52))
def test_weekly_trajectory_has_weeks_plus_one_points(profile, week, offset, weeks):
    result = project(profile, week, intake(profile, week, offset), weeks)
    assert [p.week for p in result.weekly] == list(range(weeks + 1))


@FEW
@given(profiles, weeks_of_sessions, offsets)
def test_week_zero_is_the_start(profile, week, offset):
    """Week 0 is the athlete as they are: their weight, their (given or Jackson) fat mass, and
    the thigh the projection reports as its start (1 g / 0.001 cm rounding)."""
    start = project(profile, week, intake(profile, week, offset)).weekly[0]
    base = effect.baseline(profile)
    assert abs(start.body_weight_kg - profile.weight_kg) <= 0.001
    assert abs(start.fat_mass_kg - base.fat0) <= 0.001
    assert abs(start.leg_muscle_kg - base.leg_muscle0) <= 0.001
    assert abs(start.leg_fat_kg - base.leg_fat0) <= 0.001


@FEW
@given(profiles, weeks_of_sessions, offsets)
def test_no_spot_reduction_leg_fat_follows_body_fat(profile, week, offset):
    """No spot reduction (Walts 2008; docs/science.md §3): whatever the week and intake, the leg fat
    change is the legs' share (Kelly 2009) of the whole-body fat change (1.5 g: both changes are
    rounded to the gram)."""
    result = project(profile, week, intake(profile, week, offset))
    share = effect.LEG_FAT_SHARE[profile.sex]
    assert abs(result.leg_fat_kg_change - share * result.fat_mass_kg_change) <= 0.0015


@FEW
@given(st.floats(-3000, 3000), st.floats(0, 400))
def test_growth_factor_is_a_share_that_rises_with_energy(energy, more):
    """``growth_factor`` (Murphy & Koehler 2022): in [0, 1], never lower for more energy."""
    low, high = effect.growth_factor(energy), effect.growth_factor(energy + more)
    assert 0.0 <= low <= high <= 1.0


@FEW
@given(st.floats(0, 1), st.floats(0, 3), st.floats(0, 1), st.floats(0, 3))
def test_lean_sparing_is_a_share_that_rises_with_either_route(stimulus, share, more_s, more_e):
    """``lean_sparing``: in [0, 1], at least what either route alone keeps, and never lower for
    more stimulus or a larger exercise-made share of the deficit."""
    p = effect.lean_sparing(stimulus, share)
    assert 0.0 <= p <= 1.0
    assert p >= max(effect.lean_sparing(stimulus, 0.0), effect.lean_sparing(0.0, share)) - 1e-12
    assert effect.lean_sparing(min(stimulus + more_s, 1.0), share + more_e) >= p - 1e-12
