"""The one generator of random, realistic athletes, shared by the benchmarks and the tests.

- :func:`write_roster` / :func:`athlete`: a CSV roster of plausible adults (``benchmarks/batch.py``;
  the roster of seed 2024 is the one the solver's search settings were measured on).
- :func:`oracle_profile`: the small instances of the exhaustive oracle (``benchmarks/oracle.py``,
  ``benchmarks/solve.py`` and ``tests/test_solver_oracle.py``): 2-3 available days.

Deterministic: the same seed gives byte-identical output (``tests/test_benchmarks.py`` pins it).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from planner.model.profile import DAYS, Profile

COLUMNS = ("name", "sex", "age", "height_cm", "weight_kg", "body_fat_pct", "strength_experience",
           "pal", "recent_weekly_run_minutes", "goal", "horizon_weeks", *DAYS, "long_run_day",
           "facilities", "exclude")
FIRST = ("Ana", "Ben", "Chloe", "Dev", "Erin", "Femi", "Gus", "Hana", "Ivo", "Jude", "Kai", "Lena")
LAST = ("Souza", "Okoro", "Martin", "Patel", "Walsh", "Adeyemi", "Berg", "Sato", "Novak", "Reyes")


def athlete(rng: random.Random, i: int) -> dict[str, Any]:
    """One plausible adult athlete (ranges inside the profile's validation), as a CSV row."""
    sex = rng.choice(("female", "male"))
    height = rng.gauss(165 if sex == "female" else 178, 7)
    bmi = rng.uniform(19, 31)
    days = rng.sample(DAYS, rng.randint(3, 6))
    minutes = {d: (rng.choice((30, 45, 60, 75, 90, 120)) if d in days else "") for d in DAYS}
    long_days = [d for d in days if minutes[d] and minutes[d] >= 60]
    return {
        "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}",
        "sex": sex,
        "age": rng.randint(18, 65),
        "height_cm": round(height, 1),
        "weight_kg": round(bmi * (height / 100) ** 2, 1),
        "body_fat_pct": rng.choice(("", round(rng.uniform(12, 35), 1))),
        "strength_experience": rng.choice(("novice", "intermediate", "advanced")),
        "pal": round(rng.uniform(1.3, 1.9), 2),
        "recent_weekly_run_minutes": rng.choice((0, 30, 60, 90, 120, 180, 240)),
        "goal": rng.choice(("leaner", "bulkier", "maintain")),
        "horizon_weeks": rng.choice((8, 12, 16, 20)),
        **minutes,
        "long_run_day": rng.choice(long_days) if long_days and rng.random() < 0.5 else "",
        "facilities": ";".join(f for f in ("hills", "track", "barbell", "dumbbells")
                               if rng.random() < 0.5),
        "exclude": rng.choice(("", "", "", "sprints", "hill_repeats")),
    }


def write_roster(path: Path, n: int, seed: int = 2024) -> None:
    """A CSV roster of ``n`` generated athletes (README "CSV roster format")."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for i in range(1, n + 1):
            writer.writerow(athlete(rng, i))


def oracle_profile_fields(seed: int) -> dict[str, Any]:
    """The profile fields of oracle instance ``seed``: 2-3 available days, so that every week
    can be enumerated."""
    rng = random.Random(seed)
    sex = rng.choice(["female", "male"])
    height = rng.uniform(155, 175) if sex == "female" else rng.uniform(168, 192)
    days = rng.sample(DAYS, rng.choice([2, 3]))
    return dict(
        name=f"oracle-{seed}", sex=sex, age=rng.randint(18, 65), height_cm=round(height),
        weight_kg=round(rng.uniform(52, 95), 1), body_fat_pct=round(rng.uniform(12, 35), 1),
        fast_twitch_pct=rng.choice([35, 50, 65]),
        strength_experience=rng.choice(["novice", "intermediate", "advanced"]),
        recent_weekly_run_minutes=rng.choice([0, 60, 120, 200]),
        goal=rng.choice(["leaner", "bulkier", "maintain"]),
        horizon_weeks=rng.choice([6, 8, 12]),
        availability={d: rng.choice([45, 60, 90, 120]) for d in days},
        long_run_day=rng.choice([None, *days]),
        facilities=rng.sample(["hills", "barbell", "dumbbells"], rng.randint(0, 3)),
        exclude=rng.sample(["sprints", "hill_repeats", "long_run"], rng.choice([0, 0, 1])),
    )


def oracle_profile(seed: int) -> Profile:
    return Profile(**oracle_profile_fields(seed))
