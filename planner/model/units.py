"""How numbers are shown: metric or imperial units, thousands separators, signed changes.

One definition for everything people read: the renderer's tables and the plan's explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.model.profile import CM_PER_IN, KG_PER_LB


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Units:
    """How lengths and masses are shown: metric (cm, kg) or imperial (in, lb)."""

    length: str
    mass: str
    length_per_cm: float
    mass_per_kg: float
    length_decimals: int  # for changes; absolute lengths use one decimal
    mass_decimals: int  # for body-weight changes; leg tissue changes use one more

    @classmethod
    def of(cls, system: str) -> "Units":
        if system == "imperial":
            return cls("in", "lb", 1 / CM_PER_IN, 1 / KG_PER_LB, 2, 1)
        return cls("cm", "kg", 1.0, 1.0, 1, 1)

    def cm(self, value_cm: float) -> float:
        return value_cm * self.length_per_cm

    def kg(self, value_kg: float) -> float:
        return value_kg * self.mass_per_kg


def number(value: float, decimals: int = 0) -> str:
    """``2300`` → ``"2,300"``; ``64.25, 1`` → ``"64.3"`` (never ``"-0.0"``)."""
    text = f"{value:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text[1:].replace(",", "")) == 0 else text


def signed(value: float, decimals: int, unit: str) -> str:
    """A change with its sign: ``1.1, 1, "cm"`` → ``"+1.1 cm"``; rounds to zero → ``"0.0 cm"``."""
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f} {unit}"
    return f"{value:+,.{decimals}f} {unit}"


def visible_decimals(value: float, decimals: int, most: int = 3) -> int:
    """``decimals``, or more (up to ``most``) when ``value`` would otherwise round to zero."""
    while decimals < most and value != 0 and round(value, decimals) == 0:
        decimals += 1
    return decimals


def shortfall_decimals(units: Units, shortfall_cm: float) -> int:
    """Decimals at which a thigh shortfall, and the change beside it, never read "0.0 cm short"."""
    return visible_decimals(units.cm(shortfall_cm), units.length_decimals)


def length(units: Units, cm: float, decimals: int = 1) -> str:
    return f"{number(units.cm(cm), decimals)} {units.length}"


def length_change(units: Units, cm: float) -> str:
    return signed(units.cm(cm), units.length_decimals, units.length)


def mass(units: Units, kg: float, decimals: int = 1) -> str:
    return f"{number(units.kg(kg), decimals)} {units.mass}"


def mass_change(units: Units, kg: float, decimals: int) -> str:
    return signed(units.kg(kg), decimals, units.mass)
