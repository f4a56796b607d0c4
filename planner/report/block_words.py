"""How a block builds, in words measured from its own weeks: the one place the sheet's block note
and the plan's explanation get their lighter-week and calorie re-set sentences from.

A lighter week's cut is read off the weeks planned (each lighter week against the full week
before it), never assumed from ``progression.LIGHTER_SHARE``: doses already at the catalogue's
smallest cannot be cut, and the sentence says so instead of promising a cut that is not there.
"""

from __future__ import annotations

from planner.model.plan import PlanWeek
from planner.model.sessions import CATALOGUE
from planner.model.units import number
from planner.science import progression


def running_minutes(week: PlanWeek) -> int:
    """[min] the week's running (long runs, sprints, hill repeats, warm-ups included)."""
    return sum(s.minutes for d in week.days for s in d.sessions if CATALOGUE[s.kind].running)


def dose_total(week: PlanWeek, kind: str) -> int:
    """The week's total dose of ``kind``: squat/lunge sets, sprint or hill reps, run minutes."""
    return sum(s.dose for _, s in week.sessions() if s.kind == kind)


def squat_sets(week: PlanWeek) -> int:
    """Hard squat/lunge sets in the week."""
    return dose_total(week, "squats_lunges")


def build_words(weeks: list[PlanWeek]) -> str | None:
    """E.g. "squat/lunge sets build from 8 a week in week 1 to 16, sprint reps from 7 a week to 12,
    while your runs ease from 40 min a week in week 1 to 30, …" (week 1 against the first
    full-dose week, ``progression.BUILD_WEEKS``; the easy runs are longer in week 1 where they held
    the "running kept" floor, ``planner.science.block``); None when week 1 already holds the full
    doses."""
    if len(weeks) < 2:
        return None
    full = weeks[min(len(weeks), progression.BUILD_WEEKS) - 1]
    said = []
    if squat_sets(weeks[0]) < squat_sets(full):
        said.append(f"squat/lunge sets build from {squat_sets(weeks[0])} a week in week 1 to "
                    f"{squat_sets(full)}")
    for kind, noun in (("sprints", "sprint reps"), ("hill_repeats", "hill reps")):
        first, top = dose_total(weeks[0], kind), dose_total(full, kind)
        if first < top:
            said.append(f"{noun} build from {first} a week in week 1 to {top}" if not said
                        else f"{noun} from {first} a week to {top}")
    first, top = dose_total(weeks[0], "long_run"), dose_total(full, "long_run")
    if said and first > top:  # easy minutes held the "running kept" floor while the reps built
        said.append(f"while your runs ease from {first} min a week in week 1 to {top}, so "
                    "every full week keeps your running")
    return ", ".join(said) or None


def lighter_cuts(weeks: list[PlanWeek]) -> list[tuple[int, float | None, float | None]]:
    """(week, share of running cut, share of sets cut) of each lighter week against the last full
    week before it; None where the full week has none of that to cut."""
    out = []
    full: PlanWeek | None = None
    for week in weeks:
        if not week.lighter:
            full = week
            continue
        if full is None:
            continue
        run, sets = running_minutes(full), squat_sets(full)
        out.append((week.week, 1 - running_minutes(week) / run if run else None,
                    1 - squat_sets(week) / sets if sets else None))
    return out


def _share(values: list[float]) -> str:
    """"35 %" or "30–35 %" (the range over the lighter weeks)."""
    low, high = round(min(values) * 100), round(max(values) * 100)
    return f"{low} %" if low == high else f"{low}–{high} %"


def lighter_words(weeks: list[PlanWeek]) -> str | None:
    """E.g. "weeks 4 and 8 are lighter (the same sessions on the same days): 35 % less running
    and 25 % fewer sets"; None without a lighter week."""
    cuts = lighter_cuts(weeks)
    if not cuts:
        return None
    names = [str(w) for w, _, _ in cuts]
    which = (f"week {names[0]} is" if len(names) == 1
             else f"weeks {', '.join(names[:-1])} and {names[-1]} are")
    said = []
    for label, values, noun in (("less running", [r for _, r, _ in cuts if r is not None], "running"),
                                ("fewer sets", [s for _, _, s in cuts if s is not None], "sets")):
        if not values:
            continue
        if max(values) < 0.005:
            said.append(f"the {noun} {'stays as it is' if noun == 'running' else 'stay as they are'}"
                        f" ({'its' if noun == 'running' else 'their'} doses are already the "
                        "smallest a session holds)")
        else:
            said.append(f"{_share(values)} {label}")
    body = " and ".join(said) if said else "nothing to cut"
    return f"{which} lighter (the same sessions on the same days): {body}"


def calorie_words(weeks: list[PlanWeek]) -> str | None:
    """E.g. "calories are re-set every 4 weeks from the predicted weight (2,000 → 1,975 kcal a
    day)"; None for a block no longer than one calorie cycle."""
    if len(weeks) <= progression.CALORIE_RESET_EVERY:
        return None
    kcal: list[int] = []
    for w in weeks:
        if not kcal or kcal[-1] != w.calories_per_day:
            kcal.append(w.calories_per_day)
    steps = " → ".join(number(k) for k in kcal)
    return (f"calories are re-set every {progression.CALORIE_RESET_EVERY} weeks from the "
            f"predicted weight ({steps} kcal a day)")
