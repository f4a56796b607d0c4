"""The effect model: what a week of training plus a calorie target does to a body and its thighs.

Pure functions, pvlib style: each takes plain numbers in stated units and returns plain numbers.
Layers (docs/science.md §1-§4):

1. energy out — resting energy (Mifflin–St Jeor), daily life (PAL), sessions priced by
   Compendium METs (``session_net_kcal``);
2. energy balance — the dynamic model of Hall et al. 2011, stepped daily with Runge–Kutta 4
   (``project``); fat follows lean by Forbes' partition;
3. training — hypertrophy stimulus from fibre-weighted hard-set equivalents (Schoenfeld 2017,
   Ogborn & Schoenfeld 2014), a ceiling by training age (Aragon; McDonald), interference from
   endurance running (Wilson 2012), protein (Morton 2018), deficit blunting (Murphy & Koehler
   2022) and surplus beyond ~+100 kcal/d net going to fat (Garthe 2013; Helms 2023);
4. the leg — leg muscle and leg fat as cited shares of the whole body (no spot reduction), and the
   thigh circumference of a cylinder of muscle in a shell of fat.

References
----------
[1] Hall KD et al. Quantification of the effect of energy imbalance on bodyweight. Lancet
    2011;378:826-37. doi:10.1016/S0140-6736(11)60812-X (and its web appendix).
[2] Mifflin MD et al. Am J Clin Nutr 1990;51:241-7. doi:10.1093/ajcn/51.2.241
[3] Herrmann SD et al. 2024 Adult Compendium of Physical Activities. J Sport Health Sci
    2024;13:6-12. doi:10.1016/j.jshs.2023.10.010
[4] Silva AM et al. Total body water and its compartments... Eur J Clin Nutr 2007;61:1384.
[5] Forbes GB. Body fat content influences the body composition response to nutrition and
    exercise. Ann N Y Acad Sci 2000;904:359-65.
[6] Schoenfeld BJ, Ogborn D, Krieger JW. J Sports Sci 2017;35:1073-82.
    doi:10.1080/02640414.2016.1210197
[7] Ogborn D, Schoenfeld BJ. Strength Cond J 2014;36:20-25. (Type II fibres grow ~1.5x Type I)
[8] Wilson JM et al. J Strength Cond Res 2012;26:2293-307. doi:10.1519/JSC.0b013e31823a3e2d
[9] Morton RW et al. Br J Sports Med 2018;52:376-84. doi:10.1136/bjsports-2017-097608
[10] Murphy C, Koehler K. Scand J Med Sci Sports 2022;32:125-37. doi:10.1111/sms.14075
[11] Garthe I et al. Int J Sport Nutr Exerc Metab 2011;21:97-104 and 2013;23:175-86.
[12] Helms ER et al. Sports Med Open 2023;9:102 (5 % vs 15 % surplus).
[13] Janssen I et al. J Appl Physiol 2000;89:81-8. (skeletal muscle mass and its distribution)
[14] de Leva P. Adjustments to Zatsiorsky-Seluyanov's segment inertia parameters. J Biomech
     1996;29:1223-30. doi:10.1016/0021-9290(95)00178-6
[15] Kelly TL, Wilson KE, Heymsfield SB. PLoS ONE 2009;4:e7038 (NHANES DXA reference values).
[16] Aragon AA (in McDonald L., "What's my genetic muscular potential?"), rates by training age.
[17] Abe T, DeHoyos DV, Pollock ML, Garzarella L. Eur J Appl Physiol 2000;81:174-80.
     doi:10.1007/s004210050027
[18] Roberts BM, Nuckols G, Krieger JW. J Strength Cond Res 2020;34:1448-60 (sex differences in
     resistance training: similar relative hypertrophy).
[19] Baz-Valle E et al. J Hum Kinet 2022;81:199-210 (weekly sets and hypertrophy).
[20] Beavers KM et al. (resistance training vs walking during 18 months of weight loss in older
     adults; mid-thigh muscle area by CT), 2023.
[21] Weiss EP et al. Med Sci Sports Exerc 2017;49:206-17. doi:10.1249/MSS.0000000000001074
[22] Weiss EP et al. J Appl Physiol 2007;102:634-40. doi:10.1152/japplphysiol.00853.2006
[23] Pratley R et al. J Appl Physiol 1994;76:133-7. doi:10.1152/jappl.1994.76.1.133 (resting
     energy +7.7 % after 16 weeks of strength training: NOT modelled, see docs/science.md §3a)
[24] Treuth MS et al. J Appl Physiol 1994;77:614-20. doi:10.1152/jappl.1994.77.2.614
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable

import numpy as np

from planner.model.profile import DAYS_PER_WEEK, Profile
from planner.model.sessions import CATALOGUE, SQUAT_LOADS

# ---------------------------------------------------------------------------------------------
# Constants, one table, each with its source (docs/science.md).
# ---------------------------------------------------------------------------------------------
KCAL_PER_MJ = 239.006
RHO_F = 39.5 * KCAL_PER_MJ  # [kcal/kg] energy density of fat [1]
RHO_L = 7.6 * KCAL_PER_MJ  # [kcal/kg] energy density of lean tissue [1]
RHO_G = 17.6 * KCAL_PER_MJ  # [kcal/kg] energy density of glycogen [1]
ETA_F = 750 * KCAL_PER_MJ / 1000  # [kcal/kg] cost of depositing fat [1]
ETA_L = 960 * KCAL_PER_MJ / 1000  # [kcal/kg] cost of depositing lean [1]
GAMMA_F = 3.1  # [kcal/kg/d] maintenance cost of fat [1]
GAMMA_L = 22.0  # [kcal/kg/d] maintenance cost of lean [1]
BETA_TEF = 0.1  # [-] thermic effect of food, share of intake [1]
BETA_AT = 0.14  # [-] adaptive thermogenesis, share of the intake change [1]
TAU_AT = 14.0  # [d] time constant of adaptive thermogenesis [1]
FORBES_C = 10.4 * RHO_L / RHO_F  # [kg] Forbes constant C (≈ 2.0 kg) [1, 5]
GLYCOGEN0 = 0.5  # [kg] initial glycogen [1]
GLYCOGEN_WATER = 2.7  # [g water / g glycogen] [1]
CARB_SHARE = 0.5  # [-] carbohydrate share of intake, held constant [1]
ZETA_NA = 3000.0  # [mg/L/d] renal sodium response [1]
ZETA_CI = 4000.0  # [mg/d] carbohydrate effect on sodium excretion [1]
SODIUM = 3220.0  # [mg/L] extracellular sodium concentration [1]

# Training layer (docs/science.md §3)
DEFICIT_ZERO_GAIN = 500.0  # [kcal/d] deficit at which lifting adds no lean mass [10]
# [kcal/d] net surplus (after TEF and adaptive thermogenesis) beyond which extra energy goes to
# fat: a 5 % intake surplus (~130 kcal/d, ~100 net) grew as much muscle as 15 % (Helms 2023) [11, 12]
SURPLUS_USEFUL = 100.0
TYPE2_GROWTH_RATIO = 1.5  # [-] Type II fibres grow ~1.5x more than Type I [7]
# [hard sets/week] stimulus at which the training-age ceiling is reached: the top of the usual
# 12-20 weekly sets per muscle (Baz-Valle 2022 [19]; Schoenfeld 2017 [6]: 10+ beats fewer)
SETS_FULL = 20.0
SETS_INTERCEPT_PCT = 4.4  # [%] gain of the first weekly set(s), Schoenfeld 2017 fit [6]
SETS_SLOPE_PCT = 0.37  # [% per weekly set] [6]
INTERFERENCE_MAX = 0.4  # [-] largest share of the stimulus endurance running cancels [8]
INTERFERENCE_MINUTES = 100.0  # [min/week] e-folding endurance volume of interference [8]
PROTEIN_PLATEAU = 1.6  # [g/kg/d] gains plateau (95 % CI 1.0-2.2) [9]
# Ceiling of monthly lean gain as share of body weight, men [16]: the centres of Aragon's ranges
# (year 1: 1-1.5 %, year 2: 0.5-1 %, year 3+: 0.25-0.5 %), a central estimate (docs/science.md §3b).
CEILING_PCT_PER_MONTH = {"novice": 1.25, "intermediate": 0.75, "advanced": 0.375}
# Women: "about half" in absolute terms [16], yet trials find the same *relative* growth in women
# and men (Abe 2000 [17]: lower-body muscle thickness +7-8 % vs +7-9 %; Roberts 2020 [18]). The
# ceiling is per kg of body weight, so equal relative growth would be 0.31/0.38 = 0.82 (muscle
# shares [13]); 0.6 sits between "half" and that (the published arms still find the model's women
# low: tests/test_published_arms.py).
WOMEN_CEILING_FACTOR = 0.6
DAYS_PER_MONTH = 30.44

# Training keeps lean mass in a deficit (docs/science.md §3a): the share of the untrained (Forbes)
# lean loss that training prevents.
# Resistance training: Beavers 2023 [20], mid-thigh muscle area −6.20 cm² diet alone vs −0.60 cm²
# with resistance training → 1 − 0.60/6.20 = 0.90 of the loss prevented.
# It is reached at the full stimulus (s = 1, ``SETS_FULL`` weekly sets) and scales in proportion
# below it (assumption, evidence thin: linear in s, which also keeps the solver's surrogate, linear
# in s on each calorie level, exact in s).
SPARING_RESISTANCE_MAX = 0.90
# Exercise-induced deficit: Weiss 2017 [21] (≈ −7 % weight in each arm): lower-extremity lean
# −4 % with diet alone, −2 % when about half the deficit came from exercise, 0 when all of it did;
# Weiss 2007 [22]: exercise-induced loss kept thigh muscle. Protection = share of the deficit
# that exercise makes, × 1.0 (linear through those three arms).
SPARING_EXERCISE_MAX = 1.0

# The leg (docs/science.md §4)
SKELETAL_MUSCLE_SHARE = {"male": 0.38, "female": 0.31}  # [-] of body weight [13]
LOWER_BODY_MUSCLE_SHARE = 0.55  # [-] of skeletal muscle in the lower body [13]
LEG_FAT_SHARE = {"male": 0.30, "female": 0.39}  # [-] of whole-body fat in the legs [15]
# de Leva 1996 [14]: one thigh 14.16 % (men) / 14.78 % (women) of body mass; shank 4.33 / 4.81 %;
# foot 1.37 / 1.29 %; thigh length 422.2 / 368.5 mm for statures of 1741 / 1735 mm.
THIGH_MASS_SHARE = {"male": 0.1416, "female": 0.1478}  # [-] one thigh / body mass [14]
THIGH_SHARE_OF_LEG = {"male": 0.1416 / (0.1416 + 0.0433 + 0.0137),
                      "female": 0.1478 / (0.1478 + 0.0481 + 0.0129)}  # [-] thigh / lower limb
THIGH_LENGTH_PER_HEIGHT = {"male": 422.2 / 1741, "female": 368.5 / 1735}  # [-] [14]
# Squats, lunges, sprints and hill repeats load chiefly the quadriceps, hamstrings and adductors:
# most of what they grow is in the thigh, little in the calf (assumption, stated in the README).
THIGH_SHARE_OF_TRAINING_GAIN = 0.8
MUSCLE_DENSITY = 1.06  # [g/cm^3]
FAT_DENSITY = 0.90  # [g/cm^3]
OTHER_DENSITY = 1.30  # [g/cm^3] bone, skin and connective tissue of the thigh (blended)


# ---------------------------------------------------------------------------------------------
# 1. Energy out
# ---------------------------------------------------------------------------------------------
def resting_energy_mifflin(sex: str, weight_kg: float, height_cm: float, age: float) -> float:
    """Resting energy expenditure [kcal/d], Mifflin–St Jeor [2].

    RMR = 9.99·W + 6.25·H − 4.92·A + 5 (men) or − 161 (women); W [kg], H [cm], A [years].

    Example: a man of 90 kg, 180 cm, 40 years → 1832.3 kcal/d.
    """
    base = 9.99 * weight_kg + 6.25 * height_cm - 4.92 * age
    return base + (5.0 if sex == "male" else -161.0)


def daily_life_kcal(pal: float, rmr_kcal: float) -> float:
    """Energy of daily life outside planned sessions [kcal/d] = PAL × RMR (Hall 2011 [1])."""
    return pal * rmr_kcal


def segment_net_kcal(met: float, weight_kg: float, minutes: float) -> float:
    """Net energy of an activity [kcal] = (MET − 1) × mass [kg] × hours (Compendium 2024 [3])."""
    return max(met - 1.0, 0.0) * weight_kg * minutes / 60.0


def session_net_kcal(
    kind: str, minutes: float, dose: float, weight_kg: float, load: str | None = None
) -> float:
    """Net energy of one session [kcal] above resting, priced segment by segment [3].

    Intervals are priced as work and recovery separately (a sprint session is mostly
    recovery, docs/science.md §1); time beyond the reps is priced as warm-up. EPOC (after-burn,
    5-15 % of the session, Bahr 1987) is left out: small, and leaving it out is conservative
    for loss goals.

    Parameters
    ----------
    kind : session kind; minutes : [min] whole session; dose : [reps, sets or minutes];
    weight_kg : [kg] body mass; load : squat variant (barbell, goblet, bodyweight).

    Example: a 60-minute long run at 6 mph (9.3 MET) for 70 kg → 581 kcal.
    """
    spec = CATALOGUE[kind]
    if spec.dose_field == "minutes":
        return segment_net_kcal(spec.work_met, weight_kg, minutes)
    work_met = spec.work_met
    if kind == "squats_lunges":
        work_met = SQUAT_LOADS[load or "barbell"][1]
    work_min = dose * spec.work_seconds / 60.0
    rec_min = dose * spec.recovery_seconds / 60.0
    warm_min = max(minutes - work_min - rec_min, 0.0)
    warm_met = spec.warmup.met if spec.warmup else 1.0
    return (
        segment_net_kcal(work_met, weight_kg, work_min)
        + segment_net_kcal(spec.recovery_met, weight_kg, rec_min)
        + segment_net_kcal(warm_met, weight_kg, warm_min)
    )


# ---------------------------------------------------------------------------------------------
# 3. Training terms (pure functions of weekly totals)
# ---------------------------------------------------------------------------------------------
def fibre_factor(type2_share: float, fast_twitch_pct: float) -> float:
    """Growth multiplier [-] of a session for an athlete's fibre mix, 1 at 50 % fast-twitch.

    The stimulus landing on Type II fibres (``type2_share`` of it) grows them 1.5× more than the
    same stimulus on Type I fibres [7]; how much Type II muscle there is to grow is the athlete's
    fast-twitch share φ (vastus lateralis 15-85 %, ~45 % heritable; Simoneau 1989/1995).

        f = (r·φ·1.5 + (1 − r)·(1 − φ)) / (r·0.5·1.5 + (1 − r)·0.5)

    Example: sprints (r = 0.9) for φ = 0.7 → 1.34; for φ = 0.3 → 0.66.
    """
    phi = fast_twitch_pct / 100.0
    r = type2_share
    num = r * phi * TYPE2_GROWTH_RATIO + (1 - r) * (1 - phi)
    den = r * 0.5 * TYPE2_GROWTH_RATIO + (1 - r) * 0.5
    return num / den


def session_set_equivalents(
    kind: str, dose: float, fast_twitch_pct: float, load: str | None = None
) -> float:
    """Hypertrophy stimulus of one session [hard-set equivalents], fibre-weighted.

    dose [reps, sets, or minutes for a long run] × set equivalents per unit (sessions.py) ×
    squat load factor × ``fibre_factor``.
    """
    spec = CATALOGUE[kind]
    load_factor = SQUAT_LOADS[load or "barbell"][0] if kind == "squats_lunges" else 1.0
    return dose * spec.set_equivalents_per_dose * load_factor * fibre_factor(
        spec.type2_share, fast_twitch_pct
    )


def stimulus_fraction(weekly_sets: float) -> float:
    """Share of the training-age ceiling a week's hard sets reach [0-1] (Schoenfeld 2017 [6]).

    Schoenfeld's dose-response: gain ≈ 4.4 % + 0.37 % per weekly set (< 5, 5-9, 10+ sets:
    5.4, 6.6, 9.8 %). Normalised to the gain at ``SETS_FULL`` = 20 sets/week, capped at 1; the
    first set ramps in linearly from 0 so no training means no stimulus.

    Example: 10 sets → 0.686; 20 sets → 1.0.
    """
    x = _clip(weekly_sets, 0.0, SETS_FULL)  # a float, or a numpy array of draws
    gain = SETS_SLOPE_PCT * x + SETS_INTERCEPT_PCT * _clip(x, 0.0, 1.0)
    return gain / (SETS_SLOPE_PCT * SETS_FULL + SETS_INTERCEPT_PCT)


def interference_factor(endurance_minutes_per_week: float) -> float:
    """Share of growth left after endurance running interferes [0.6-1] (Wilson 2012 [8]).

    Hypertrophy effect size: strength only 1.23, concurrent 0.85 (ratio 0.69), and interference
    grows with endurance duration and frequency. Modelled as
    1 − 0.4·(1 − exp(−minutes/100)) on the stimulus; a typical concurrent programme of ~100-120
    min/week of running then keeps about two thirds of the squat-driven growth (tested).

    Example: 0 min → 1.0; 120 min → 0.720.
    """
    m = max(endurance_minutes_per_week, 0.0)
    return 1.0 - INTERFERENCE_MAX * (1.0 - math.exp(-m / INTERFERENCE_MINUTES))


def protein_factor(protein_g_per_kg: float) -> float:
    """Share of the protein-limited gain [0.5-1] (Morton 2018 [9]): plateau at 1.6 g/kg/d,
    falling linearly to 0.5 at the 0.8 g/kg/d RDA and below."""
    x = (protein_g_per_kg - 0.8) / (PROTEIN_PLATEAU - 0.8)
    return min(1.0, max(0.5, 0.5 + 0.5 * x))


def max_gain_kg_per_day(sex: str, experience: str, weight_kg: float) -> float:
    """Ceiling of lean gain from leg training [kg/d] by training age [16].

    Men gain at most ~1-1.5 % of body weight per month in year 1, 0.5-1 % in year 2, 0.25-0.5 %
    after; women 0.6 of that. The centre of each range is used, and a legs-only programme can reach only the
    lower body's share of skeletal muscle (55 %, Janssen 2000 [13]).

    Example: 80 kg novice man → 1.0 kg/month × 0.55 → 0.01807 kg/d.
    """
    pct = CEILING_PCT_PER_MONTH[experience] * (1.0 if sex == "male" else WOMEN_CEILING_FACTOR)
    return pct / 100.0 * weight_kg / DAYS_PER_MONTH * LOWER_BODY_MUSCLE_SHARE


def _clip(x, lo: float, hi: float):
    """``x`` limited to [lo, hi], for a float or a numpy array."""
    if isinstance(x, np.ndarray):
        return x.clip(lo, hi)  # what np.clip calls, without its dispatch layers
    return lo if x < lo else (hi if x > hi else x)  # called per RK4 stage: no min/max calls


def growth_factor(energy_balance_kcal):
    """Share of the training gain the energy balance allows [0-1] (Murphy & Koehler 2022 [10];
    Garthe 2013, Helms 2023 [11, 12]).

    Lean-mass gain from training falls linearly with the deficit and is about zero at a deficit of
    500 kcal/d; beyond a small net surplus (~100 kcal/d after TEF and adaptive thermogenesis: a 5 %
    intake surplus grew as much muscle as 15 %) extra energy adds fat, not muscle:

        φ(E) = clip((E + 500) / (500 + 100), 0, 1)

    Example: E = −500 → 0; E = 0 → 0.833; E = +100 → 1.
    """
    return _clip((energy_balance_kcal + DEFICIT_ZERO_GAIN) / (DEFICIT_ZERO_GAIN + SURPLUS_USEFUL),
                 0.0, 1.0)


def lean_sparing(stimulus, exercise_share):
    """Share of the untrained (Forbes) lean loss of a deficit that training prevents [0-1].

    Two routes, combined as independent protections, p = 1 − (1 − p_R)·(1 − p_E):

    * resistance-type work: p_R = 0.90 · s, s the effective stimulus [0-1] (Beavers 2023 [20]:
      mid-thigh muscle area −6.20 cm² with diet alone, −0.60 cm² with resistance training);
    * exercise-induced deficit: p_E = min(share of the deficit made by the sessions, 1) (Weiss 2017
      [21]: lower-extremity lean −4 %, −2 %, 0 % as exercise makes none, half, all of the deficit;
      Weiss 2007 [22]).

    Parameters: stimulus [0-1]; exercise_share [-] sessions' energy / energy deficit.

    Example: s = 0, share 0.5 → 0.5; s = 1, share 0 → 0.9; s = 1, share 0.5 → 0.95.
    """
    return sparing_with(resistance_sparing(stimulus), exercise_share)


def resistance_sparing(stimulus):
    """``lean_sparing``'s resistance route p_R = 0.90 · s [0-0.9]; constant over a projection, so
    ``simulate`` computes it once and combines it per step with ``sparing_with``."""
    return SPARING_RESISTANCE_MAX * _clip(stimulus, 0.0, 1.0)


def sparing_with(p_resistance, exercise_share):
    """``lean_sparing`` from its resistance route p_R and the exercise share of the deficit:
    1 − (1 − p_R)·(1 − min(share, 1))."""
    return 1.0 - (1.0 - p_resistance) * (1.0 - SPARING_EXERCISE_MAX * _clip(exercise_share, 0.0, 1.0))


@dataclass(frozen=True)
class WeekLoad:
    """A week of training reduced to what the effect model needs (it depends only on these).

    session_kcal_per_kg: [kcal per kg body mass per week] net cost of all sessions;
    set_equivalents: [hard-set equivalents / week] fibre-weighted stimulus;
    endurance_minutes: [min/week] continuous running (interference);
    running_minutes: [min/week] all running (load progression guardrail).
    """

    session_kcal_per_kg: float = 0.0
    set_equivalents: float = 0.0
    endurance_minutes: float = 0.0
    running_minutes: float = 0.0


def week_load(
    sessions: Iterable[tuple[str, float, float, str | None]], fast_twitch_pct: float
) -> WeekLoad:
    """Sum a week's sessions, each (kind, minutes, dose, load), into a ``WeekLoad``."""
    kcal = sets = endurance = running = 0.0
    for kind, minutes, dose, load in sessions:
        kcal += session_net_kcal(kind, minutes, dose, 1.0, load)
        sets += session_set_equivalents(kind, dose, fast_twitch_pct, load)
        spec = CATALOGUE[kind]
        if spec.running:
            running += minutes
        if kind == "long_run":
            endurance += minutes
    return WeekLoad(kcal, sets, endurance, running)


# ---------------------------------------------------------------------------------------------
# 2. The body at the start
# ---------------------------------------------------------------------------------------------
def ecf_silva(sex: str, age: float, height_cm: float, weight_kg: float) -> float:
    """Extracellular fluid at baseline [kg ≈ L], Silva 2007 [4] as used by Hall 2011 [1].

    Men 0.025·A + 9.57·H + 0.191·W − 12.4; women −4.0 + 5.98·H + 0.167·W (H in m).
    """
    h = height_cm / 100.0
    if sex == "male":
        return 0.025 * age + 9.57 * h + 0.191 * weight_kg - 12.4
    return -4.0 + 5.98 * h + 0.167 * weight_kg


@dataclass(frozen=True)
class Baseline:
    """Everything about the athlete at day 0 the projection needs (prepared once)."""

    bw0: float  # [kg]
    fat0: float  # [kg]
    lean0: float  # [kg] lean tissue without ECF and glycogen water
    ecf0: float  # [kg]
    rmr: float  # [kcal/d]
    ei0: float  # [kcal/d] maintenance intake without planned sessions = PAL·RMR
    k: float  # [kcal/d] constant of expenditure
    delta: float  # [kcal/kg/d] physical activity per kg
    g_max: float  # [kg/d] training-age ceiling of lean gain
    leg_muscle0: float  # [kg] both legs
    leg_fat0: float  # [kg] both legs
    leg_lean_change_share: float  # [-] share of a non-training lean change landing in leg muscle
    leg_fat_share: float  # [-] share of whole-body fat in the legs
    thigh_share: float  # [-] thigh share of the leg's tissue
    thigh_length_cm: float
    thigh_other_cm3: float  # [cm^3] bone, skin and other tissue of one thigh (constant)


def baseline(profile: Profile) -> Baseline:
    """Prepare the athlete's starting state (Hall 2011 [1] initial conditions; leg shares).

    Skeletal muscle is 38 % (men) / 31 % (women) of body mass and 55 % of it is in the lower
    body (Janssen 2000 [13]); legs hold 30 % (men) / 39 % (women) of body fat (NHANES DXA,
    Kelly 2009 [15]; approximate). A thigh is 14.2 % / 14.8 % of body mass (de Leva 1996 [14]);
    what is not its muscle or fat (bone, skin, other tissue) is held constant. A profile's
    ``calibration`` (what ``legplan calibrate`` learned) is applied here, by ``individual``, so
    every command that projects or solves uses it.
    """
    sex = profile.sex
    bw = profile.weight_kg
    fat = profile.body_fat_fraction * bw
    ecf = ecf_silva(sex, profile.age, profile.height_cm, bw)
    lean = bw - fat - ecf - (1.0 + GLYCOGEN_WATER) * GLYCOGEN0
    rmr = resting_energy_mifflin(sex, bw, profile.height_cm, profile.age)
    ei0 = daily_life_kcal(profile.pal, rmr)
    delta = ((1.0 - BETA_TEF) * profile.pal - 1.0) * rmr / bw
    k = ei0 - GAMMA_F * fat - GAMMA_L * lean - delta * bw
    muscle = SKELETAL_MUSCLE_SHARE[sex] * bw
    leg_muscle = LOWER_BODY_MUSCLE_SHARE * muscle
    leg_fat = LEG_FAT_SHARE[sex] * fat
    thigh_share = THIGH_SHARE_OF_LEG[sex]
    thigh_g = THIGH_MASS_SHARE[sex] * bw * 1000.0
    tissue_g = (leg_muscle + leg_fat) / 2 * thigh_share * 1000.0
    other_g = max(thigh_g - tissue_g, 0.1 * thigh_g)
    base = Baseline(
        bw0=bw, fat0=fat, lean0=lean, ecf0=ecf, rmr=rmr, ei0=ei0, k=k, delta=delta,
        g_max=max_gain_kg_per_day(sex, profile.strength_experience, bw),
        leg_muscle0=leg_muscle, leg_fat0=leg_fat,
        leg_lean_change_share=min(leg_muscle / lean, 1.0),
        leg_fat_share=LEG_FAT_SHARE[sex],
        thigh_share=thigh_share,
        thigh_length_cm=THIGH_LENGTH_PER_HEIGHT[sex] * profile.height_cm,
        thigh_other_cm3=other_g / OTHER_DENSITY,
    )
    if profile.calibration is None:
        return base
    return individual(base, maintenance_offset(profile), profile.calibration.response)


def individual(base: Baseline, offset_kcal, response) -> Baseline:
    """The baseline of one athlete who differs from the equations (docs/design.md
    "Calibration"): maintenance shifted by ``offset_kcal`` [kcal/d] (negative: burns less; both
    the maintenance intake ``ei0`` and the expenditure constant ``k`` move, so the body starts in
    balance at the new maintenance) and the training-age ceiling ``g_max`` scaled by
    ``response`` [×] (responders differ several-fold: Hubal 2005, Bamman 2007).

    The one place a calibration (``baseline``), a parameter draw (``bands``) and a trial fit
    (``calibration``) act on the model; either argument may be a numpy array of draws.
    """
    return replace(base, ei0=base.ei0 + offset_kcal, k=base.k + offset_kcal,
                   g_max=base.g_max * response)


def thigh_circumference_cm(
    thigh_muscle_kg: float, thigh_fat_kg: float, thigh_length_cm: float, other_cm3: float
) -> float:
    """Circumference [cm] of one thigh: a cylinder of muscle (1.06 g/cm³) and other tissue inside
    a shell of fat (0.90 g/cm³), as long as the thigh segment (de Leva 1996 [14]).

    C = sqrt(4π·V/h). Tissue is spread evenly along the thigh (an assumption), so a change ΔV
    moves the girth by ≈ 2π·ΔV / (h·C).

    Example: 3.9 kg muscle, 2.4 kg fat, 3,000 cm³ other, h = 35.7 cm → 57.36 cm.
    """
    volume = (thigh_muscle_kg * 1000.0 / MUSCLE_DENSITY + thigh_fat_kg * 1000.0 / FAT_DENSITY
              + other_cm3)
    volume = volume * (volume > other_cm3) + other_cm3 * (volume <= other_cm3)  # tissue ≥ 0
    return (4.0 * math.pi * volume / thigh_length_cm) ** 0.5


# ---------------------------------------------------------------------------------------------
# 2 + 3. The dynamic model
# ---------------------------------------------------------------------------------------------
def training_inputs(base: Baseline, load: WeekLoad, protein_g_per_kg: float) -> tuple[float, float]:
    """The two numbers through which a week of training acts: (stimulus s [0-1], growth G [kg/d]).

    s = ``stimulus_fraction``(weekly hard-set equivalents) × ``interference_factor``(endurance
    minutes) — endurance running blunts the anabolic signal, so it scales both the growth and the
    lean-sparing re-partition (Wilson 2012 [8]); G = training-age ceiling × ``protein_factor``.
    """
    s = stimulus_fraction(load.set_equivalents) * interference_factor(load.endurance_minutes)
    return s, base.g_max * protein_factor(protein_g_per_kg)


@dataclass(frozen=True)
class State:
    """The body's state at one moment of a projection (floats, or numpy arrays of many plans):
    lean and fat tissue [kg], training accretion so far [kg], and the closed-form terms —
    adaptive thermogenesis [kcal/d], glycogen [kg], extracellular fluid [kg]."""

    lean: object
    fat: object
    acc: object
    at: object
    glyc: object
    ecf: object

    @property
    def body_weight(self):
        return self.lean + self.fat + self.ecf + (1.0 + GLYCOGEN_WATER) * self.glyc


def initial_state(base: Baseline) -> State:
    """Day 0 of Hall 2011 [1]: no adaptive thermogenesis yet, glycogen and ECF at baseline."""
    return State(base.lean0, base.fat0, 0.0, 0.0, GLYCOGEN0, base.ecf0)


def simulate(
    base: Baseline,
    calories,
    session_kcal_per_kg_week,
    stimulus,
    growth: float,
    days: int,
    step_days: int = 1,
):
    """Step the Hall 2011 model with the training layer, Runge–Kutta 4, ``step_days`` per step.

    Parameters
    ----------
    calories : [kcal/d] intake (float, or numpy array to tabulate many plans at once)
    session_kcal_per_kg_week : [kcal/kg/week] net cost of the sessions (float or array)
    stimulus : [0-1] effective stimulus s (``training_inputs``; float or array)
    growth : [kg/d] growth ceiling G (float or array)
    base : its ``ei0``, ``k`` and ``g_max`` may be arrays too (parameter draws: ``individual``)
    days : length of the projection; step_days : RK4 step (1 for plans; the solver's tables use 7,
        exact enough because water, glycogen and adaptive thermogenesis are solved in closed form)

    Returns (bw, fat, lean, leg_accretion), lists of states at days 0, step, 2·step, … days.
    One constant week from day 0: ``simulate_segment`` from ``initial_state``; a block of weeks
    with different loads and calories is ``simulate_weeks``.

    Notes
    -----
    Hall [1]: E = EI − (K + γF·F + γL·L + δ·BW + βTEF·ΔEI + AT) − sessions·BW/BW0;
    AT, glycogen and ECF have constant inputs and are solved in closed form; lean and fat are
    stepped with RK4. With no training the lean/fat split is Hall's Forbes partition
    (Forbes_L(E) = C·E / ((ρL+ηL)·C + (ρF+ηF)·F·ρL/ρF)). Training with stimulus s adds three
    named terms (docs/science.md §3, §3a):

        dL/dt = s·G·φ(E)                        growth (``growth_factor``; leg accretion)
              + min(Forbes_L(E), 0)·(1 − p)     a deficit's lean loss, less what training spares
              + max(Forbes_L(E), 0)·(1 − s)     food-only lean gain, displaced by training growth
        p = ``lean_sparing``(s, sessions' energy / deficit)

    and fat takes the rest of the energy: dF/dt = (E − (ρL+ηL)·dL/dt)/(ρF+ηF).
    """
    states, _ = simulate_segment(base, initial_state(base), calories, session_kcal_per_kg_week,
                                 stimulus, growth, days, step_days)
    return states


def simulate_weeks(base: Baseline, segments, step_days: int = 1, start: State | None = None):
    """``simulate`` over a sequence of segments with different inputs, the state carried across
    (a block of weeks: each week its own load, each 4-week cycle its own calories).

    ``segments``: (calories, session_kcal_per_kg_week, stimulus, growth, days) each, floats or
    numpy arrays that broadcast (many plans at once). Each segment restarts the closed-form
    water, glycogen and adaptive-thermogenesis terms from the state the last one ended in (exact:
    they are the solutions of their equations, so a segment with unchanged calories continues
    them unchanged). Returns ((bw, fat, lean, acc) lists at days 0, step, … as ``simulate``, the
    end ``State``)."""
    state = initial_state(base) if start is None else start
    out: tuple[list, list, list, list] | None = None
    for calories, session_kcal, stimulus, growth, days in segments:
        lists, state = simulate_segment(base, state, calories, session_kcal, stimulus, growth,
                                        days, step_days)
        out = joined(out, lists)
    if out is None:
        return ([state.body_weight], [state.fat], [state.lean], [state.acc]), state
    return out, state


def joined(out, lists):
    """The (bw, fat, lean, acc) lists of consecutive segments as one: ``lists`` (a segment's,
    from its day 0) after ``out`` (None before the first), its day 0 dropped as ``out``'s last
    day. Extends ``out`` in place."""
    if out is None:
        return lists
    for acc, new in zip(out, lists):
        acc.extend(new[1:])
    return out


def simulate_segment(
    base: Baseline,
    state: State,
    calories,
    session_kcal_per_kg_week,
    stimulus,
    growth: float,
    days: int,
    step_days: int = 1,
):
    """``simulate`` from ``state`` (not only day 0) for ``days``; returns (the four lists, the end
    ``State``). The closed forms start from the state's adaptive thermogenesis, glycogen and ECF."""
    vector = any(isinstance(x, np.ndarray)
                 for x in (calories, session_kcal_per_kg_week, stimulus, growth, state.lean,
                           state.fat, state.glyc, base.ei0))
    exp = np.exp if vector else math.exp
    vmin = np.minimum if vector else min
    vmax = np.maximum if vector else max
    tanh = np.tanh if vector else math.tanh
    s = stimulus
    g = growth
    d_ei = calories - base.ei0
    session_kcal_per_kg_day = session_kcal_per_kg_week / DAYS_PER_WEEK
    beta_ei = BETA_TEF * d_ei
    at_inf = BETA_AT * d_ei
    ci0 = CARB_SHARE * base.ei0
    ci = CARB_SHARE * calories
    # glycogen: dG/dt = (CI − kG·G²)/ρG, kG = CI0/G0² → G(t) = Ginf·tanh(a·t + atanh(G0/Ginf))
    g_inf = GLYCOGEN0 * (vmax(ci, 1.0) / ci0) ** 0.5  # ≥ 1 kcal/d of carbohydrate: no 0/0
    k_g = ci0 / GLYCOGEN0**2
    a_g = k_g * g_inf / RHO_G
    # ECF: linear relaxation to ECF0 − ζCI·(1 − CI/CI0)/ζNa with rate ζNa/[Na]
    ecf_shift = -ZETA_CI * (1.0 - ci / ci0) / ZETA_NA
    ecf_rate = ZETA_NA / SODIUM
    denom_l = RHO_L + ETA_L
    denom_f = RHO_F + ETA_F
    ratio = RHO_L / RHO_F
    at0, g0, ecf0 = state.at, state.glyc, state.ecf
    ecf_step = ecf_shift + (base.ecf0 - ecf0)  # the distance to the ECF it relaxes to

    def water(t):
        at = at0 + (at_inf - at0) * (1.0 - exp(-t / TAU_AT))
        # G(t) solving the Riccati equation from G0: closed form via tanh/coth
        th = tanh(a_g * t)
        glyc = g_inf * (g0 + g_inf * th) / (g_inf + g0 * th)
        ecf = ecf0 + ecf_step * (1.0 - exp(-ecf_rate * t))
        return at, glyc, ecf


    kept_by_lifting = resistance_sparing(s)  # the part of lean_sparing that does not vary by day
    s_g = s * g  # the growth term's s·G, and the food-only gain's 1 − s: constant over the segment
    not_s = 1.0 - s

    def rates(lean, fat, at, glyc, ecf):
        bw = lean + fat + ecf + (1.0 + GLYCOGEN_WATER) * glyc
        sessions = session_kcal_per_kg_day * bw
        e = calories - (base.k + GAMMA_F * fat + GAMMA_L * lean + base.delta * bw + beta_ei + at
                        + sessions)
        forbes = FORBES_C * e / (denom_l * FORBES_C + denom_f * fat * ratio)
        growth = s_g * growth_factor(e)  # s·G·φ(E)
        # in a deficit training spares lean (lean_sparing); in a surplus, lean gained from food
        # alone shrinks as the stimulus directs the surplus to training growth
        share = sessions / vmax(-e, 1.0 + 0.0 * e)
        kept = sparing_with(kept_by_lifting, share)  # = lean_sparing(s, share)
        nought = 0.0 * forbes  # 0 shaped (and signed) like forbes
        loss = vmin(forbes, nought) * (1.0 - kept)
        gain = vmax(forbes, nought) * not_s
        d_lean = growth + loss + gain
        d_fat = (e - denom_l * d_lean) / denom_f
        return d_lean, d_fat, growth

    zero = (0.0 * calories + 0.0 * session_kcal_per_kg_week + 0.0 * stimulus + 0.0 * growth
            + 0.0 * base.ei0)
    lean = state.lean + zero
    fat = state.fat + zero
    acc = state.acc + zero
    at, glyc, ecf = water(0.0)
    bws = [lean + fat + ecf + (1.0 + GLYCOGEN_WATER) * glyc]
    fats, leans, accs = [fat], [lean], [acc]
    w_prev = (at, glyc, ecf)
    h = float(step_days)
    for step in range(days // step_days):
        t = step * h
        w_mid = water(t + 0.5 * h)
        w_end = water(t + h)
        k1l, k1f, k1a = rates(lean, fat, *w_prev)
        k2l, k2f, k2a = rates(lean + 0.5 * h * k1l, fat + 0.5 * h * k1f, *w_mid)
        k3l, k3f, k3a = rates(lean + 0.5 * h * k2l, fat + 0.5 * h * k2f, *w_mid)
        k4l, k4f, k4a = rates(lean + h * k3l, fat + h * k3f, *w_end)
        lean = lean + h * (k1l + 2 * k2l + 2 * k3l + k4l) / 6.0
        fat = fat + h * (k1f + 2 * k2f + 2 * k3f + k4f) / 6.0
        acc = acc + h * (k1a + 2 * k2a + 2 * k3a + k4a) / 6.0
        _, glyc, ecf = w_end
        w_prev = w_end
        bws.append(lean + fat + ecf + (1.0 + GLYCOGEN_WATER) * glyc)
        fats.append(fat)
        leans.append(lean)
        accs.append(acc)
    return (bws, fats, leans, accs), State(lean, fat, acc, *w_prev)


# ---------------------------------------------------------------------------------------------
# 4. Projection: the contract's numbers
# ---------------------------------------------------------------------------------------------
def plan_load(profile: Profile, sessions: Iterable) -> WeekLoad:
    """``WeekLoad`` of plan sessions (objects with kind, minutes, dose and load)."""
    return week_load(
        ((s.kind, s.minutes, s.dose, s.load) for s in sessions), profile.fast_twitch_pct
    )


def expenditure_kcal(base: Baseline, load: WeekLoad) -> float:
    """Estimated expenditure at the start [kcal/d]: PAL × RMR plus the sessions' net cost,
    averaged over the week (Hall 2011 [1]; Compendium 2024 [3])."""
    return base.ei0 + session_kcal_per_day(base, load)


def session_kcal_per_day(base: Baseline, load: WeekLoad) -> float:
    """[kcal/d] the sessions' net cost at the starting weight, averaged over the week."""
    return load.session_kcal_per_kg * base.bw0 / DAYS_PER_WEEK


def expenditure_at(profile: Profile, session_kcal_per_kg_week, weight_kg):
    """[kcal/d] expenditure at body weight ``weight_kg``: PAL × resting energy (Mifflin–St Jeor
    at that weight) plus the sessions' net cost [kcal/kg/week] at that weight, averaged over the
    week (floats or numpy arrays). At the starting weight it is ``expenditure_kcal``; the block
    re-sets its calories from it at the projected weight (``planner.science.block``). A
    calibrated profile's maintenance offset is included, as in ``baseline``."""
    rmr = resting_energy_mifflin(profile.sex, weight_kg, profile.height_cm, profile.age)
    return (daily_life_kcal(profile.pal, rmr) + maintenance_offset(profile)
            + session_kcal_per_kg_week * weight_kg / DAYS_PER_WEEK)


def maintenance_offset(profile: Profile) -> float:
    """[kcal/d] the calibration's maintenance offset (0 for an uncalibrated profile): what
    ``baseline`` and ``expenditure_at`` add to the equations' maintenance."""
    return 0.0 if profile.calibration is None else profile.calibration.maintenance_offset_kcal


def maintenance_kcal(profile: Profile, load: WeekLoad) -> float:
    """``expenditure_kcal`` of a profile and week [kcal/d]."""
    return expenditure_kcal(baseline(profile), load)


def leg_state(base: Baseline, fat, lean, accretion):
    """(leg muscle [kg], leg fat [kg], thigh circumference [cm]) from whole-body states.

    No spot reduction: leg fat moves with whole-body fat by the legs' share [15] (docs/science.md §3:
    women losing 9.6 % of weight lost trunk and leg fat alike, −14.9 % vs −14.7 %). Leg muscle
    falls with a non-training lean loss by the legs' share of lean tissue [13] (a non-training
    lean *gain* from overeating is not counted as muscle), plus all of the training accretion (the programme trains only the legs), 80 % of it in the thighs.
    """
    # Lean gained from food alone (Forbes, overfeeding) is water, glycogen and organ tissue more
    # than skeletal muscle: only its losses are counted in the leg muscle (conservative).
    untrained = lean - base.lean0 - accretion
    other_lean = base.leg_lean_change_share * (untrained - abs(untrained)) / 2
    leg_muscle = base.leg_muscle0 + other_lean + accretion
    leg_fat = base.leg_fat0 + base.leg_fat_share * (fat - base.fat0)
    thigh_muscle = (base.thigh_share * (base.leg_muscle0 + other_lean)
                    + THIGH_SHARE_OF_TRAINING_GAIN * accretion) / 2
    thigh_fat = base.thigh_share * leg_fat / 2
    thigh = thigh_circumference_cm(thigh_muscle, thigh_fat, base.thigh_length_cm,
                                   base.thigh_other_cm3)
    return leg_muscle, leg_fat, thigh


def project(
    profile: Profile,
    calories_per_day: float,
    load: WeekLoad,
    weeks: int,
    protein_g_per_day: float | None = None,
):
    """Project a week repeated for ``weeks`` weeks at ``calories_per_day`` [kcal/d].

    Returns a ``planner.model.plan.Projection`` (changes at the end vs the start, and the weekly
    trajectory). ``protein_g_per_day`` defaults to the 1.6 g/kg plateau [9].
    """
    base = baseline(profile)
    protein = PROTEIN_PLATEAU * profile.weight_kg if protein_g_per_day is None else protein_g_per_day
    days = DAYS_PER_WEEK * weeks
    stimulus, growth = training_inputs(base, load, protein / profile.weight_kg)
    bw, fat, lean, acc = simulate(base, float(calories_per_day), load.session_kcal_per_kg,
                                  stimulus, growth, days)
    return _projection(base, bw, fat, lean, acc, weeks, load)


def project_weeks(
    profile: Profile,
    weeks,
    protein_g_per_day: float | None = None,
    summary_load: WeekLoad | None = None,
):
    """Project a block: ``weeks`` is a sequence of (calories [kcal/d], ``WeekLoad``[, protein
    [g/d], default ``protein_g_per_day``]), one per week, simulated day by day with the state carried from week to week (``simulate_weeks``).

    Returns a ``Projection`` like ``project``; its ``maintenance_kcal_per_day`` and
    ``session_kcal_per_day`` are those of ``summary_load`` (the working week; default the first).
    A block of one repeated week gives ``project``'s numbers.
    """
    base = baseline(profile)
    protein = PROTEIN_PLATEAU * profile.weight_kg if protein_g_per_day is None else protein_g_per_day
    segments = []
    for calories, load, *week_protein in weeks:
        grams = week_protein[0] if week_protein and week_protein[0] is not None else protein
        stimulus, growth = training_inputs(base, load, grams / profile.weight_kg)
        segments.append((float(calories), load.session_kcal_per_kg, stimulus, growth,
                         DAYS_PER_WEEK))
    (bw, fat, lean, acc), _ = simulate_weeks(base, segments)
    return _projection(base, bw, fat, lean, acc, len(segments),
                       summary_load if summary_load is not None else weeks[0][1])


def _projection(base: Baseline, bw, fat, lean, acc, weeks: int, load: WeekLoad):
    """The contract's ``Projection`` from daily states (days 0..7·weeks)."""
    from planner.model.plan import Projection, WeekPoint

    weekly = []
    for w in range(weeks + 1):
        d = DAYS_PER_WEEK * w
        leg_m, leg_f, thigh = leg_state(base, fat[d], lean[d], acc[d])
        weekly.append(WeekPoint(
            week=w, body_weight_kg=round(bw[d], 3), fat_mass_kg=round(fat[d], 3),
            lean_mass_kg=round(bw[d] - fat[d], 3), leg_muscle_kg=round(leg_m, 3),
            leg_fat_kg=round(leg_f, 3), thigh_circumference_cm=round(thigh, 3),
        ))
    end, start = weekly[-1], weekly[0]
    tissue = [fat[DAYS_PER_WEEK * w] + lean[DAYS_PER_WEEK * w] for w in range(weeks + 1)]
    max_loss = max((tissue[w - 1] - tissue[w]) / base.bw0 * 100 for w in range(1, weeks + 1))
    return Projection(
        weeks=weeks,
        body_weight_kg_change=round(end.body_weight_kg - start.body_weight_kg, 3),
        fat_mass_kg_change=round(end.fat_mass_kg - start.fat_mass_kg, 3),
        lean_mass_kg_change=round(end.lean_mass_kg - start.lean_mass_kg, 3),
        leg_muscle_kg_change=round(end.leg_muscle_kg - start.leg_muscle_kg, 3),
        leg_fat_kg_change=round(end.leg_fat_kg - start.leg_fat_kg, 3),
        thigh_circumference_cm_change=round(
            end.thigh_circumference_cm - start.thigh_circumference_cm, 3),
        weekly=weekly,
        start_thigh_circumference_cm=start.thigh_circumference_cm,
        maintenance_kcal_per_day=round(expenditure_kcal(base, load), 1),
        session_kcal_per_day=round(session_kcal_per_day(base, load), 1),
        max_weekly_loss_pct=round(max(max_loss, 0.0), 3),
    )
