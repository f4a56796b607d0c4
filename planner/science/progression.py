"""How a plan builds week by week: the block's progression rules, each named once.

A block is the working (full-volume) week the solver picks, shaped week by week (docs/science.md
§6, "building over weeks" and "easier weeks"; docs/design.md "The block"):

* **hard sessions build**: squats/lunges sets and sprint and hill-repeat reps go from a starting
  dose to the working dose over the first ``BUILD_WEEKS`` weeks; a novice starts lowest
  (``BUILD_START_SHARE``). ACSM 2009's progression models start novices at low volume and add sets
  as they adapt; Rogerson 2024's coaches raise volume across a mesocycle; sprint-interval
  programmes start untrained people at 4 all-out efforts and add one or two a week up to 6–7
  (Burgomaster 2005, Gibala 2006); the catalogue's smallest session is 6 reps, so a working
  session of 6-11 reps starts at 6. A full week's running never falls under the "running kept"
  floor the working week keeps: easy runs are lengthened into their day's spare minutes first
  (while they stay easy runs, under an hour), and held-back reps are put back for the rest
  (``planner.science.block``);
* **every 4th week is lighter** (``LIGHTER_EVERY``): its running minutes and its squat/lunge
  sets are each cut to about ``LIGHTER_SHARE`` (35 % less; ``lighter_doses``), the same sessions
  on the same days — the convention of Runna and pheidi (three build
  weeks, then an easier one) and of the deloads Rogerson 2024 found (every 5.6 ± 2.3 weeks,
  sets and load cut, frequency kept);
* **running builds** towards the working week's running no faster than the running-load rule
  allows against the weeks actually planned (``running_build_cap``): at most
  ``limits.max_run_increase_pct`` (10 %) above the last full week, and an acute:chronic ratio of
  at most ``ACWR_MAX`` (1.3) against the mean of the last ``ACWR_WEEKS`` weeks (Gabbett 2016;
  the 10 % rule alone has weak evidence, Buist 2008; > 30 % in two weeks looked risky,
  Nielsen 2014);
* **the calorie target is re-set every** ``CALORIE_RESET_EVERY`` **weeks** from the projected
  body: the same offset from maintenance, with maintenance at the projected weight (a lighter
  body burns less), inside every calorie guardrail (``planner.science.block``).

Doses stay catalogue doses (``planner.model.sessions.CATALOGUE``) a session can hold. Pure
functions of plain values; the block is assembled in ``planner.science.block``.
"""

from __future__ import annotations

import functools

from planner.model.sessions import CATALOGUE, SESSION_SETS_MAX

LIGHTER_EVERY = 4  # [weeks] every 4th week is lighter (Runna, pheidi; Rogerson 2024)
# [-] share of each session's dose a lighter week keeps: 35 % less, inside the 30-40 % asked
# (Runna and pheidi cut about 25 %; Rogerson 2024's deloads cut sets by a third to a half)
LIGHTER_SHARE = 0.65
# [-] the least share of a full week's running a lighter week keeps once doses are rounded to
# catalogue steps (a 50-min long run becomes 30): the deepest cut, 40 %
LIGHTER_KEEP_MIN = 0.60
# [-] the least share of its own dose one session keeps in a lighter week (where the catalogue
# has such a dose): when the other sessions already sit at their smallest doses, the cut does not
# all fall on one session (a 70-min run is not cut to 20; deloads cut by a third to a half,
# Rogerson 2024)
LIGHTER_SESSION_KEEP_MIN = 0.5
CALORIE_RESET_EVERY = 4  # [weeks] the calorie target is re-set from the projected body
# [-] a hard session's dose in week 1 (squats/lunges sets, sprint and hill reps) as a share of
# the working week's, by level: a novice starts at half (ACSM 2009: novices begin at low volume;
# Burgomaster 2005 and Gibala 2006 start untrained people at 4 of the 6-7 all-out efforts they
# build to, about 60 %), a trained athlete near the full dose
BUILD_START_SHARE = {"novice": 0.5, "intermediate": 0.7, "advanced": 0.85}
BUILD_WEEKS = 3  # [weeks] hard doses reach the working dose in week 3, before the first lighter week
ACWR_MAX = 1.3  # acute:chronic running ratio ceiling (Gabbett 2016)
ACWR_WEEKS = 4  # [weeks] the chronic load is the mean of the last four weeks (Gabbett 2016)


def is_lighter(week: int) -> bool:
    """Whether week ``week`` (1-based) of a block is a lighter week: every 4th."""
    return week % LIGHTER_EVERY == 0


def cycle_start(week: int) -> int:
    """The first week (1-based) of the calorie cycle ``week`` is in: 1, 5, 9, …"""
    return (week - 1) // CALORIE_RESET_EVERY * CALORIE_RESET_EVERY + 1


def build_share(experience: str, week: int) -> float:
    """[-] share of a working-week hard session's dose (sets or reps) planned in ``week``: from
    ``BUILD_START_SHARE`` in week 1, linearly to 1 in week ``BUILD_WEEKS`` and after."""
    if week >= BUILD_WEEKS:
        return 1.0
    start = BUILD_START_SHARE[experience]
    return start + (1.0 - start) * (week - 1) / (BUILD_WEEKS - 1)


def nearest_dose(kind: str, value: float, most: int, experience: str | None = None) -> int:
    """The catalogue dose of ``kind`` nearest ``value`` (a tie: the larger), at most ``most``
    (and, for squats/lunges, the most a session holds at ``experience``), at least the smallest."""
    spec = CATALOGUE[kind]
    if kind == "squats_lunges" and experience is not None:
        most = min(most, SESSION_SETS_MAX[experience])
    doses = [d for d in spec.doses() if d <= most] or [spec.dose_min]
    return min(doses, key=lambda d: (abs(d - value), -d))


def built_dose(kind: str, dose: int, experience: str, week: int) -> int:
    """A working-week session's dose in ``week`` of the block, before a lighter week's cut: a hard
    session's sets or reps build (``build_share``); a long run keeps its minutes (running builds
    by ``running_build_cap``)."""
    if not CATALOGUE[kind].hard:
        return dose
    return nearest_dose(kind, dose * build_share(experience, week), dose, experience)


def lighter_doses(doses: list[tuple[str, int]]) -> list[int]:
    """``_lighter_doses`` (pure, so remembered: a block's lighter weeks and the solver's candidate
    weeks ask again for the same sessions)."""
    return list(_lighter_doses(tuple(doses)))


@functools.lru_cache(maxsize=4096)
def _lighter_doses(doses: tuple[tuple[str, int], ...]) -> tuple[int, ...]:
    """The doses of a lighter week's sessions of one kind of volume (the running sessions, whose
    volume is minutes; or the squats/lunges sessions, sets): catalogue doses, each at most the
    full week's, whose total volume is the nearest to ``LIGHTER_SHARE`` of the full week's and
    at least ``LIGHTER_KEEP_MIN`` of it (the smallest doses permitting). Each session starts at
    the largest catalogue dose under its share; then, one step at a time while that brings the
    total nearer, the session cut deepest steps up (below the share) or the one cut least steps
    down (above it: a session already at its smallest dose kept the start high), so the cut stays
    spread over the sessions (greedy: the total is near the share, not always the nearest)."""
    def volume(kind: str, dose: int) -> float:
        return dose if kind == "squats_lunges" else CATALOGUE[kind].minutes_for(dose)

    full = sum(volume(k, d) for k, d in doses)
    target, least = LIGHTER_SHARE * full, LIGHTER_KEEP_MIN * full
    steps = [[x for x in CATALOGUE[k].doses() if LIGHTER_SESSION_KEEP_MIN * d <= x <= d]
             or [x for x in CATALOGUE[k].doses() if x <= d] or [CATALOGUE[k].dose_min]
             for k, d in doses]
    at = [max([i for i, x in enumerate(opts) if x <= LIGHTER_SHARE * d], default=0)
          for opts, (_, d) in zip(steps, doses)]

    def total() -> float:
        return sum(volume(k, opts[i]) for (k, _), opts, i in zip(doses, steps, at))

    while True:
        now = total()
        # below the share: raise the session cut deepest (its dose the smallest share of the
        # full week's); above it: lower the one cut least; so the cut stays spread evenly
        step = 1 if now < target else -1  # (least < target)
        movable = [j for j, (opts, i) in enumerate(zip(steps, at)) if 0 <= i + step < len(opts)]
        if not movable:
            break
        share = [opts[i] / d for opts, i, (_, d) in zip(steps, at, doses)]
        j = (min if step > 0 else max)(movable, key=lambda n: (share[n], n if step > 0 else -n))
        k, opts, i = doses[j][0], steps[j], at[j]
        after = now - volume(k, opts[i]) + volume(k, opts[i + step])
        if step < 0 and after < least - 1e-9:
            break
        if abs(after - target) >= abs(now - target) - 1e-9 and now >= least - 1e-9:
            break
        at[j] += step
    return tuple(opts[i] for opts, i in zip(steps, at))


def running_build_cap(first_cap: float, increase_pct: float, recent: float,
                      history: list[float], lighter: list[bool]) -> float:
    """[min] most running the next week of a block may hold, after the weeks ``history`` (their
    running minutes; ``lighter`` says which were lighter weeks).

    Week 1 may run ``first_cap`` (the single-week running-load rule: recent + 10 %, or the
    beginner's 60 min). After it: at most ``increase_pct`` above the last full (not lighter)
    week — coming back from a lighter week is not an increase — and at most ``ACWR_MAX`` × the
    mean of the last ``ACWR_WEEKS`` weeks (weeks before the block count at ``recent``); never
    less than week 1 may run.
    """
    if not history:
        return first_cap
    full = [run for run, light in zip(history, lighter) if not light]
    ref = full[-1] if full else recent
    padded = [recent] * ACWR_WEEKS + list(history)
    chronic = sum(padded[-ACWR_WEEKS:]) / ACWR_WEEKS
    return max(first_cap, min(ref * (1 + increase_pct / 100), ACWR_MAX * chronic))
