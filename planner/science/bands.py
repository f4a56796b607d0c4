"""How sure a prediction is: the parameter spread, its fixed draws, and the 80 % bands.

A projection is a population average. People differ from it by three numbers that matter most
for the legs (docs/science.md §7):

* the **maintenance offset** [kcal/d]: resting-energy equations miss individuals by about ±10 %
  (Frankenfield 2005), and PAL is a guess on top — prior N(0, (10 % of estimated maintenance)²);
* the **muscle response** [× the model's training gain]: responders differ several-fold (Hubal
  2005: 12-week gains from about 0 to +59 %, CV about 0.5; Bamman 2007: non-, modest and extreme
  responders) — prior lognormal, median 1, log-sd 0.45 (CV ≈ 0.47);
* the **fibre type** when the profile does not give it: vastus lateralis Type II share
  48 ± 14 % (Simoneau 1989/1995), held to the profile's 15-85 % range.

A calibrated profile replaces the first two by its posterior (centre and 80 % interval), and its
response already carries the athlete's fibre mix (the thigh data measured the whole response), so
the fibre type is not drawn again.

``projection_band`` is the one place bands are computed: it steps the same effect model
(``effect.simulate``) over a fixed set of quasi-random draws (Halton points: deterministic,
version-independent), vectorised with numpy, and returns the 10th-90th percentile of each week's
body weight and thigh girth plus the share of draws that reach the goal (``goals.evaluate_changes``,
the goal's one definition). The draws are stepped a week at a time (exact enough, as the solver's
tables show) and the band is placed around the daily-stepped central projection: edges = central
+ percentile(draw − the same week-stepped run at the central parameters).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from planner.model.profile import DAYS_PER_WEEK, Profile
from planner.science import effect, goals

OFFSET_PRIOR_SHARE = 0.10  # [-] sd of the maintenance offset / estimated maintenance (Frankenfield 2005)
RESPONSE_LOG_SD = 0.45  # [-] sd of ln(response) (Hubal 2005; Bamman 2007)
FIBRE_MEAN_PCT = 48.0  # [%] Type II share, mixed groups (Simoneau 1989/1995)
FIBRE_SD_PCT = 14.0  # [%]
FIBRE_RANGE_PCT = (15.0, 85.0)  # [%] across people (Simoneau 1989), the profile's range
BAND_LEVEL = 0.80  # the band holds 80 % of the draws: 10th to 90th percentile
DRAWS = 256  # parameter draws a band is computed from
STEP_DAYS = 7  # the draws' RK4 step [d]
Z80 = NormalDist().inv_cdf(0.5 + BAND_LEVEL / 2)  # 1.2816: half-width of an 80 % interval in sd


@dataclass(frozen=True)
class Spread:
    """The athlete's parameter uncertainty: normal in the offset and in ln(response), and a fibre
    type that is drawn (``fibre_sd`` > 0) or fixed."""

    offset_mean: float  # [kcal/d]
    offset_sd: float  # [kcal/d]
    log_response_mean: float
    log_response_sd: float
    fibre_mean: float  # [%]
    fibre_sd: float  # [%]; 0: the fibre type is known (given, or inside a calibrated response)


def prior_spread(profile: Profile, maintenance_kcal: float) -> Spread:
    """The population spread for an uncalibrated athlete whose estimated maintenance (with the
    plan's sessions) is ``maintenance_kcal`` [kcal/d]."""
    fibre_known = profile.fast_twitch_given
    return Spread(0.0, OFFSET_PRIOR_SHARE * maintenance_kcal, 0.0, RESPONSE_LOG_SD,
                  profile.fast_twitch_pct if fibre_known else FIBRE_MEAN_PCT,
                  0.0 if fibre_known else FIBRE_SD_PCT)


def interval_sd(low: float, high: float) -> float:
    """The sd of a normal whose 80 % interval is [low, high]."""
    return (high - low) / (2 * Z80)


def spread(profile: Profile, maintenance_kcal: float) -> Spread:
    """The athlete's spread: the prior, or a calibration's posterior (its 80 % intervals read
    as normal in the offset and in ln(response))."""
    cal = profile.calibration
    if cal is None:
        return prior_spread(profile, maintenance_kcal)
    lo, hi = cal.response_interval
    return Spread(cal.maintenance_offset_kcal, interval_sd(*cal.maintenance_offset_kcal_interval),
                  math.log(cal.response), interval_sd(math.log(lo), math.log(hi)),
                  profile.fast_twitch_pct, 0.0)


def _halton(index: int, base: int) -> float:
    """The ``index``-th point (from 1) of the van der Corput sequence in ``base``."""
    result, fraction = 0.0, 1.0
    while index:
        fraction /= base
        result += fraction * (index % base)
        index //= base
    return result


@functools.lru_cache(maxsize=None)
def standard_draws(count: int = DRAWS) -> np.ndarray:
    """``count`` × 3 standard-normal quasi-random points (Halton, bases 2, 3, 5): deterministic."""
    inv = NormalDist().inv_cdf
    points = [[inv(_halton(i, b)) for b in (2, 3, 5)] for i in range(1, count + 1)]
    draws = np.array(points)
    draws.setflags(write=False)
    return draws


@dataclass(frozen=True)
class Draws:
    """Parameter draws as arrays, one entry per draw."""

    offset: np.ndarray  # [kcal/d]
    response: np.ndarray  # [×]
    fibre: np.ndarray  # [%]


def draws_of(s: Spread, z: np.ndarray) -> Draws:
    """Parameter draws from standard-normal points ``z`` (n × 3)."""
    fibre = np.clip(s.fibre_mean + s.fibre_sd * z[:, 2], *FIBRE_RANGE_PCT)
    return Draws(s.offset_mean + s.offset_sd * z[:, 0],
                 np.exp(s.log_response_mean + s.log_response_sd * z[:, 1]), fibre)


def stimulus_for_fibre(load: effect.WeekLoad, sets_per_fibre_pct: float, fibre_pct, base_fibre):
    """The effective stimulus s [0-1] of ``load`` for fibre types ``fibre_pct`` [%] (array): the
    fibre factor is affine in the fast-twitch share, so the week's set equivalents are too."""
    sets = load.set_equivalents + sets_per_fibre_pct * (fibre_pct - base_fibre)
    return (effect.stimulus_fraction(sets)
            * effect.interference_factor(load.endurance_minutes))


def sets_per_fibre_pct(profile: Profile, sessions) -> float:
    """[hard-set equivalents per % fast-twitch] the slope of a week's stimulus in fibre type."""
    lo = effect.plan_load(profile.model_copy(update={"fast_twitch_pct": 0.0}), sessions)
    hi = effect.plan_load(profile.model_copy(update={"fast_twitch_pct": 100.0}), sessions)
    return (hi.set_equivalents - lo.set_equivalents) / 100.0


def trajectories(profile: Profile, calories, load: effect.WeekLoad, slope: float, d: Draws,
                 protein_g_per_kg: float, days: int, step_days: int = 1):
    """Body weight [kg], thigh girth [cm], leg muscle and leg fat [kg] for every draw (columns),
    at days 0, step, …, ``days`` (rows), of one week repeated: ``segment_trajectories`` with one
    segment. ``calories`` may vary by column too."""
    return segment_trajectories(profile, [(calories, load, slope, protein_g_per_kg, days)], d,
                                step_days)


def _same_inputs(a: tuple, b: tuple) -> bool:
    """Whether two segments have the same calories, load, slope and protein (an array of
    calories only by identity: the same columns)."""
    return all(x is y or (not isinstance(x, np.ndarray) and not isinstance(y, np.ndarray)
                          and x == y) for x, y in zip(a[:4], b[:4]))


def _merged(segments) -> list[tuple]:
    """Segments in a row with the same inputs as one longer segment: exact, since the closed
    forms continue unchanged across a boundary where nothing changes (``effect.simulate_weeks``),
    and a repeated week is stepped in one call instead of one per week."""
    out: list[tuple] = []
    for segment in segments:
        if out and _same_inputs(out[-1], segment):
            out[-1] = (*out[-1][:4], out[-1][4] + segment[4])
        else:
            out.append(tuple(segment))
    return out


def segment_trajectories(profile: Profile, segments, d: Draws, step_days: int = 1):
    """``trajectories`` of a block: ``segments`` is a sequence of (calories, ``WeekLoad``, its
    ``sets_per_fibre_pct`` slope, protein [g/kg/d], days), simulated one after the other with the
    state carried across (``effect.simulate_weeks``; segments in a row with the same inputs as
    one, ``_merged``), each draw's parameters applied to the equations' baseline
    (``effect.individual``)."""
    base = effect.individual(effect.baseline(profile.without_calibration()), d.offset, d.response)
    inputs = []
    for calories, load, slope, protein_g_per_kg, days in _merged(segments):
        stimulus = stimulus_for_fibre(load, slope, d.fibre, profile.fast_twitch_pct)
        stimulus = stimulus + 0.0 * d.offset  # one column per draw even when the fibre is fixed
        growth = base.g_max * effect.protein_factor(protein_g_per_kg)
        inputs.append((calories, load.session_kcal_per_kg, stimulus, growth, days))
    states, _ = effect.simulate_weeks(base, inputs, step_days)
    bw, fat, lean, acc = (np.array(x) for x in states)
    leg_muscle, leg_fat, thigh = effect.leg_state(base, fat, lean, acc)
    return bw, thigh, leg_muscle, leg_fat


@dataclass(frozen=True)
class Band:
    """80 % band edges per week (0…weeks) and the share of draws reaching the goal."""

    thigh_low: list[float]
    thigh_high: list[float]
    weight_low: list[float]
    weight_high: list[float]
    probability: float


def week_inputs(profile: Profile, weeks) -> list[tuple]:
    """``projection_band``'s weeks from plan weeks (anything with ``calories_per_day``,
    ``protein_g_per_day`` and ``days``): (calories, ``WeekLoad``, sessions, protein) each."""
    out = []
    for week in weeks:
        sessions = [s for d in week.days for s in d.sessions]
        out.append((week.calories_per_day, effect.plan_load(profile, sessions), sessions,
                    float(week.protein_g_per_day)))
    return out


def projection_band(profile: Profile, weeks, summary_load: effect.WeekLoad,
                    projection) -> Band:
    """The 80 % band of ``projection`` (the central, daily-stepped projection of this plan) and
    the probability that the goal is reached, over the athlete's parameter spread (see the module
    docstring). ``weeks``: one (calories [kcal/d], ``WeekLoad``, sessions, protein [g/d]) per week
    of the plan (a repeated week is that week ``projection.weeks`` times); ``summary_load`` the
    working week, whose maintenance sets the prior's spread."""
    uncalibrated = effect.baseline(profile.without_calibration())
    s = spread(profile, effect.expenditure_kcal(uncalibrated, summary_load))
    d = draws_of(s, standard_draws())
    centre = Draws(np.array([s.offset_mean]), np.array([math.exp(s.log_response_mean)]),
                   np.array([float(profile.fast_twitch_pct)]))
    both = Draws(*(np.concatenate([getattr(centre, f), getattr(d, f)])
                   for f in ("offset", "response", "fibre")))
    slopes: dict[tuple, float] = {}  # the weeks of a block share few distinct session lists
    segments = []
    for calories, load, sessions, protein in weeks:
        key = tuple((x.kind, x.minutes, x.dose, x.load) for x in sessions)
        if key not in slopes:
            slopes[key] = sets_per_fibre_pct(profile, sessions)
        segments.append((float(calories), load, slopes[key], protein / profile.weight_kg,
                         DAYS_PER_WEEK))
    bw, thigh, muscle, fat = segment_trajectories(profile, segments, both, STEP_DAYS)
    per_week = DAYS_PER_WEEK // STEP_DAYS
    rows = slice(0, None, per_week)
    q = [50 - 50 * BAND_LEVEL, 50 + 50 * BAND_LEVEL]
    weekly = projection.weekly

    def edges(values: np.ndarray, central: list[float]) -> tuple[list[float], list[float]]:
        shift = values[rows, 1:] - values[rows, :1]
        low, high = np.percentile(shift, q, axis=1)
        return ([round(c + float(x), 3) for c, x in zip(central, low)],
                [round(c + float(x), 3) for c, x in zip(central, high)])

    thigh_low, thigh_high = edges(thigh, [w.thigh_circumference_cm for w in weekly])
    weight_low, weight_high = edges(bw, [w.body_weight_kg for w in weekly])
    target = goals.thigh_target_cm(profile)
    central = (projection.thigh_circumference_cm_change, projection.leg_muscle_kg_change,
               projection.leg_fat_kg_change, projection.body_weight_kg_change)
    changes = [values[-1, 1:] - values[-1, 0] - (values[0, 1:] - values[0, 0]) + c
               for values, c in zip((thigh, muscle, fat, bw), central)]
    reached = sum(goals.evaluate_changes(profile.goal, target, float(t), float(m), float(f),
                                         float(w)).reached
                  for t, m, f, w in zip(*changes))
    return Band(thigh_low, thigh_high, weight_low, weight_high, round(reached / DRAWS, 3))


def with_band(projection, band: Band):
    """``projection`` with each week's band edges filled in (docs/design.md "Bands")."""
    weekly = [w.model_copy(update={
        "thigh_circumference_cm_low": band.thigh_low[i],
        "thigh_circumference_cm_high": band.thigh_high[i],
        "body_weight_kg_low": band.weight_low[i], "body_weight_kg_high": band.weight_high[i]})
        for i, w in enumerate(projection.weekly)]
    return projection.model_copy(update={"weekly": weekly})
