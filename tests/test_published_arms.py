"""Published intervention arms (docs/science.md §3a, §3b) run through the effect model.

One test per published arm and number: a participant like the arm's average (age, sex, height, weight, body fat,
training dose in weekly hard sets for the thigh, intake relative to maintenance — assumptions in
each docstring) is run through ``effect.simulate`` (``effect.project`` where the planner's own
numbers are compared) and set against the reported value with an explicit tolerance.

Like with like
--------------
* Thigh or quadriceps muscle (MRI/CT volume or area, ultrasound thickness) is compared with the
  model's *thigh muscle*, exactly as ``leg_state`` builds a thigh: the thighs' share of the
  untrained leg-muscle change plus 80 % of the training accretion,
  Δthigh = thigh_share·(Δleg muscle − accretion) + 0.8·accretion, over thigh_share·leg_muscle0.
  With no deficit this is 0.8·accretion / (thigh_share·leg_muscle0). A programme that trains
  one muscle (knee extension) is compared through the same number: the model's ceiling is a
  relative rate per trained muscle (a share of body weight per month over the muscle's share of
  body weight), so the trained muscle's % is what the model predicts for a trained thigh.
* DXA lean (whole body) is compared with body weight − fat: lean tissue plus extracellular
  fluid and glycogen with its water, all of which DXA counts as lean.
* DXA leg lean is compared with the model's leg muscle.

Tolerances
----------
The 95 % confidence interval of the arm's mean: from the reported SE (t quantile for n − 1)
where the abstract gives it, otherwise from the between-person spread of hypertrophy (Hubal
2005, Med Sci Sports Exerc 37:964, n = 585: CV of the change in muscle area ≈ 0.5) for the
arm's n; widened only by a named measurement difference. An arm the model misses by more is
marked ``xfail(strict=True)`` with both numbers: that is where calibration is off.

Common assumptions: protein at the 1.6 g/kg/d plateau (the planner's default; habitual intakes
of ~1.1 g/kg would lower every modelled gain by ~30 %, ``protein_factor``); novices unless
stated; leg exercises of the trials (machines, free weights) counted as barbell hard sets;
"maintenance" is ``effect.maintenance_kcal`` (PAL × RMR plus the sessions' net cost, eaten back).
At that intake the model is slightly below balance: the thermic effect (10 %) and adaptive
thermogenesis (14 %, Hall 2011) of the extra food eaten for the sessions leave a deficit of about
0.24 × their cost (≈ 35 kcal/d for Harber's cycling), so "stable weight" arms lose a little fat.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from planner.model.profile import Profile, parse_profile
from planner.science import effect

HUBAL_CV = 0.5  # [-] between-person CV of the training-induced change in muscle area (Hubal 2005)
# Student t, 97.5 % quantile, by degrees of freedom
T95 = {5: 2.571, 6: 2.447, 10: 2.228, 12: 2.179, 15: 2.131, 16: 2.120, 17: 2.110}


def person(sex: str, age: int, height_cm: float, weight_kg: float, **fields) -> Profile:
    """A trial participant as a planner profile (Jackson body fat unless ``body_fat_pct``)."""
    return parse_profile(dict(name="participant", sex=sex, age=age, height_cm=height_cm,
                              weight_kg=weight_kg, goal="maintain", **fields))


def hubal_rtol(n: int) -> float:
    """[-] relative half-width of the 95 % CI of an arm mean of ``n`` (Hubal CV 0.5)."""
    return 1.96 * HUBAL_CV / math.sqrt(n)


def squat_week(weekly_sets: float, sessions: int = 3) -> effect.WeekLoad:
    """``weekly_sets`` hard sets for the thigh in ``sessions`` barbell sessions a week."""
    return effect.week_load([("squats_lunges", 50, weekly_sets / sessions, "barbell")] * sessions,
                            50.0)


def endurance_week(minutes_per_week: float, sessions: int, kcal_per_kg_week: float):
    """Continuous endurance exercise as the model's one endurance kind (``long_run``: its
    stimulus and interference follow the minutes), costing the trial's energy, not 6-mph
    running's (the trials walked, jogged and cycled)."""
    minutes = minutes_per_week / sessions
    load = effect.week_load([("long_run", minutes, minutes, None)] * sessions, 50.0)
    return dataclasses.replace(load, session_kcal_per_kg=kcal_per_kg_week)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """Changes at the end of an arm; % are of the value at the start."""

    weight_pct: float
    fat_kg: float
    lean_tissue_pct: float  # Hall's L (no extracellular fluid, glycogen or its water)
    dxa_lean_pct: float  # body weight − fat, as DXA's lean
    leg_muscle_kg: float
    leg_muscle_pct: float
    leg_fat_kg: float
    thigh_muscle_pct: float
    thigh_fat_pct: float


def outcome(profile: Profile, intake: float, load: effect.WeekLoad, days: int) -> Outcome:
    """Run ``days`` of ``load`` at ``intake`` [kcal/d] through ``effect.simulate``."""
    base = effect.baseline(profile)
    stimulus, growth = effect.training_inputs(base, load, effect.PROTEIN_PLATEAU)
    bw, fat, lean, acc = effect.simulate(base, intake, load.session_kcal_per_kg, stimulus,
                                         growth, days)
    leg_muscle, leg_fat, _ = effect.leg_state(base, fat[-1], lean[-1], acc[-1])
    thigh0 = base.thigh_share * base.leg_muscle0
    thigh = (base.thigh_share * (leg_muscle - base.leg_muscle0 - acc[-1])
             + effect.THIGH_SHARE_OF_TRAINING_GAIN * acc[-1])
    return Outcome(
        weight_pct=(bw[-1] / bw[0] - 1) * 100,
        fat_kg=fat[-1] - fat[0],
        lean_tissue_pct=(lean[-1] / lean[0] - 1) * 100,
        dxa_lean_pct=((bw[-1] - fat[-1]) / (bw[0] - fat[0]) - 1) * 100,
        leg_muscle_kg=leg_muscle - base.leg_muscle0,
        leg_muscle_pct=(leg_muscle / base.leg_muscle0 - 1) * 100,
        leg_fat_kg=leg_fat - base.leg_fat0,
        thigh_muscle_pct=thigh / thigh0 * 100,
        thigh_fat_pct=(leg_fat / base.leg_fat0 - 1) * 100,
    )


def at_maintenance(profile: Profile, load: effect.WeekLoad, days: int) -> Outcome:
    return outcome(profile, effect.maintenance_kcal(profile, load), load, days)


def mean(outcomes_and_weights) -> Outcome:
    """Weighted mean of the outcomes of a trial's women and men (its sex mix)."""
    pairs = list(outcomes_and_weights)
    total = sum(w for _, w in pairs)
    return Outcome(*(sum(getattr(o, f.name) * w for o, w in pairs) / total
                     for f in dataclasses.fields(Outcome)))


def weight_loss_arm(profile: Profile, exercise_share: float, minutes_per_week: float,
                    days: int, weight_change_pct: float, sessions: int = 6) -> Outcome:
    """An arm titrated, as the trials were, to a reported weight change: an energy deficit D
    [kcal/d] below PAL·RMR, ``exercise_share`` of it made by endurance sessions (intake
    PAL·RMR − (1 − share)·D) and the rest by eating less. D is found on a grid through the
    vectorised ``effect.simulate``, then the arm is run once at D."""
    base = effect.baseline(profile)

    def load_for(deficit):
        if minutes_per_week == 0:
            return effect.WeekLoad()
        return endurance_week(minutes_per_week, sessions,
                              7.0 * exercise_share * deficit / base.bw0)

    grid = np.linspace(0.0, 1500.0, 301)
    probe = load_for(1.0)
    stimulus, growth = effect.training_inputs(base, probe, effect.PROTEIN_PLATEAU)
    bw, _, _, _ = effect.simulate(base, base.ei0 - (1 - exercise_share) * grid,
                                  7.0 * exercise_share * grid / base.bw0 + 0.0 * grid,
                                  stimulus, growth, days)
    change = (bw[-1] / bw[0] - 1) * 100  # falls as the deficit grows
    deficit = float(np.interp(-weight_change_pct, -change, grid))
    result = outcome(profile, base.ei0 - (1 - exercise_share) * deficit, load_for(deficit), days)
    assert_allclose(result.weight_pct, weight_change_pct, atol=0.05)  # the trial's weight loss
    return result


# ---------------------------------------------------------------------------------------------
# §3a. Training keeps muscle when you eat less
# ---------------------------------------------------------------------------------------------
# Weiss 2017 (Med Sci Sports Exerc 49:206): overweight women and men, 45-65 y, 16.8 wk, ≈ −7 %
# weight in every arm; lower-extremity lean (DXA): CR ≈ −4 %, CREX ≈ −2 %, EX ≈ 0.
WEISS_2017 = {"CR": (0.0, 0.0, -4.0), "CREX": (0.5, 264.0, -2.0), "EX": (1.0, 444.0, 0.0)}


@functools.cache
def weiss_2017(arm: str) -> Outcome:
    """Assumed participants: 56 y, BMI 28.7 (a woman of 165 cm / 78 kg, a man of 178 cm /
    91 kg, Jackson body fat 40 % and 30 %), 60 % women (the abstract names women first; the
    split is not given), PAL 1.5 (sedentary). CR: intake alone makes the deficit; CREX: exercise
    makes half of it (intake −10 % and 4.4 h/wk of endurance exercise), EX: all of it (7.4 h/wk,
    intake unchanged); each titrated to −7.0 % weight in 118 days."""
    share, minutes, _ = WEISS_2017[arm]
    woman = person("female", 56, 165, 78)
    man = person("male", 56, 178, 91)
    return mean((weight_loss_arm(p, share, minutes, 118, -7.0), w)
                for p, w in ((woman, 0.6), (man, 0.4)))


@pytest.mark.parametrize("arm", list(WEISS_2017))
def test_weiss_2017_leg_lean(arm):
    """Weiss 2017: lower-extremity lean ≈ −4 % with calorie restriction alone (CR), ≈ −2 % when
    exercise made half the deficit (CREX), no change when it made all of it (EX).

    Tolerance ±2 percentage points: the 95 % CI of an arm of ≈ 17 inferred from the reported
    P values (CR −4 % at P < 0.0001 → SE ≤ 0.75 %; CREX −2 % at P = 0.05 → SE ≈ 1 %; t = 2.12).
    Model: leg muscle (DXA's leg lean also holds leg water, which a cut sheds; it is inside
    this tolerance)."""
    assert_allclose(weiss_2017(arm).leg_muscle_pct, WEISS_2017[arm][2], atol=2.0)


@pytest.mark.parametrize("arm, reported, se", [
    pytest.param("CR", -2.0, 0.57, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts DXA lean −3.7 % vs published ≈ −2 % (95 % CI ≈ −3.2 to −0.8 %): the "
        "leg (−4.8 % vs −4 %) is inside its tolerance; the trial's legs lost twice the "
        "whole-body %, the model's legs lose the same % as its lean tissue"))),
    ("CREX", -1.0, 1.27),
    ("EX", 0.0, 1.27),
])
def test_weiss_2017_whole_body_lean(arm, reported, se):
    """Weiss 2017: DXA whole-body lean ≈ −2 % (CR, P = 0.003), ≈ −1 % (CREX, P = 0.44), no
    change (EX). Model: body weight − fat. Tolerance: the 95 % CI (t(16) = 2.12 × SE) with the
    SE inferred from the P value of an arm of ≈ 17 (CR: t = 3.5 → SE 0.57 %; CREX: t = 0.79 →
    SE 1.27 %; EX: no P value, the CREX SE)."""
    assert_allclose(weiss_2017(arm).dxa_lean_pct, reported, atol=T95[16] * se)


def test_weiss_2017_more_exercise_less_leg_lean_lost():
    """Weiss 2017: at the same weight loss, the more of the deficit exercise makes, the less
    leg lean is lost: CR < CREX < EX (strict)."""
    cr, crex, ex = (weiss_2017(arm).leg_muscle_pct for arm in ("CR", "CREX", "EX"))
    assert cr < crex < ex


@functools.cache
def weiss_2007(arm: str) -> Outcome:
    """Weiss 2007 (J Appl Physiol 102:634): 50-60 y, BMI 23.5-29.9, 12 months. Assumed
    participants: 55 y, BMI 27.3 (a woman of 165 cm / 74.3 kg, a man of 178 cm / 86.5 kg,
    Jackson body fat), half women; PAL 1.5. CR: intake titrated to −10.7 % weight; EX:
    endurance exercise (assumed 6 × 55 min a week of walking/jogging/cycling) makes the whole
    deficit at unchanged intake, titrated to −9.5 % weight."""
    share, minutes, target = {"CR": (0.0, 0.0, -10.7), "EX": (1.0, 330.0, -9.5)}[arm]
    woman = person("female", 55, 165, 74.3)
    man = person("male", 55, 178, 86.5)
    return mean((weight_loss_arm(p, share, minutes, 365, target), 0.5) for p in (woman, man))


def test_weiss_2007_calorie_restriction_loses_thigh_muscle():
    """Weiss 2007: 12 months of calorie restriction, −10.7 % weight: MRI thigh muscle volume
    −6.9 ± 0.8 % (mean ± SE, n = 18). Tolerance: the 95 % CI, ±2.11 × 0.8 = ±1.7 points."""
    assert_allclose(weiss_2007("CR").thigh_muscle_pct, -6.9, atol=T95[17] * 0.8)


def test_weiss_2007_exercise_induced_loss_keeps_thigh_muscle():
    """Weiss 2007: a similar weight loss (−9.5 %) made by exercise did not reduce thigh muscle
    volume. Asserted: the model's thigh muscle falls by less than the CR arm's 95 % CI half-width
    (1.7 points, the size of fall that arm could detect), and less than in the CR arm."""
    ex, cr = weiss_2007("EX").thigh_muscle_pct, weiss_2007("CR").thigh_muscle_pct
    assert ex >= -T95[17] * 0.8
    assert ex > cr


@pytest.mark.parametrize("arm, reported, se, n", [
    pytest.param("CR", -3.5, 0.7, 18, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts DXA lean −5.4 % vs published −3.5 ± 0.7 % (95 % CI −5.0 to −2.0 %): "
        "Hall's Forbes partition takes more lean than this trial lost over 12 months, while the "
        "thigh (−8.2 % vs −6.9 %) is inside its CI: the trial's thigh lost twice the whole-body "
        "%, the model's legs lose the same % as its lean tissue (leg_lean_change_share)"))),
    pytest.param("EX", -2.2, 0.8, 16, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts DXA lean +1.5 % vs published −2.2 ± 0.8 % (95 % CI −3.9 to −0.5 %): "
        "when exercise makes the whole deficit lean_sparing keeps all lean (p_E = 1), and the "
        "endurance stimulus then grows the legs for a year (thigh +6.0 %)"))),
])
def test_weiss_2007_whole_body_lean(arm, reported, se, n):
    """Weiss 2007: DXA whole-body lean −3.5 ± 0.7 % (CR) and −2.2 ± 0.8 % (EX; mean ± SE).
    Model: body weight − fat (DXA's lean). Tolerance: the 95 % CI (t × SE)."""
    assert_allclose(weiss_2007(arm).dxa_lean_pct, reported, atol=T95[n - 1] * se)


# Beavers 2023 (Exp Gerontol 174:112126; Madrid, Beavers et al.): older adults with obesity,
# 18 months of diet-induced weight loss; mid-thigh muscle area (CT), adjusted for the weight lost:
# −6.20 cm² [−10.39, −2.02] diet alone (WL), −0.60 cm² [−4.14, 2.94] with resistance training,
# baseline 124.6 cm².
BEAVERS_CSA0 = 124.6


@functools.cache
def beavers_2023(arm: str) -> Outcome:
    """Assumed participants: 66 y, BMI 34.4 (the parent trial, Beavers 2017): a woman of
    162 cm / 90.3 kg and a man of 176 cm / 106.6 kg (Jackson body fat), 64 % women; PAL 1.4;
    both arms titrated to the same weight change, −7.5 % in 548 days (the parent trial lost
    5.7-8.7 kg; the CT results are adjusted for weight lost). WL+RT: 12 weekly hard sets for
    the thigh in 4 sessions (assumed: moderate-intensity machine training of older adults)."""
    woman = person("female", 66, 162, 90.3, pal=1.4)
    man = person("male", 66, 176, 106.6, pal=1.4)
    load = squat_week(12, sessions=4) if arm == "WL+RT" else effect.WeekLoad()

    def run(profile):
        base = effect.baseline(profile)
        grid = np.linspace(0.0, 1500.0, 301)
        stimulus, growth = effect.training_inputs(base, load, effect.PROTEIN_PLATEAU)
        maintenance = effect.maintenance_kcal(profile, load)
        bw, _, _, _ = effect.simulate(base, maintenance - grid, load.session_kcal_per_kg
                                      + 0.0 * grid, stimulus, growth, 548)
        deficit = float(np.interp(7.5, -(bw[-1] / bw[0] - 1) * 100, grid))
        result = outcome(profile, maintenance - deficit, load, 548)
        assert_allclose(result.weight_pct, -7.5, atol=0.05)
        return result

    return mean(((run(woman), 0.64), (run(man), 0.36)))


@pytest.mark.parametrize("arm, low, high", [("WL", -10.39, -2.02), ("WL+RT", -4.14, 2.94)])
def test_beavers_2023_mid_thigh_muscle(arm, low, high, request):
    """Beavers 2023: mid-thigh muscle area change within its reported 95 % CI, as % of the
    baseline 124.6 cm² (WL −8.3 to −1.6 %; WL+RT −3.3 to +2.4 %). A single CT slice vs the
    model's whole-thigh muscle: the slice's % is taken as the thigh's (muscle spread evenly)."""
    if arm == "WL+RT":
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "model predicts thigh muscle +21.4 % vs published −0.5 % (95 % CI −3.3 to +2.4 %) "
            "after 18 months of resistance training in a deficit: the model has no age term and "
            "keeps the year-1 ceiling for 78 weeks (beyond the planner's 52-week horizon), and a "
            "~200 kcal/d deficit still allows half of the training growth (growth_factor)")))
    pct = beavers_2023(arm).thigh_muscle_pct
    assert low / BEAVERS_CSA0 * 100 <= pct <= high / BEAVERS_CSA0 * 100


def test_beavers_2023_resistance_training_protects_most_thigh_muscle():
    """Beavers 2023: resistance training kept 1 − 0.60/6.20 = 90 % of the mid-thigh muscle
    that diet alone lost. Asserted: at the same weight loss it keeps at least half (most) of the
    diet-alone loss."""
    wl, rt = beavers_2023("WL").thigh_muscle_pct, beavers_2023("WL+RT").thigh_muscle_pct
    assert wl < 0
    assert 1 - rt / wl >= 0.5


# Garthe 2011 (IJSNEM 21:97): elite athletes (11 men, 13 women; SR 71.9 kg, 24 y) adding four
# lifting sessions a week; slow loss (−19 % intake, 8.5 wk): LBM +2.1 ± 0.4 % (n = 13); fast loss
# (−30 %, 5.3 wk): LBM −0.2 ± 0.7 % (n = 11); mean ± SE, DXA.
@functools.cache
def garthe_2011(arm: str) -> Outcome:
    """Assumed participants: a man of 24 y, 180 cm, 77 kg, 12 % fat and a woman of 23 y,
    168 cm, 67 kg, 22 % fat (11:13, mean 71.6 kg), intermediate lifters, PAL 1.9 (their own
    sport's training, which went on, counted as daily life); 24 weekly hard sets for the legs
    (assumed: 6 a session); intake −19 % (60 days) or −30 % (37 days) below maintenance."""
    cut, days = {"slow": (19.0, 60), "fast": (30.0, 37)}[arm]
    man = person("male", 24, 180, 77, body_fat_pct=12, strength_experience="intermediate",
                 pal=1.9)
    woman = person("female", 23, 168, 67, body_fat_pct=22, strength_experience="intermediate",
                   pal=1.9)
    load = squat_week(24, sessions=4)
    return mean((outcome(p, effect.maintenance_kcal(p, load) * (1 - cut / 100), load, days), w)
                for p, w in ((man, 11), (woman, 13)))


@pytest.mark.parametrize("arm, reported, se, n", [
    pytest.param("slow", 2.1, 0.4, 13, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts DXA lean −0.9 % vs published +2.1 % (95 % CI +1.2 to +3.0 %) in the "
        "slow cut: its deficit (≈ 400-480 kcal/d realised) leaves growth_factor (Murphy & "
        "Koehler 2022) near 0, so there is almost no training growth, and the cut's water loss "
        "(extracellular fluid, glycogen) counts against DXA lean"))),
    ("fast", -0.2, 0.7, 11),
])
def test_garthe_2011_lean_mass(arm, reported, se, n):
    """Garthe 2011: DXA lean body mass change; model: body weight − fat. Tolerance: the 95 % CI
    of the arm mean (t × SE)."""
    assert_allclose(garthe_2011(arm).dxa_lean_pct, reported, atol=T95[n - 1] * se)


def test_garthe_2011_fast_cut_keeps_less_lean_per_kg_lost():
    """Garthe 2011: the fast cut kept less lean (−0.2 % vs +2.1 %) for the same weight lost
    (−5.5 % vs −5.6 %). Asserted per kg of weight lost (DXA lean change / weight change)."""
    slow, fast = garthe_2011("slow"), garthe_2011("fast")
    assert fast.dxa_lean_pct / fast.weight_pct > slow.dxa_lean_pct / slow.weight_pct
    assert fast.lean_tissue_pct < slow.lean_tissue_pct


# Treuth 1994 (J Appl Physiol 77:614): 13 untrained men, 60 ± 4 y, 16 weeks of strength training,
# weight stable: DXA leg fat 7.583 → 6.945 kg, leg fat-free mass 19.416 → 20.131 kg, MRI mid-thigh
# muscle area 161 → 172 cm²; whole-body fat 23.8 kg, FFM 62.0 kg at the start.
def treuth_man() -> Profile:
    """Assumed participant: 60 y, 176 cm, 85.8 kg (23.8 kg fat + 62.0 kg FFM), 27.7 % fat."""
    return person("male", 60, 176, 85.8, body_fat_pct=27.7)


TREUTH_LOAD = squat_week(12)  # assumed: 2 sets of 2 thigh exercises, 3 days a week


def test_treuth_1994_leg_fat_falls_at_stable_weight():
    """Treuth 1994: leg fat −0.638 kg at a stable weight. The model, at maintenance for 16 weeks
    (``effect.project``), loses leg fat only through the energy the new lean tissue costs (and
    the small deficit eating the sessions back leaves, see the module docstring); it
    does not include the +7.7 % resting energy Pratley 1994 measured after such a programme, so a
    smaller fall is expected. Asserted: leg fat falls, by less than −0.638 kg, and adding the
    leg share (30 %) of the fat Pratley's rise would burn in 112 days (0.077 × RMR per day at
    the energy cost of fat, ρF + ηF) brings it to −0.638 kg within ±0.3 kg: the 95 % CI of the
    mean (P < 0.001, n = 13 → SE ≤ 0.15 kg)."""
    profile = treuth_man()
    projection = effect.project(profile, effect.maintenance_kcal(profile, TREUTH_LOAD),
                                TREUTH_LOAD, 16)
    leg_fat = projection.leg_fat_kg_change
    base = effect.baseline(profile)
    pratley_leg_fat = -(0.077 * base.rmr * 112 / (effect.RHO_F + effect.ETA_F)
                        * base.leg_fat_share)
    assert -0.638 < leg_fat < 0.0
    assert_allclose(leg_fat + pratley_leg_fat, -0.638, atol=0.3)


def test_treuth_1994_mid_thigh_muscle():
    """Treuth 1994: MRI mid-thigh muscle area +6.8 % (161 → 172 cm²) in 16 weeks. Tolerance:
    the 95 % CI of a mean of 13 (Hubal CV 0.5: ±27 % of 6.8 → ±1.8 points)."""
    assert_allclose(at_maintenance(treuth_man(), TREUTH_LOAD, 112).thigh_muscle_pct, 6.8,
                    atol=6.8 * hubal_rtol(13))


@pytest.mark.xfail(strict=True, reason=(
    "model predicts leg muscle +1.27 kg vs published leg fat-free mass +0.715 kg (95 % CI "
    "+0.52 to +0.91 kg): the model's thigh matches Treuth's mid-thigh area, but the whole leg "
    "grew less in the trial than the model's legs-only ceiling puts there (55 % of the body's "
    "ceiling, ignoring age)"))
def test_treuth_1994_leg_lean():
    """Treuth 1994: DXA leg fat-free mass +0.715 kg. Model: leg muscle [kg]. Tolerance: the 95 %
    CI of a mean of 13 (Hubal CV 0.5: ±27 %)."""
    assert_allclose(at_maintenance(treuth_man(), TREUTH_LOAD, 112).leg_muscle_kg, 0.715,
                    rtol=hubal_rtol(13))


# ---------------------------------------------------------------------------------------------
# §3b. Growth arms
# ---------------------------------------------------------------------------------------------
KRAEMER_WOMAN = {"sex": "female", "age": 23, "height_cm": 165, "weight_kg": 62, "body_fat_pct": 26}


@pytest.mark.parametrize("weeks, reported", [
    pytest.param(12, 3.0, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts thigh muscle +5.7 % vs published +3 % (±0.7) at 12 weeks: the women's "
        "ceiling (0.6 × 1.25 % of body weight a month) overshoots these untrained women"))),
    pytest.param(24, 4.5, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts thigh muscle +11.2 % vs published +4.5 % (±1.0) at 24 weeks: the "
        "model's gain is linear at the year-1 ceiling, the trial's slowed (+3 % then +1.5 %)"))),
])
def test_kraemer_2004_total_body_training_grows_the_thigh(weeks, reported):
    """Kraemer 2004 (Med Sci Sports Exerc 36:697): untrained women (23 y), total-body periodized
    training 3 days a week: MRI thigh muscle area ≈ +3 % at 12 weeks, ≈ +4.5 % at 24 weeks.
    Assumed: 165 cm, 62 kg, 26 % fat; 18 weekly hard sets for the thigh (3 sets of 2 leg
    exercises, 3 days); maintenance. Tolerance: the 95 % CI of a mean of ≈ 20 (Hubal CV 0.5:
    ±22 % of the reported value)."""
    profile = person(**KRAEMER_WOMAN)
    pct = at_maintenance(profile, squat_week(18), 7 * weeks).thigh_muscle_pct
    assert_allclose(pct, reported, rtol=hubal_rtol(20))


def test_kraemer_2004_upper_body_training_leaves_the_thigh():
    """Kraemer 2004: upper-body-only training (same women, 24 weeks) did not change the thigh.
    Modelled as sessions that cost energy (3 × 60 min at 3.5 MET, Compendium general resistance
    training) with no leg stimulus, eaten back. Tolerance: 1 point, a third of the smallest
    thigh change the trial detected (+3 %)."""
    profile = person(**KRAEMER_WOMAN)
    upper_body = effect.WeekLoad(session_kcal_per_kg=3 * 1.0 * (3.5 - 1.0))
    assert abs(at_maintenance(profile, upper_body, 168).thigh_muscle_pct) <= 1.0


# Abe 2000 (Eur J Appl Physiol 81:174): 17 men, 20 women, whole-body training to fatigue at
# 8-12 RM, 3 days a week, 12 weeks: lower-body muscle thickness (ultrasound) +7-9 % (men),
# +7-8 % (women).
ABE_LOAD = squat_week(9)  # assumed: one set to fatigue of 3 leg exercises, 3 days (Pollock lab)
ABE_PEOPLE = {"male": person("male", 22, 177, 75, body_fat_pct=18),
              "female": person("female", 22, 163, 58, body_fat_pct=27)}


@pytest.mark.parametrize("sex, low, high", [
    ("male", 7.0, 9.0),
    pytest.param("female", 7.0, 8.0, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts thigh muscle +4.0 % vs published thickness +7-8 % (volume-equivalent "
        "≥ 4.7 %): WOMEN_CEILING_FACTOR 0.6 gives women 0.75 of men's relative growth; equal "
        "relative growth needs 0.31/0.38 = 0.82"))),
])
def test_abe_2000_twelve_weeks_of_whole_body_training(sex, low, high):
    """Abe 2000. Assumed: 22 y; men 177 cm, 75 kg, 18 % fat; women 163 cm, 58 kg, 27 % fat;
    9 weekly hard sets for the thigh; maintenance. Measurement: muscle thickness grows more
    than muscle volume (Franchi 2018, Scand J Med Sci Sports 28:846: vastus lateralis thickness
    +7.5 % vs volume +5.0 %, ratio 1.5), so the model's thigh muscle % must lie between the
    lowest reported thickness gain / 1.5 and the highest."""
    pct = at_maintenance(ABE_PEOPLE[sex], ABE_LOAD, 84).thigh_muscle_pct
    assert low / 1.5 <= pct <= high


@pytest.mark.xfail(strict=True, reason=(
    "model's women/men ratio of relative thigh growth is 0.75 vs published ≈ 0.94 (7-8 % vs "
    "7-9 %; at least 7/9 = 0.78): WOMEN_CEILING_FACTOR 0.6 is below equal relative growth "
    "(0.31/0.38 = 0.82 at equal body weight)"))
def test_abe_2000_women_grow_as_much_as_men_relative_to_their_muscle():
    """Abe 2000 (and Walts 2008: +8.2 % vs +9.2 %; Roberts 2020): women's relative muscle gain
    matched men's. The ratio of the model's relative thigh gains for the same programme must lie
    in the reported range, 7/9 to 8/7."""
    women, men = (at_maintenance(ABE_PEOPLE[s], ABE_LOAD, 84).thigh_muscle_pct
                  for s in ("female", "male"))
    assert 7 / 9 <= women / men <= 8 / 7


SEYNNES_MAN = {"sex": "male", "age": 20, "height_cm": 178, "weight_kg": 72, "body_fat_pct": 16}


@pytest.mark.parametrize("days, low, high", ids=["day20", "day35"], argvalues=[
    pytest.param(20, 3.5 * (1 - hubal_rtol(7)), 5.2 * (1 + hubal_rtol(7)),
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "model predicts thigh muscle +1.5 % vs published quadriceps area "
                     "+3.5-5.2 % at day 20 (CI from 2.2 %): the model accrues at a constant "
                     "monthly ceiling; early gains in the trial were ~3× faster"))),
    pytest.param(35, 6.5 - T95[6] * 1.1, 7.4 + T95[6] * 0.8,
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "model predicts thigh muscle +2.6 % vs published quadriceps area "
                     "+6.5 ± 1.1 % / +7.4 ± 0.8 % at day 35 (95 % CI from 3.8 %)"))),
])
def test_seynnes_2007_early_quadriceps_growth(days, low, high):
    """Seynnes 2007 (J Appl Physiol 102:368): 7 young volunteers, bilateral leg extension on a
    flywheel 3 days a week (assumed 4 hard sets a session: 12 a week): quadriceps area +3.5 and
    +5.2 % (central, distal) at day 20; +6.5 ± 1.1 and +7.4 ± 0.8 % (SE) at day 35. Assumed: a
    man of 20 y, 178 cm, 72 kg, 16 % fat; maintenance. Tolerance: day 35, the 95 % CIs (t(6) ×
    SE) around the two regions; day 20 (no SE given), the Hubal CI for n = 7 (±37 %)."""
    pct = at_maintenance(person(**SEYNNES_MAN), squat_week(12), days).thigh_muscle_pct
    assert low <= pct <= high


@pytest.mark.parametrize("age, weight, reported, n", [
    pytest.param(20, 75, 5.0, 7, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts thigh muscle +2.5 % vs published quadriceps volume +5 ± 1 % (95 % CI "
        "+2.6 to +7.4 %): cycling is represented by the model's only endurance kind, Type I "
        "running with interference (≈ 2 set-equivalents a week); it has no cycling"))),
    pytest.param(74, 80, 6.0, 6, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts thigh muscle +2.4 % vs published quadriceps volume +6 ± 1 % (95 % CI "
        "+3.4 to +8.6 %): no cycling kind (see the young men)"))),
])
def test_harber_2012_cycle_training_grows_the_quadriceps(age, weight, reported, n):
    """Harber 2012 (J Appl Physiol 113:1495): 12 weeks of cycle ergometer training (20 → 45 min,
    3-4 days a week, 60-80 % heart-rate reserve): MRI quadriceps volume +5 ± 1 % (young men,
    n = 7), +6 ± 1 % (men of 74 y, n = 6; mean ± SE). Assumed: 178 cm, Jackson body fat;
    3 × 45 min a week at 7 MET (moderate cycling, Compendium) as the model's endurance kind;
    maintenance. Tolerance: the 95 % CI (t × SE)."""
    profile = person("male", age, 178, weight)
    load = endurance_week(135, 3, 135 / 60 * (7.0 - 1.0))
    assert_allclose(at_maintenance(profile, load, 84).thigh_muscle_pct, reported,
                    atol=T95[n - 1] * 1.0)


# Walts 2008 (Med Sci Sports Exerc 40:669): 181 inactive adults, 50-85 y, ≈ 10 weeks of one-leg
# knee extension; trained-leg quadriceps volume (CT, LS means): men 1845.5 → 2015.1 cm³
# (+9.2 %, n ≈ 80), women 1172.8 → 1268.7 cm³ (+8.2 %, n ≈ 97); mid-thigh subcutaneous fat
# unchanged in either leg (men 53.4 → 54.2, women 107.7 → 107.3 cm²; untrained legs 54.0 → 53.9,
# 105.3 → 104.4 cm²).
WALTS_LOAD = squat_week(12)  # assumed: 4 hard sets a session, 3 days (Hurley lab protocol)
WALTS_PEOPLE = {"male": person("male", 65, 176, 85), "female": person("female", 65, 162, 72)}


@pytest.mark.parametrize("sex, reported, n", [
    pytest.param("male", 9.2, 80, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts thigh muscle +5.0 % vs published trained quadriceps +9.2 % (95 % CI "
        "±1.0): even at the full stimulus (20+ sets) the model gives +6.7 %"))),
    pytest.param("female", 8.2, 97, marks=pytest.mark.xfail(strict=True, reason=(
        "model predicts thigh muscle +3.8 % vs published trained quadriceps +8.2 % (95 % CI "
        "±0.8): slow ceiling, and women's relative gain 0.75 of men's vs 0.89 here"))),
])
def test_walts_2008_trained_quadriceps(sex, reported, n):
    """Walts 2008: trained-leg quadriceps volume. Assumed: 65 y; men 176 cm, 85 kg; women
    162 cm, 72 kg (Jackson body fat); 12 weekly hard sets; maintenance; 70 days. Tolerance: the
    95 % CI of the arm mean (Hubal CV 0.5 for n ≈ 80-97: ±10-11 %)."""
    pct = at_maintenance(WALTS_PEOPLE[sex], WALTS_LOAD, 70).thigh_muscle_pct
    assert_allclose(pct, reported, rtol=hubal_rtol(n))


@pytest.mark.parametrize("sex", ["male", "female"])
def test_walts_2008_mid_thigh_fat_unchanged(sex):
    """Walts 2008: strength training did not change mid-thigh subcutaneous fat in the trained
    leg (men +1.5 %, women −0.4 %) or the untrained one (−0.2 %, −0.9 %): no spot reduction.
    The model's thigh fat follows whole-body fat by the legs' share; at maintenance it moves only
    with the energy the new muscle costs (and the sessions' eaten-back deficit). Tolerance: the range of the four reported changes
    (−0.9 to +1.5 %) widened by 1 point each way, the repeatability of a CT area."""
    pct = at_maintenance(WALTS_PEOPLE[sex], WALTS_LOAD, 70).thigh_fat_pct
    assert -1.9 <= pct <= 2.5
