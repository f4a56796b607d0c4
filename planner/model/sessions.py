"""The session catalogue: kinds, dose ranges, how a session is built, energy cost, fibre recruitment.

Each kind (docs/design.md "Session kinds") is one entry of ``CATALOGUE``. A session's dose is one integer
(minutes for a long run, reps for sprints and hill repeats, hard sets for squats/lunges); its
minutes follow from the dose and the fixed structure (warm-up, work, recovery).

METs are from the 2024 Adult Compendium of Physical Activities (Herrmann SD et al., J Sport Health
Sci 2024;13:6-12, doi:10.1016/j.jshs.2023.10.010); the net cost of a segment is
(MET − 1) × body mass [kg] × hours (docs/science.md §1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.model.profile import KINDS, SHORTEST_SESSION_MINUTES, Profile


@dataclass(frozen=True)
class Segment:
    """One part of a session: ``minutes`` at ``met`` (Compendium 2024)."""

    label: str
    minutes: float
    met: float


@dataclass(frozen=True)
class KindSpec:
    """What one session kind is, how it is dosed and what it recruits.

    type2_share: fraction of the session's hypertrophy stimulus that lands on Type II fibres
        (short maximal efforts recruit Type II; long steady running is mostly Type I — Henneman's
        size principle; see docs/science.md §3).
    set_equivalents_per_dose: hard-set equivalents per unit of dose [sets/unit] — the stimulus
        measure of Schoenfeld 2017 (weekly hard sets), so different kinds add up.
    """

    kind: str
    label: str
    hard: bool
    running: bool
    dose_field: str  # "minutes", "reps" or "sets"
    dose_min: int
    dose_max: int
    dose_step: int
    warmup: Segment | None
    work_seconds: float  # per rep/set (0 for continuous)
    work_met: float
    recovery_seconds: float  # per rep/set
    recovery_met: float
    type2_share: float
    set_equivalents_per_dose: float
    needs: str | None = None  # facility the kind cannot do without

    def doses(self) -> list[int]:
        """All catalogue doses, smallest first."""
        return list(range(self.dose_min, self.dose_max + 1, self.dose_step))

    def minutes_for(self, dose: int) -> int:
        """[min] session length for a dose: warm-up plus reps × (work + recovery), rounded up."""
        if self.dose_field == "minutes":
            return int(dose)
        warm = self.warmup.minutes if self.warmup else 0.0
        return int(math.ceil(warm + dose * (self.work_seconds + self.recovery_seconds) / 60 - 1e-9))

    def dose_for_minutes(self, minutes: int) -> int:
        """The inverse of ``minutes_for``: the largest catalogue dose whose session fits in
        ``minutes``, clamped to the catalogue's range (its smallest dose when none fits)."""
        if self.dose_field == "minutes":
            return int(minutes)
        fitting = [d for d in self.doses() if self.minutes_for(d) <= minutes]
        return fitting[-1] if fitting else self.dose_min


# Compendium 2024 codes used (MET): running 5 mph 8.5 (12020), 6 mph 9.3 (12030), 12 mph 18.5
# (12110), 5-5.9 mph at 15 % grade 17.5; walking 3 mph 3.5 (17200); squats/deadlift 5.0,
# bodyweight squats/lunges 3.0-6.5 (midpoint 4.75 used without a barbell).
WARMUP_JOG = Segment("easy jog warm-up and walk cool-down", 15.0, 6.0)
WARMUP_LIFT = Segment("warm-up sets", 10.0, 3.5)

# [min] a continuous run this long or longer is a long run (pheidi: easy runs of 20-60 min); the
# week's longest such run is its long run, every other run an easy run
LONG_RUN_MIN = 60


def run_label(minutes: int, week_longest: int) -> str:
    """What a ``long_run`` session is called on the sheet and in the calendar: "long run" for the
    week's longest run (``week_longest`` minutes) when it is ``LONG_RUN_MIN`` or more, else
    "easy run"."""
    return "long run" if minutes == week_longest and minutes >= LONG_RUN_MIN else "easy run"


def longest_run(sessions) -> int:
    """[min] the longest ``long_run`` session of a week's ``sessions`` (0 without one)."""
    return max((s.minutes for s in sessions if s.kind == "long_run"), default=0)


LONG_RUN = KindSpec(
    kind="long_run", label="long run", hard=False, running=True,
    # from a beginner's 20-minute run/walk (NHS Couch to 5K; pheidi: easy runs 20-60 min)
    dose_field="minutes", dose_min=SHORTEST_SESSION_MINUTES, dose_max=150, dose_step=10,
    warmup=None, work_seconds=0, work_met=9.3, recovery_seconds=0, recovery_met=0,
    # Endurance-only training: hypertrophy effect size 0.27 vs 1.23 for strength (Wilson 2012),
    # i.e. an hour of easy running ≈ a small fraction of a hard set on the Type II-dominated scale.
    type2_share=0.1, set_equivalents_per_dose=1.0 / 60.0,
)
SPRINTS = KindSpec(
    kind="sprints", label="sprints", hard=True, running=True,
    dose_field="reps", dose_min=6, dose_max=12, dose_step=1,
    warmup=WARMUP_JOG, work_seconds=20, work_met=18.5, recovery_seconds=120, recovery_met=3.5,
    # Running HIIT grew vastus lateralis CSA +10.6 % in 10 wk (Estes 2017), comparable to a
    # moderate lifting programme: one all-out rep counted as 0.6 of a hard set.
    type2_share=0.9, set_equivalents_per_dose=0.6,
)
HILL_REPEATS = KindSpec(
    kind="hill_repeats", label="hill repeats", hard=True, running=True,
    dose_field="reps", dose_min=6, dose_max=12, dose_step=1,
    warmup=WARMUP_JOG, work_seconds=60, work_met=17.5, recovery_seconds=90, recovery_met=3.5,
    type2_share=0.8, set_equivalents_per_dose=0.6, needs="hills",
)
SQUATS_LUNGES = KindSpec(
    kind="squats_lunges", label="squats and lunges", hard=True, running=False,
    # 4-10 hard sets a session: productive sets per muscle per session level off around 6-11
    # (Remmert 2025, preprint; liftosaur 6-8); a novice at most 8 (SESSION_SETS_MAX)
    dose_field="sets", dose_min=4, dose_max=10, dose_step=2,
    warmup=WARMUP_LIFT, work_seconds=45, work_met=5.0, recovery_seconds=105, recovery_met=1.5,
    type2_share=0.75, set_equivalents_per_dose=1.0,
)

# [hard sets] most squat/lunge sets in one session, by level (docs/science.md §6)
SESSION_SETS_MAX = {"novice": 8, "intermediate": 10, "advanced": 10}
# [hard sets] most squat/lunge sets in one week: the top of the usual 12-20 a week per muscle
# (Baz-Valle 2022), a coach's weekly volume. (The model's stimulus ceiling, ``effect.SETS_FULL``,
# is set at the same 20, but in set-equivalents: a goblet or bodyweight set counts less than a
# barbell set, so without a barbell 20 sets stay under the ceiling.)
WEEK_SETS_MAX = 20
# sprint and hill sessions a week, by level: novice 1, intermediate 2, advanced 3 (pheidi;
# about 20 % hard time is enough for recreational runners, Muñoz 2014)
HARD_RUNS_MAX = {"novice": 1, "intermediate": 2, "advanced": 3}

CATALOGUE: dict[str, KindSpec] = {
    spec.kind: spec for spec in (LONG_RUN, SPRINTS, HILL_REPEATS, SQUATS_LUNGES)
}
assert tuple(CATALOGUE) == KINDS

# Squats/lunges adapt to the equipment (docs/design.md "Session kinds"): load factor on the stimulus and MET of the
# working sets. Low-load sets taken close to failure still grow muscle (Schoenfeld 2017 load
# meta-analysis), but less tension per set: conservative factors below 1.
SQUAT_LOADS: dict[str, tuple[float, float]] = {
    # load: (stimulus factor, working-set MET)
    "barbell": (1.0, 5.0),
    "goblet": (0.85, 4.75),
    "bodyweight": (0.7, 4.75),
}


def squat_load_for(profile: Profile) -> str:
    """Heaviest squat/lunge variant the athlete's facilities allow."""
    if "barbell" in profile.facilities:
        return "barbell"
    if "dumbbells" in profile.facilities:
        return "goblet"
    return "bodyweight"


def allowed_kinds(profile: Profile) -> list[str]:
    """Kinds this athlete may do: not excluded, and with the facility the kind needs."""
    return [
        k for k, spec in CATALOGUE.items()
        if k not in profile.exclude and (spec.needs is None or spec.needs in profile.facilities)
    ]


def describe_dose(kind: str, minutes: int, dose: int | None, load: str | None = None) -> str:
    """A session's dose in plain words, e.g. "8 × 20 s all-out sprints, walk back 2 min".

    The session's length is its own field (``minutes``), so it is not repeated here.
    """
    spec = CATALOGUE[kind]
    warm = f"after a {spec.warmup.minutes:.0f}-min easy warm-up" if spec.warmup else ""
    if kind == "long_run":
        return "easy continuous run at a conversational pace"
    if kind == "sprints":
        return (f"{dose} × {spec.work_seconds:.0f} s all-out sprints, walk back "
                f"{spec.recovery_seconds / 60:.0f} min between, {warm}")
    if kind == "hill_repeats":
        return (f"{dose} × {spec.work_seconds:.0f} s hard uphill, jog or walk down "
                f"{spec.recovery_seconds / 60:.1f} min between, {warm}")
    variant = {"barbell": "barbell back squats and lunges", "goblet": "goblet squats and lunges",
               "bodyweight": "bodyweight squats and split-squat lunges"}[load or "barbell"]
    return f"{dose} hard sets of {variant}, 1-3 reps in reserve, {warm}"
