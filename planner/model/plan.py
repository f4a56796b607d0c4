"""Plan, DayPlan, Session and Projection: the plan JSON contract (docs/design.md "Plan JSON", ``schema_version: 1``).

``PlanInput`` is what ``legplan score`` accepts: the contract document with only
``calories_per_day`` and ``days`` required; everything else is recomputed. The other fields of the
Plan document (``athlete``, ``projection``, …: what ``plan --format json`` writes) are accepted and
ignored; any other field is an error. A session's dose left out (``{"kind": "squats_lunges",
"minutes": 45}``) is derived from its minutes by the catalogue's session structure
(``KindSpec.dose_for_minutes``), and the scored plan says so. Input models are strict: numbers
must be written as numbers.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from planner.model.documents import IsoDate, read_document, validation_problems
from planner.model.errors import InputError
from planner.model.profile import DAYS, KINDS, Day, Kind
from planner.model.sessions import CATALOGUE

SCHEMA_VERSION = 1
FORMATS: tuple[str, ...] = ("json", "md", "html")  # what a plan renders to (cli, render, batch)



CALORIE_STEP = 25  # [kcal/d] calorie targets are whole steps of this
MAX_CALORIES = 10000  # [kcal/d] the largest intake a plan may hold (scored, pinned or swept)
MAX_WEEKS = 52  # [weeks] the longest horizon, and how far the earliest-week search looks

class Session(BaseModel):
    """One session. ``kind`` and ``minutes`` always; kind-specific dose fields are extra."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    kind: Kind
    minutes: int = Field(ge=1, le=600, description="[min] session length, warm-up included")
    reps: int | None = Field(None, ge=1, le=60, description="sprints / hill repeats: work reps")
    sets: int | None = Field(None, ge=1, le=60, description="squats_lunges: hard working sets")
    load: Literal["barbell", "goblet", "bodyweight"] | None = Field(
        None, description="squats_lunges: the variant the equipment allows"
    )
    description: str | None = Field(None, description="the dose in plain words (output only)")
    _dose_derived: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _derive_dose(cls, data: Any, handler: ModelWrapValidatorHandler["Session"]) -> "Session":
        """A sprints / hill repeats / squats_lunges session given without its dose gets the largest
        catalogue dose whose minutes fit (docs/design.md "Plan JSON": a session needs only kind
        and minutes)."""
        derived = False
        if isinstance(data, dict) and isinstance(data.get("kind"), str):
            spec = CATALOGUE.get(data["kind"])
            minutes = data.get("minutes")
            if (spec is not None and spec.dose_field != "minutes"
                    and data.get(spec.dose_field) is None
                    and type(minutes) is int and 1 <= minutes <= 600):
                data = {**data, spec.dose_field: spec.dose_for_minutes(minutes)}
                derived = True
        session = handler(data)
        if derived:
            session._dose_derived = True
        return session

    @property
    def dose_derived(self) -> bool:
        """Whether the dose was derived from the minutes (the input gave none)."""
        return self._dose_derived

    @model_validator(mode="after")
    def _dose_fields(self) -> "Session":
        if self.kind in ("sprints", "hill_repeats") and self.reps is None:
            raise ValueError(f"{self.kind} needs reps")
        if self.kind == "squats_lunges" and self.sets is None:
            raise ValueError("squats_lunges needs sets")
        if self.kind != "squats_lunges" and (self.sets is not None or self.load is not None):
            raise ValueError(f"{self.kind} takes no sets/load")
        if self.kind not in ("sprints", "hill_repeats") and self.reps is not None:
            raise ValueError(f"{self.kind} takes no reps")
        return self

    @model_serializer(mode="wrap")
    def _drop_unused_dose_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None}

    @property
    def dose(self) -> int:
        """The kind's dose unit: minutes, reps or sets."""
        if self.kind == "long_run":
            return self.minutes
        return int(self.reps if self.reps is not None else self.sets)  # type: ignore[arg-type]


class DayPlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    day: Day
    sessions: list[Session] = Field(default_factory=list, max_length=3)


class WeekPoint(BaseModel):
    """Body state at the end of a week (week 0 is the start), with the 80 % band of the thigh and
    the body weight (docs/design.md "The block, the calendar, calibration and bands")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    week: int
    body_weight_kg: float
    fat_mass_kg: float
    lean_mass_kg: float
    leg_muscle_kg: float
    leg_fat_kg: float
    thigh_circumference_cm: float
    thigh_circumference_cm_low: float | None = Field(None, description="[cm] 80 % band, lower edge")
    thigh_circumference_cm_high: float | None = Field(None, description="[cm] 80 % band, upper edge")
    body_weight_kg_low: float | None = Field(None, description="[kg] 80 % band, lower edge")
    body_weight_kg_high: float | None = Field(None, description="[kg] 80 % band, upper edge")


class Projection(BaseModel):
    """What the effect model predicts a plan does by the end of ``weeks`` (changes vs start)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weeks: int
    body_weight_kg_change: float
    fat_mass_kg_change: float
    lean_mass_kg_change: float
    leg_muscle_kg_change: float
    leg_fat_kg_change: float
    thigh_circumference_cm_change: float
    weekly: list[WeekPoint]
    start_thigh_circumference_cm: float
    maintenance_kcal_per_day: float = Field(description="[kcal/d] expenditure with the plan's sessions")
    session_kcal_per_day: float = Field(description="[kcal/d] the sessions' net cost, weekly average")
    max_weekly_loss_pct: float = Field(description="[% body weight] steepest week after week 1")


class GuardrailResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    ok: bool
    detail: str


class GoalStatus(BaseModel):
    """How the projection stands against the goal (beyond the contract's ``goal_reached``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_thigh_change_cm: float
    shortfall_cm: float = Field(description="[cm] how far the thigh is from the target; 0 if met")
    unmet: list[str] = Field(default_factory=list, description="conditions of the goal not met")
    earliest_week: int | None = Field(
        None, description="earliest week 1-52 a safe plan reaches the goal (None: none does)"
    )
    probability: float | None = Field(
        None, ge=0, le=1, description="share of the parameter draws whose projection reaches the goal"
    )

    def unmet_besides_thigh(self) -> list[str]:
        """``unmet`` less the thigh condition when there is a shortfall to state instead: the
        renderers and the explanation say the thigh in the plan's units, not these cm."""
        return [u for u in self.unmet if not (self.shortfall_cm > 0 and u.startswith("thigh"))]


FIRST_PLAN_DATE = date(2000, 1, 1)  # the earliest and latest days a block may be dated from
LAST_PLAN_DATE = date(2999, 12, 31)


def first_monday(day: date) -> date:
    """Week 1's Monday for a plan started on ``day``: the first Monday on or after it."""
    return day + timedelta(days=-day.weekday() % 7)


class PlanWeek(BaseModel):
    """One week of the block (docs/design.md "The block, the calendar, calibration and bands"): its days, targets and whether it is a
    lighter week. ``start_date`` is the week's Monday when the plan was given a start date."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    week: int = Field(ge=1, le=MAX_WEEKS)
    start_date: IsoDate | None = Field(None, description="the week's Monday (ISO date)")
    lighter: bool = False
    calories_per_day: int = Field(ge=0, le=MAX_CALORIES, description="[kcal/d]")
    protein_g_per_day: int | None = Field(None, ge=0, le=600, description="[g/d]")
    days: list[DayPlan] = Field(max_length=len(DAYS))

    @field_validator("days")
    @classmethod
    def _seven_days(cls, days: list[DayPlan]) -> list[DayPlan]:
        return seven_days(days)

    def sessions(self) -> list[tuple[str, Session]]:
        """(day, session) pairs in week order."""
        return [(d.day, s) for d in self.days for s in d.sessions]


def seven_days(days: list[DayPlan]) -> list[DayPlan]:
    """``days`` as the seven days mon…sun in order (a missing day is a rest day); a day listed
    twice is an error."""
    seen = [d.day for d in days]
    twice = [day for day in DAYS if seen.count(day) > 1]
    if twice:
        raise ValueError(f"{', '.join(twice)} listed more than once; each day may appear once")
    by_day = {d.day: d for d in days}
    return [by_day.get(day, DayPlan(day=day)) for day in DAYS]  # type: ignore[arg-type]


class SolverInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str
    wall_ms: float
    objective: dict[str, float] = Field(default_factory=dict)


class Plan(BaseModel):
    """A full plan document (contract)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = SCHEMA_VERSION
    athlete: str
    goal: str
    horizon_weeks: int
    units: Literal["metric", "imperial"] = "metric"
    calories_per_day: int
    protein_g_per_day: int
    days: list[DayPlan]
    weeks: list[PlanWeek] | None = Field(
        None, description="the block, week by week (None: ``days`` repeated every week)")
    projection: Projection
    goal_reached: bool
    goal_status: GoalStatus
    guardrails: list[GuardrailResult]
    explanation: list[str] = Field(default_factory=list)
    solver: SolverInfo | None = None

    def to_json(self) -> str:
        """Canonical JSON (stable key order, 2-space indent, trailing newline)."""
        return self.model_dump_json(indent=2, exclude_none=False) + "\n"

    def sessions_per_kind(self) -> dict[str, int]:
        """Sessions a week of each kind, every kind listed in ``KINDS`` order (0 when none)."""
        counts = dict.fromkeys(KINDS, 0)
        for day in self.days:
            for session in day.sessions:
                counts[session.kind] += 1
        return counts

    def week_on(self, day: date) -> int:
        """The block's week (1…) whose Monday-to-Sunday holds ``day``: week 1 before the block
        starts, the last week after it ends. Raises ValueError for a block without dates."""
        if not self.weeks or self.weeks[0].start_date is None:
            raise ValueError("the plan's weeks have no dates (plan it with a start date)")
        offset = (day - self.weeks[0].start_date).days // 7
        return min(max(offset + 1, 1), len(self.weeks))

    def without_timing(self) -> Plan:
        """This plan with ``solver.wall_ms`` set to 0, so reruns write the same bytes."""
        if self.solver is None:
            return self
        return self.model_copy(update={"solver": self.solver.model_copy(update={"wall_ms": 0.0})})


class PlanInput(BaseModel):
    """What ``score`` reads: a (possibly hand-edited) plan. Only calories and days are required;
    the Plan document's other fields are accepted and recomputed, any other field is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    schema_version: Literal[1] = SCHEMA_VERSION
    calories_per_day: int = Field(ge=0, le=MAX_CALORIES, description="[kcal/d]")
    protein_g_per_day: int | None = Field(None, ge=0, le=600, description="[g/d]")
    days: list[DayPlan] = Field(max_length=len(DAYS))
    weeks: list[PlanWeek] | None = Field(
        None, max_length=MAX_WEEKS,
        description="the block, week by week: scored as given (None: ``days`` repeated)")

    @model_validator(mode="before")
    @classmethod
    def _recomputed_fields(cls, data: Any) -> Any:
        """Drop what ``score`` recomputes: every other field of the Plan document."""
        if not isinstance(data, dict):
            return data
        recomputed = set(Plan.model_fields) - set(cls.model_fields)
        return {k: v for k, v in data.items() if k not in recomputed}

    @field_validator("days")
    @classmethod
    def _seven_days(cls, days: list[DayPlan]) -> list[DayPlan]:
        return seven_days(days)

    @field_validator("weeks")
    @classmethod
    def _numbered_weeks(cls, weeks: list[PlanWeek] | None) -> list[PlanWeek] | None:
        """Weeks 1, 2, … in order, at least one."""
        if weeks is None:
            return None
        if not weeks:
            raise ValueError("a block needs at least one week (or leave weeks out)")
        numbers = [w.week for w in weeks]
        if numbers != list(range(1, len(weeks) + 1)):
            raise ValueError(f"weeks must be numbered 1, 2, … in order, not {numbers}")
        return weeks

    def sessions(self) -> list[tuple[str, Session]]:
        """(day, session) pairs in week order."""
        return [(d.day, s) for d in self.days for s in d.sessions]


def parse_plan(data: Any, source: str = "<plan>") -> PlanInput:
    if not isinstance(data, dict):
        raise InputError(source, [("", "a plan must be a JSON/YAML object with calories_per_day and days")])
    try:
        return PlanInput.model_validate(data)
    except ValidationError as e:
        raise InputError(source, validation_problems(e, PlanInput, "plan")) from None


def load_plan(path: str | Path, athlete: str | None = None) -> PlanInput:
    """The plan file at ``path``; with ``athlete``, a plan document naming another athlete is
    bad input (``calibrate --plan``: the plan followed must be this athlete's)."""
    path = Path(path)
    data = read_document(path)
    named = data.get("athlete") if isinstance(data, dict) else None
    if athlete is not None and isinstance(named, str) and named != athlete:
        raise InputError(str(path), [("athlete", f"this plan is for {named}, the profile for "
                                                 f"{athlete}: give the plan this athlete "
                                                 "followed")])
    return parse_plan(data, str(path))
