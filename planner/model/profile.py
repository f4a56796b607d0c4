"""The athlete profile: who they are, what their week allows, what they want their legs to do.

Loaded from YAML or JSON (docs/design.md "Profile file") by the one safe reader
(``planner.model.documents``: size cap, no repeated keys, numbers that are numbers), validated with
pydantic v2 in strict mode (a number must be written as a number: ``"60"`` or ``true`` is not one;
an int is fine where a float is expected, and NaN/infinity never are), converted to metric.
Unknown fields are an error: a typo must never silently change a plan.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from planner.model.documents import IsoDate, read_document, validation_problems
from planner.model.errors import InputError
from planner.model.text import FreeText

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS_PER_WEEK = len(DAYS)  # the week every plan repeats (and that wraps Sunday to Monday)
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Kind = Literal["long_run", "sprints", "hill_repeats", "squats_lunges"]
KINDS: tuple[str, ...] = ("long_run", "sprints", "hill_repeats", "squats_lunges")
Facility = Literal["hills", "track", "barbell", "dumbbells"]
Goal = Literal["leaner", "bulkier", "maintain"]
Sex = Literal["female", "male"]
Experience = Literal["novice", "intermediate", "advanced"]

# [min] the shortest session the catalogue holds (a beginner's 20-minute run/walk, NHS Couch to 5K):
# a day with less time cannot be a training day
SHORTEST_SESSION_MINUTES = 20
# training days a week when the profile does not say: novice 3, intermediate 4, advanced 5
# (Runna, Garmin Coach and Fitbod ask it; pheidi: beginners 3-4 runs; docs/science.md §6)
DEFAULT_TRAINING_DAYS = {"novice": 3, "intermediate": 4, "advanced": 5}
MAX_TRAINING_DAYS = 6

CM_PER_IN = 2.54
KG_PER_LB = 0.45359237
WEIGHT_KG_RANGE = (35, 250)  # [kg] a profile's body weight, and a logged weigh-in
# [kcal/d] the largest maintenance offset a calibration may hold: beyond ±1,000 kcal/d the
# equations are not "off", the profile (weight, PAL) is wrong
MAX_OFFSET_KCAL = 1000.0
RESPONSE_RANGE = (0.1, 5.0)  # [× the model's training gain] the responder studies' whole range


class Limits(BaseModel):
    """Safety limits (docs/science.md section 5). A profile may only tighten them, never loosen them.

    Every default is the published guardrail; the ``le``/``ge`` bounds below are what stops a
    profile from loosening it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    min_intake_kcal: float | None = Field(
        None, ge=1200, le=5000,
        description="[kcal/d] floor on intake; never below 1,200 (women) / 1,500 (men) or resting energy",
    )
    max_loss_pct_per_week: float = Field(
        1.0, gt=0, le=1.0, description="[% body weight / week] fastest loss allowed (Helms 2014)"
    )
    max_deficit_pct: float = Field(
        25.0, ge=0, le=25.0, description="[% of expenditure] deepest deficit (Garthe 2011)"
    )
    max_surplus_pct: float = Field(
        20.0, ge=0, le=20.0, description="[% of expenditure] largest surplus (Helms 2023, Garthe 2013)"
    )
    min_rest_days: int = Field(1, ge=1, le=6, description="[days/week] full rest days (ACSM 2009)")
    max_run_increase_pct: float = Field(
        10.0, ge=0, le=10.0,
        description="[%] running minutes above recent weekly volume (Gabbett 2016; 10 % rule)",
    )
    protein_min_g_per_kg: float = Field(
        1.6, ge=1.6, le=2.2, description="[g/kg/d] protein floor (Morton 2018)"
    )
    protein_max_g_per_kg: float = Field(
        2.2, ge=1.6, le=2.2, description="[g/kg/d] protein ceiling (Morton 2018)"
    )

    @model_validator(mode="after")
    def _protein_band(self) -> "Limits":
        if self.protein_min_g_per_kg > self.protein_max_g_per_kg:
            raise ValueError("protein_min_g_per_kg must not exceed protein_max_g_per_kg")
        return self


Minutes = Annotated[int, Field(ge=0, le=600)]
Interval = Annotated[list[float], Field(min_length=2, max_length=2)]


class Calibration(BaseModel):
    """What ``legplan calibrate`` learned from an athlete's log (docs/design.md "Calibration",
    contract): ``effect.baseline`` applies it, so every command uses it.

    ``maintenance_offset_kcal`` [kcal/d] is added to the equations' maintenance: **negative when
    the athlete burns less than the equations say**. ``response`` [×] multiplies the model's
    training gain (1 = average). Each has its 80 % interval; ``fitted_until`` is the last log
    date used and ``points`` the number of log rows used.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    maintenance_offset_kcal: float = Field(
        ge=-MAX_OFFSET_KCAL, le=MAX_OFFSET_KCAL,
        description="[kcal/d] negative: the athlete burns less than the equations say")
    response: float = Field(ge=RESPONSE_RANGE[0], le=RESPONSE_RANGE[1],
                            description="[×] the model's training gain; 1 = average")
    maintenance_offset_kcal_interval: Interval = Field(description="[kcal/d] 80 % interval")
    response_interval: Interval = Field(description="[×] 80 % interval")
    fitted_until: IsoDate = Field(description="last log date used (YYYY-MM-DD)")
    points: int = Field(ge=0, description="log rows used")

    @model_validator(mode="after")
    def _inside_intervals(self) -> "Calibration":
        for name in ("maintenance_offset_kcal", "response"):
            low, high = getattr(self, f"{name}_interval")
            value = getattr(self, name)
            if not low < high:  # a fit from a log is never certain: a zero width is hand-made
                raise ValueError(f"{name}_interval [{low:g}, {high:g}] must run from a lower to "
                                 "a higher value")
            if not low <= value <= high:
                raise ValueError(f"{name} {value:g} must lie inside {name}_interval "
                                 f"[{low:g}, {high:g}]")
        if self.response_interval[0] <= 0:
            raise ValueError("response_interval must be positive")
        return self


def check_time_zone(name: str) -> str:
    """An IANA time zone name (e.g. ``Europe/Oslo``), checked against the tz database."""
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # unknown, malformed, or a folder of the database
        raise ValueError(f"unknown time zone {name!r}: use an IANA name such as Europe/Oslo or "
                         "America/New_York") from None
    return name


TimeZone = Annotated[str, Field(max_length=64), AfterValidator(check_time_zone)]


class Profile(BaseModel):
    """A validated athlete, in metric units (imperial inputs are converted on load)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    name: FreeText = Field(min_length=1, max_length=120,
                           description="athlete's name, shown on the plan (printable, not blank)")
    sex: Sex
    age: int = Field(ge=18, le=90, description="[years] adults only: the equations are adult ones")
    height_cm: float = Field(ge=120, le=230, description="[cm]")
    weight_kg: float = Field(ge=WEIGHT_KG_RANGE[0], le=WEIGHT_KG_RANGE[1], description="[kg]")
    body_fat_pct: float | None = Field(
        None, ge=3, le=60, description="[%] estimated with Jackson et al. 2002 (BMI) when absent"
    )
    fast_twitch_pct: float = Field(
        50, ge=15, le=85,
        description="[%] Type II share of thigh muscle; 15-85 % across people (Simoneau 1989)",
    )
    strength_experience: Experience = "novice"
    pal: float = Field(
        1.5, ge=1.2, le=2.2, description="physical activity level outside planned sessions (Hall 2011)"
    )
    recent_weekly_run_minutes: float = Field(
        0, ge=0, le=1200, description="[min/week] running in the last 4 weeks, for load progression"
    )
    goal: Goal
    horizon_weeks: int = Field(12, ge=1, le=52, description="[weeks]")
    target_thigh_change_cm: float | None = Field(
        None, ge=-10, le=10,
        description="[cm] replaces the goal's default thigh threshold (negative for leaner)",
    )
    availability: dict[Day, Minutes] = Field(
        default_factory=dict, description="[min] time available per day; absent days are 0"
    )
    training_days: int | None = Field(
        None, ge=1, le=MAX_TRAINING_DAYS,
        description="days a week with a session; default: 3/4/5 by level, at most the days with "
                    f"{SHORTEST_SESSION_MINUTES}+ min available and 7 minus the rest days",
    )
    keep_running: bool = Field(
        True, description="a runner's week keeps at least 80 % of recent running")
    long_run_day: Day | None = None
    facilities: list[Facility] = Field(default_factory=list)
    exclude: list[Kind] = Field(default_factory=list, description="session kinds to avoid")
    limits: Limits = Field(default_factory=Limits, description="coach's tighter safety limits")
    units: Literal["metric", "imperial"] = Field(
        "metric", description="how the plan shows numbers; set by the units the profile used"
    )
    time_zone: TimeZone | None = Field(
        None, description="IANA time zone of the calendar file's sessions (e.g. Europe/Oslo); "
                          "absent: floating local times")
    calibration: Calibration | None = Field(
        None, description="what `legplan calibrate` learned from the athlete's log")

    @model_validator(mode="before")
    @classmethod
    def _imperial_to_metric(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        imperial = False
        for metric, imperial_key, factor in (
            ("height_cm", "height_in", CM_PER_IN),
            ("weight_kg", "weight_lb", KG_PER_LB),
        ):
            if imperial_key in data:
                if metric in data:
                    raise ValueError(f"give {metric} or {imperial_key}, not both")
                value = data.pop(imperial_key)
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError(f"{imperial_key} must be a number")
                if not math.isfinite(float(value) * factor):
                    raise ValueError(f"{imperial_key} must be a finite number")
                data[metric] = round(float(value) * factor, 2)
                imperial = True
        if imperial and "units" not in data:
            data["units"] = "imperial"
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "Profile":
        for field in ("facilities", "exclude"):
            values = getattr(self, field)
            if len(set(values)) != len(values):
                raise ValueError(f"{field} lists an entry twice: {values}")
        if self.target_thigh_change_cm is not None:
            t = self.target_thigh_change_cm
            if self.goal == "leaner" and t >= 0:
                raise ValueError(
                    "target_thigh_change_cm must be negative for goal leaner (a loss, e.g. -1.5)"
                )
            if self.goal == "bulkier" and t <= 0:
                raise ValueError(
                    "target_thigh_change_cm must be positive for goal bulkier (a gain, e.g. 1.5)"
                )
            if self.goal == "maintain" and t <= 0:
                raise ValueError(
                    "target_thigh_change_cm is the allowed drift (positive) for goal maintain"
                )
        if self.limits.min_intake_kcal is not None and self.limits.min_intake_kcal < self.sex_min_intake:
            raise ValueError(
                f"limits.min_intake_kcal may only tighten the floor of {self.sex_min_intake:.0f} kcal/d"
            )
        if self.training_days is not None:
            usable = len(self.training_day_options)
            if self.training_days > usable:
                raise ValueError(
                    f"training_days {self.training_days} is more than the {usable} day(s) with at "
                    f"least {SHORTEST_SESSION_MINUTES} minutes in availability")
            if self.training_days > DAYS_PER_WEEK - self.limits.min_rest_days:
                raise ValueError(
                    f"training_days {self.training_days} leaves fewer than limits.min_rest_days "
                    f"({self.limits.min_rest_days}) rest days")
        if not math.isfinite(self.height_cm) or not math.isfinite(self.weight_kg):
            raise ValueError("height and weight must be finite numbers")
        return self

    def without_calibration(self) -> "Profile":
        """This athlete as the equations alone see them (what a calibration is fitted against)."""
        return self.model_copy(update={"calibration": None})

    @property
    def fast_twitch_given(self) -> bool:
        """Whether the profile states the fibre type (else the default is a guess, SCIENCE §3)."""
        return "fast_twitch_pct" in self.model_fields_set

    @property
    def sex_min_intake(self) -> float:
        """[kcal/d] the clinical floor: 1,200 women, 1,500 men (NHLBI)."""
        return 1200.0 if self.sex == "female" else 1500.0

    @property
    def minutes(self) -> dict[str, int]:
        """Availability for all seven days, in DAYS order, absent days as 0."""
        return {d: int(self.availability.get(d, 0)) for d in DAYS}

    @property
    def training_day_options(self) -> list[str]:
        """Days with time for at least the shortest session."""
        return [d for d, m in self.minutes.items() if m >= SHORTEST_SESSION_MINUTES]

    @property
    def planned_training_days(self) -> int:
        """Days a week the plan trains: ``training_days``, or the smallest of the level's default,
        the days with time, and 7 minus the rest days (docs/design.md, "Profile file")."""
        if self.training_days is not None:
            return self.training_days
        return min(DEFAULT_TRAINING_DAYS[self.strength_experience],
                   len(self.training_day_options), DAYS_PER_WEEK - self.limits.min_rest_days)

    @property
    def bmi(self) -> float:
        """[kg/m^2] body-mass index."""
        return self.weight_kg / (self.height_cm / 100) ** 2

    @property
    def body_fat_fraction(self) -> float:
        """[0-1] given body fat, or Jackson et al. 2002 from BMI, age and sex (docs/science.md §2).

        Jackson AS et al. (2002) Int J Obes 26:789. Men: 0.14·A + 37.31·ln(BMI) − 103.94 %;
        women: 0.14·A + 39.96·ln(BMI) − 102.01 %. Clamped to 5–55 %.
        """
        if self.body_fat_pct is not None:
            return self.body_fat_pct / 100
        return estimate_body_fat_pct(self.sex, self.age, self.bmi) / 100


def estimate_body_fat_pct(sex: str, age: float, bmi: float) -> float:
    """[%] body fat from BMI [kg/m^2] and age [years] (Jackson et al. 2002, Int J Obes 26:789).

    The equation of docs/science.md §2 (the one Hall-model implementations use), clamped to 5–55 %.

    Example: a 40-year-old man of BMI 27.78 → 25.69 %.
    """
    if sex == "male":
        pct = 0.14 * age + 37.31 * math.log(bmi) - 103.94
    else:
        pct = 0.14 * age + 39.96 * math.log(bmi) - 102.01
    return min(55.0, max(5.0, pct))


def parse_profile(data: Any, source: str = "<profile>") -> Profile:
    """Validate a profile mapping; raise InputError with every bad field named."""
    if not isinstance(data, dict):
        raise InputError(source, [("", "a profile must be a mapping of fields (YAML or JSON object)")])
    try:
        return Profile.model_validate(data)
    except ValidationError as e:
        raise InputError(source, validation_problems(e, Profile, "profile")) from None


def load_profile(path: str | Path) -> Profile:
    """Load and validate a profile file (YAML or JSON)."""
    path = Path(path)
    return parse_profile(read_document(path), str(path))
