"""The what-if and seek results: the documents ``legplan whatif`` and ``legplan seek`` print as
JSON and the renderers format (pydantic models, no behaviour beyond building from a plan)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from planner.model.plan import Plan


# What-if
class Outcome(BaseModel):
    """One plan in a few numbers: what the comparison table shows (changes by ``weeks``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weeks: int
    calories_per_day: int = Field(description="[kcal/d]")
    maintenance_kcal_per_day: float = Field(description="[kcal/d] expenditure with the sessions")
    sessions: dict[str, int] = Field(description="sessions a week per kind, every kind listed")
    training_minutes: int = Field(description="[min/week] all sessions")
    thigh_cm_change: float = Field(description="[cm]")
    leg_muscle_kg_change: float = Field(description="[kg]")
    leg_fat_kg_change: float = Field(description="[kg]")
    body_weight_kg_change: float = Field(description="[kg]")
    goal_reached: bool
    broken_guardrails: list[str] = Field(default_factory=list)
    thigh_cm: list[float] = Field(description="[cm] thigh circumference, weeks 0..weeks")

    @classmethod
    def of(cls, plan: Plan) -> "Outcome":
        p = plan.projection
        return cls(
            weeks=plan.horizon_weeks,
            calories_per_day=plan.calories_per_day,
            maintenance_kcal_per_day=round(p.maintenance_kcal_per_day, 1),
            sessions=plan.sessions_per_kind(),
            training_minutes=sum(s.minutes for d in plan.days for s in d.sessions),
            thigh_cm_change=p.thigh_circumference_cm_change,
            leg_muscle_kg_change=p.leg_muscle_kg_change,
            leg_fat_kg_change=p.leg_fat_kg_change,
            body_weight_kg_change=p.body_weight_kg_change,
            goal_reached=plan.goal_reached,
            broken_guardrails=[g.name for g in plan.guardrails if not g.ok],
            thigh_cm=[w.thigh_circumference_cm for w in p.weekly],
        )


class Problem(BaseModel):
    """A change that was not applied as asked, and what was done instead."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    change: str = Field(description="the change as given, e.g. calories=+2000")
    rules: list[str] = Field(description="the guardrails / rules it breaks")
    detail: str
    nearest_safe: str | None = Field(None, description="the nearest safe value, as a change")


class Scenario(BaseModel):
    """One column of the comparison."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    changes: list[str]
    status: Literal["baseline", "applied", "nearest safe value", "no safe plan"]
    problems: list[Problem] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    outcome: Outcome | None = None
    plan: Plan | None = Field(None, description="the plan shown (None: no safe plan)")


class WhatIf(BaseModel):
    """The baseline plan and every scenario (``scenarios[0]`` is the baseline)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    athlete: str
    goal: str
    units: Literal["metric", "imperial"]
    scenarios: list[Scenario]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


# Seek
class LeverStep(BaseModel):
    """The plan with one step less of one lever, re-scored by the full model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lever: str = Field(description="'calories' or a session kind")
    change: str = Field(description="what was taken away, in words")
    thigh_cm_change: float
    goal_reached: bool


class SweepPoint(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: int = Field(description="kcal/d, or sessions a week")
    outcome: Outcome | None = Field(None, description="None: no safe plan holds this value")
    safe: bool
    broken_rules: list[str] = Field(default_factory=list)


class Sweep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lever: str
    spec: str
    method: Literal["week fixed, re-scored", "re-solved with the value pinned"]
    points: list[SweepPoint]


class SeekResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    athlete: str
    units: Literal["metric", "imperial"]
    target_thigh_change_cm: float
    weeks: int
    reached: bool
    best_thigh_change_cm: float = Field(description="[cm] what the returned plan does by week N")
    earliest_week: int | None = Field(
        None, description="first week 1-52 a safe plan reaches the target (None: none by 52)")
    key_lever: str | None = None
    one_step_less: list[LeverStep] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    outcome: Outcome
    plan: Plan
    sweeps: list[Sweep] = Field(default_factory=list)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"
