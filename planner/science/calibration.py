"""Learn the athlete from their log: the maintenance offset and the muscle response.

The fit (docs/science.md §7):

* **model**: the effect model run from the profile (day 0 = the log's first date) with the plan
  followed, each trial parameter pair applied by ``effect.individual``. Intake is the plan's, or
  the logged calories on the days that have them; a weigh-in on day t is predicted with the
  mean intake of days 0…t−1 (energy balance integrates intake, so the mean to date carries almost
  all of its effect, and the model's closed-form water and glycogen stay exact);
* **data**: every weigh-in (noise 0.5 kg a day, or the residual scatter if larger) and every thigh
  measure (tape 0.5 cm, or the scatter); a free intercept for each, so only changes count (the
  model's starting thigh is a geometric estimate, and scales differ);
* **priors** (``planner.science.bands``): offset N(0, (10 % of estimated maintenance)²);
  ln(response) N(0, 0.45² + the spread the unknown fibre type adds to this plan's stimulus);
* **estimate**: maximum a posteriori with ``scipy.optimize.least_squares`` (the priors as extra
  residuals; Jacobian by finite differences, all trial points in one vectorised run), and the
  Laplace approximation for the 80 % intervals: covariance = (JᵀJ)⁻¹ at the optimum.

Too little data keeps the prior for that value, and says so: under ``MIN_WEIGHT_DAYS`` days
between the first and last weigh-in for the offset; under ``MIN_THIGH_POINTS`` thigh measures
for the response. Deterministic: no random numbers, a fixed starting point and fixed steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from scipy.optimize import least_squares

from planner.model.logs import Log
from planner.model.plan import PlanInput
from planner.model.profile import (
    DAYS_PER_WEEK,
    MAX_OFFSET_KCAL,
    RESPONSE_RANGE,
    Calibration,
    Profile,
)
from planner.science import bands, effect, guardrails

MIN_WEIGHT_DAYS = 14  # [d] span of weigh-ins below which the offset keeps its prior
MIN_THIGH_POINTS = 2  # thigh measures below which the response keeps its prior
WEIGHT_NOISE_KG = 0.5  # [kg] day-to-day scale scatter (water, gut content), the least assumed
THIGH_NOISE_CM = 0.5  # [cm] tape-measure scatter at the same spot, the least assumed
OFFSET_STEP = 5.0  # [kcal/d] finite-difference step
LOG_RESPONSE_STEP = 0.01  # finite-difference step in ln(response)


@dataclass(frozen=True)
class Fit:
    """A calibration and what the report shows of it."""

    calibration: Calibration
    offset_fitted: bool
    response_fitted: bool
    prior_offset_interval: tuple[float, float]
    prior_response_interval: tuple[float, float]
    maintenance_kcal: float  # [kcal/d] the equations' estimate with the plan's sessions
    weight_noise_kg: float
    thigh_noise_cm: float
    weight_series: list[tuple[int, float, float]] = field(default_factory=list)  # day, logged, fitted
    thigh_series: list[tuple[int, float, float]] = field(default_factory=list)
    fitted_curve: list[tuple[int, float, float]] = field(default_factory=list)  # day, kg, cm
    notes: list[str] = field(default_factory=list)


def fibre_log_sd(profile: Profile, load: effect.WeekLoad, slope: float) -> float:
    """The sd of ln(stimulus) the unknown fibre type adds for this plan (0 when it is given)."""
    s = bands.prior_spread(profile, 0.0)
    if s.fibre_sd == 0:
        return 0.0
    fibres = bands.draws_of(s, bands.standard_draws()).fibre
    stim = bands.stimulus_for_fibre(load, slope, fibres, profile.fast_twitch_pct)
    stim = np.maximum(stim, 1e-6)
    return float(np.std(np.log(stim))) if np.ptp(stim) > 0 else 0.0


class _Model:
    """Predictions for many trial parameter pairs at once (one ``effect.simulate`` run)."""

    def __init__(self, profile: Profile, plan: PlanInput, log: Log):
        self.profile = profile
        sessions = [s for _, s in plan.sessions()]
        self.load = effect.plan_load(profile, sessions)
        self.slope = bands.sets_per_fibre_pct(profile, sessions)
        protein = (plan.protein_g_per_day if plan.protein_g_per_day is not None
                   else guardrails.default_protein(profile))
        self.protein = protein / profile.weight_kg
        start = log.start
        self.days = (log.end - start).days
        # the weeks followed: a block's own (its loads, its re-set calories; after its last week
        # the last one goes on), else the one week repeated
        weeks = plan.weeks or []
        self.week_loads = [(effect.plan_load(profile, [s for d in w.days for s in d.sessions]),
                            bands.sets_per_fibre_pct(profile, [s for d in w.days for s in d.sessions]))
                           for w in weeks] or [(self.load, self.slope)]
        week_calories = [float(w.calories_per_day) for w in weeks] or [float(plan.calories_per_day)]
        day_week = np.minimum(np.arange(max(self.days, 1)) // DAYS_PER_WEEK, len(week_calories) - 1)
        intake = np.array(week_calories)[day_week]
        for e in log.calories_days():
            d = (e.day - start).days
            if d < len(intake):
                intake[d] = e.calories  # type: ignore[assignment]
        mean_to_date = np.concatenate([[intake[0]], np.cumsum(intake) / np.arange(1, len(intake) + 1)])
        weights = log.weights()
        thighs = log.thighs()
        self.w_day = np.array([(e.day - start).days for e in weights], dtype=int)
        self.w_obs = np.array([e.weight_kg for e in weights], dtype=float)
        self.t_day = np.array([(e.day - start).days for e in thighs], dtype=int)
        self.t_obs = np.array([e.thigh_cm for e in thighs], dtype=float)
        # one intake column per distinct mean-to-date among the days measured
        needed = np.concatenate([self.w_day, self.t_day])
        self.columns, index = np.unique(mean_to_date[needed], return_inverse=True)
        self.w_col = index[:len(self.w_day)]
        self.t_col = index[len(self.w_day):]
        self.mean_to_date = mean_to_date

    def trajectories(self, calories, draws: bands.Draws):
        """``bands.segment_trajectories`` over the log's days, a segment per week followed."""
        days = max(self.days, 1)
        segments = []
        for first in range(0, days, DAYS_PER_WEEK):
            load, slope = self.week_loads[min(first // DAYS_PER_WEEK, len(self.week_loads) - 1)]
            segments.append((calories, load, slope, self.protein,
                             min(DAYS_PER_WEEK, days - first)))
        return bands.segment_trajectories(self.profile, segments, draws)

    def predict(self, offsets: np.ndarray, responses: np.ndarray):
        """(weights [P × n_w], thighs [P × n_t]) for P trial pairs."""
        p, c = len(offsets), len(self.columns)
        draws = bands.Draws(np.repeat(offsets, c), np.repeat(responses, c),
                            np.full(p * c, float(self.profile.fast_twitch_pct)))
        calories = np.tile(self.columns, p)
        bw, thigh, _, _ = self.trajectories(calories, draws)
        rows = np.arange(p)[:, None] * c
        return bw[self.w_day, rows + self.w_col], thigh[self.t_day, rows + self.t_col]


def fit(profile: Profile, plan: PlanInput, log: Log) -> Fit:
    """Fit the calibration of ``profile`` (its own calibration, if any, is ignored: the fit is
    against the equations) from ``log`` and the ``plan`` followed. See the module docstring."""
    profile = profile.without_calibration()
    model = _Model(profile, plan, log)
    maintenance = effect.expenditure_kcal(effect.baseline(profile), model.load)
    offset_sd = bands.OFFSET_PRIOR_SHARE * maintenance
    log_r_sd = math.hypot(bands.RESPONSE_LOG_SD, fibre_log_sd(profile, model.load, model.slope))
    z = bands.Z80
    prior_offset = (round(-z * offset_sd), round(z * offset_sd))
    prior_response = (round(math.exp(-z * log_r_sd), 3), round(math.exp(z * log_r_sd), 3))
    notes = []
    weights, thighs = log.weights(), log.thighs()
    span = (weights[-1].day - weights[0].day).days if weights else 0
    use_w = span >= MIN_WEIGHT_DAYS
    use_t = len(thighs) >= MIN_THIGH_POINTS
    if not use_w:
        notes.append(f"Too little data for the maintenance offset: weigh-ins span {span} day"
                     f"{'s' if span != 1 else ''}, {MIN_WEIGHT_DAYS} are needed; the estimate "
                     "stays at the equations' (offset 0, prior interval).")
    if not use_t:
        notes.append(f"Too little data for the muscle response: {len(thighs)} thigh measure"
                     f"{'s' if len(thighs) != 1 else ''}, {MIN_THIGH_POINTS} are needed; the "
                     "response stays at the average (1, prior interval).")
    sigma_w = scatter(model.w_obs, WEIGHT_NOISE_KG)
    sigma_t = scatter(model.t_obs, THIGH_NOISE_CM)
    theta = np.zeros(2)
    cov = np.diag([offset_sd**2, log_r_sd**2])
    if use_w or use_t:
        theta, cov = _map(model, use_w, use_t, offset_sd, log_r_sd, sigma_w, sigma_t)
    off, log_r = float(theta[0]), float(theta[1])
    sd_off, sd_lr = math.sqrt(cov[0, 0]), math.sqrt(cov[1, 1])
    off = float(np.clip(off, -MAX_OFFSET_KCAL, MAX_OFFSET_KCAL))
    offset_interval = [round(max(off - z * sd_off, -MAX_OFFSET_KCAL)),
                       round(min(off + z * sd_off, MAX_OFFSET_KCAL))]
    lo_r, hi_r = RESPONSE_RANGE
    response = round(float(np.clip(math.exp(log_r), lo_r, hi_r)), 3)
    response_interval = [round(max(math.exp(log_r - z * sd_lr), lo_r), 3),
                         round(min(math.exp(log_r + z * sd_lr), hi_r), 3)]
    offset = round(off)
    offset_interval = [min(offset_interval[0], offset), max(offset_interval[1], offset)]
    response_interval = [min(response_interval[0], response), max(response_interval[1], response)]
    used = [e for e in log.entries
            if (use_w and e.weight_kg is not None) or (use_t and e.thigh_cm is not None)]
    calibration = Calibration(
        maintenance_offset_kcal=offset, response=response,
        maintenance_offset_kcal_interval=offset_interval, response_interval=response_interval,
        fitted_until=log.end, points=len(used))
    w_fit, t_fit, curve = _fitted(model, off, math.exp(log_r))
    return Fit(
        calibration=calibration, offset_fitted=use_w, response_fitted=use_t,
        prior_offset_interval=prior_offset, prior_response_interval=prior_response,
        maintenance_kcal=round(maintenance, 1), weight_noise_kg=round(sigma_w, 2),
        thigh_noise_cm=round(sigma_t, 2),
        weight_series=[(int(d), float(o), round(float(f), 2))
                       for d, o, f in zip(model.w_day, model.w_obs, w_fit)],
        thigh_series=[(int(d), float(o), round(float(f), 2))
                      for d, o, f in zip(model.t_day, model.t_obs, t_fit)],
        fitted_curve=curve, notes=notes)


def scatter(values: np.ndarray, floor: float) -> float:
    """The noise to assume [data units]: the scatter of consecutive measures (their differences
    / √2: model-free, the trend between two days is tiny), never below ``floor``."""
    if len(values) < 3:
        return floor
    return round(max(floor, float(np.std(np.diff(values)) / math.sqrt(2))), 2)


def _centred(x: np.ndarray) -> np.ndarray:
    """Columns of ``x`` less their means: residuals and Jacobian with a free intercept profiled
    out (exact for an intercept with a flat prior)."""
    return x - x.mean(axis=0) if len(x) else x


def _map(model: _Model, use_w: bool, use_t: bool, offset_sd: float, log_r_sd: float,
         sigma_w: float, sigma_t: float):
    """MAP of (offset, ln response), each data set's intercept profiled out, and the Laplace
    covariance (JᵀJ)⁻¹ at the optimum."""
    cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
    n_w = len(model.w_obs) if use_w else 0
    n_t = len(model.t_obs) if use_t else 0

    def evaluate(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = x.tobytes()
        if key not in cache:
            off, log_r = x
            # a value kept at its prior does not move the model: only its prior residual holds it
            off_m, log_r_m = (off if use_w else 0.0), (log_r if use_t else 0.0)
            offs = np.array([off_m, off_m + OFFSET_STEP, off_m])
            logs = np.array([log_r_m, log_r_m, log_r_m + LOG_RESPONSE_STEP])
            w, t = model.predict(offs, np.exp(logs))
            dw = np.stack([(w[1] - w[0]) / OFFSET_STEP, (w[2] - w[0]) / LOG_RESPONSE_STEP], 1)
            dt = np.stack([(t[1] - t[0]) / OFFSET_STEP, (t[2] - t[0]) / LOG_RESPONSE_STEP], 1)
            res = np.concatenate([_centred(model.w_obs - w[0])[:n_w] / sigma_w,
                                  _centred(model.t_obs - t[0])[:n_t] / sigma_t,
                                  [off / offset_sd, log_r / log_r_sd]])
            jac = np.concatenate([-_centred(dw[:n_w]) / sigma_w, -_centred(dt[:n_t]) / sigma_t,
                                  np.diag([1.0 / offset_sd, 1.0 / log_r_sd])])
            jac[:n_w + n_t, 0] *= use_w
            jac[:n_w + n_t, 1] *= use_t
            cache.clear()
            cache[key] = (res, jac)
        return cache[key]

    lo_r, hi_r = RESPONSE_RANGE
    result = least_squares(lambda x: evaluate(x)[0], np.zeros(2), jac=lambda x: evaluate(x)[1],
                           bounds=([-MAX_OFFSET_KCAL, math.log(lo_r)],
                                   [MAX_OFFSET_KCAL, math.log(hi_r)]),
                           method="trf", x_scale=[offset_sd, log_r_sd], max_nfev=30)
    _, jac = evaluate(result.x)
    cov = np.linalg.inv(jac.T @ jac)
    theta = result.x * [use_w, use_t]
    return theta, cov


def _fitted(model: _Model, offset: float, response: float):
    """Fitted weigh-ins and thigh measures (intercepts included) and the daily fitted curve."""
    w, t = model.predict(np.array([offset]), np.array([response]))
    c_w = float(np.mean(model.w_obs - w[0])) if len(model.w_obs) else 0.0
    c_t = float(np.mean(model.t_obs - t[0])) if len(model.t_obs) else 0.0
    # the curve as the points are fitted: each day with the mean intake up to it
    columns, index = np.unique(model.mean_to_date[:model.days + 1], return_inverse=True)
    n = len(columns)
    draws = bands.Draws(np.full(n, offset), np.full(n, response),
                        np.full(n, float(model.profile.fast_twitch_pct)))
    bw, thigh, _, _ = model.trajectories(columns, draws)
    curve = [(d, round(float(bw[d, index[d]] + c_w), 2), round(float(thigh[d, index[d]] + c_t), 2))
             for d in range(0, model.days + 1)]
    return w[0] + c_w, t[0] + c_t, curve


def day_date(log: Log, day: int):
    """The calendar date of day ``day`` of the log (day 0 = its first date)."""
    return log.start + timedelta(days=day)
