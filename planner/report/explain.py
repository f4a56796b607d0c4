"""Why the plan looks the way it does, in plain words: the goal, the objective's terms and the
rules that bind. Numbers follow the profile's units."""

from __future__ import annotations

from planner.model.plan import MAX_WEEKS, Plan
from planner.model.profile import DAYS, DAYS_PER_WEEK
from planner.model.sessions import CATALOGUE, LONG_RUN_MIN, allowed_kinds
from planner.model.units import (
    Units,
    length,
    length_change,
    number,
    shortfall_decimals,
    signed,
)
from planner.report.block_words import build_words, calorie_words, lighter_words
from planner.science import guardrails
from planner.solve.instance import Instance
from planner.solve.objective import (
    SUSTAINABLE_CHANGE,
    W_CAL,
    W_LOAD,
    Choice,
    easy_run_spread_minutes,
    long_run_days,
    long_run_minutes_by_day,
    longest_run_off_preferred_day,
    squat_spread_sets,
    tired_long_run_days,
)

SHORT_DAYS = dict(zip(DAYS, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")))
# Why a kind is in the week, by goal.
WHY_KIND = {
    "bulkier": {
        "squats_lunges": "the heaviest mechanical load, the strongest growth stimulus per minute",
        "sprints": "all-out efforts recruit the Type II fibres, which grow most",
        "hill_repeats": "hard uphill efforts recruit the Type II fibres, which grow most",
        "long_run": "easy running {base}",
    },
    "leaner": {
        "squats_lunges": "lifting keeps the thigh muscle while the deficit takes the fat "
                         "(Beavers 2023; Garthe 2011)",
        "sprints": "hard efforts spend energy and keep muscle in a cut",
        "hill_repeats": "hard uphill efforts spend energy and keep muscle in a cut",
        "long_run": "easy running spends the most energy per session, and a deficit made by "
                    "exercise takes less muscle than one made by diet alone (Weiss 2017)",
    },
    "maintain": {
        "squats_lunges": "enough load to keep the thigh muscle you have",
        "sprints": "a short hard session keeps the fast fibres working",
        "hill_repeats": "a short hard session keeps the fast fibres working",
        "long_run": "easy running {base}",
    },
}
# Why an allowed kind is not in the week, by goal (the objective's leg-change term decides).
WHY_NOT_KIND = {
    "bulkier": {
        "squats_lunges": "the hard days go to work that grows the thighs more for this week",
        "sprints": "{hard_others} give this goal more per hard day",
        "hill_repeats": "{hard_others} give this goal more per hard day",
        "long_run": "easy running interferes with growth (Wilson 2012) and is not needed here",
    },
    "leaner": {
        "squats_lunges": "the days go to sessions that take more fat off for this week",
        "sprints": "{others} take more fat off per day of this week",
        "hill_repeats": "{others} take more fat off per day of this week",
        "long_run": "the running minutes go to the hard sessions, which spend as much here",
    },
    "maintain": {
        "squats_lunges": "the week keeps girth and weight steady without it",
        "sprints": "the week keeps girth and weight steady without them",
        "hill_repeats": "the week keeps girth and weight steady without them",
        "long_run": "the week keeps girth and weight steady without it",
    },
}
PLURAL = {"long_run": "easy runs", "sprints": "sprints", "hill_repeats": "hill repeats",
          "squats_lunges": "squats and lunges"}
LEG_CHANGE_WORDS = {
    "leaner": "leg fat lost, leg muscle kept",
    "bulkier": "leg muscle gained with the least leg fat",
    "maintain": "thigh girth and weight steady, leg muscle kept",
}


def _and(items: list[str]) -> str:
    """"a", "a and b", "a, b and c" ("" for none)."""
    return "".join(items) if len(items) < 2 else ", ".join(items[:-1]) + " and " + items[-1]


def _days(days: list[str]) -> str:
    return _and([SHORT_DAYS[d] for d in days])


def _doses(kind: str, doses: list[int]) -> str:
    unit = {"long_run": "min", "sprints": "sprints", "hill_repeats": "hill reps",
            "squats_lunges": "hard sets"}[kind]
    if len(set(doses)) == 1:
        return f"{doses[0]} {unit}" + (" each" if len(doses) > 1 else "")
    # in day order, one value per day, so "Tue and Thu (10 and 4 hard sets)" reads as it should
    return (", ".join(str(v) for v in doses[:-1]) + f" and {doses[-1]} {unit}")


def goal_line(plan: Plan, units: Units, earliest: int | None) -> str:
    status = plan.goal_status
    target = (f"±{length(units, status.target_thigh_change_cm)}" if plan.goal == "maintain"
              else length_change(units, status.target_thigh_change_cm))
    change = plan.projection.thigh_circumference_cm_change
    predicted = length_change(units, change)
    weeks = plan.horizon_weeks
    if plan.goal_reached:
        return (f"Goal {plan.goal}: thigh {target} in {weeks} weeks. Predicted {predicted}: "
                f"reached, with the week that does most for {LEG_CHANGE_WORDS[plan.goal]} on "
                "a sustainable calorie target.")
    where = (f"a safe plan would get there by week {earliest}" if earliest is not None
             else f"no safe plan gets there within {MAX_WEEKS} weeks")
    if status.shortfall_cm > 0:  # the thigh condition, in the plan's units and never "0.0 short"
        places = shortfall_decimals(units, status.shortfall_cm)
        predicted = (f"{signed(units.cm(change), places, units.length)}, "
                     f"{length(units, status.shortfall_cm, places)} short")
    unmet = "; ".join(status.unmet_besides_thigh())
    return (f"Goal {plan.goal} ({target} in {weeks} weeks) is not reached safely: this is the "
            f"closest safe plan, predicted {predicted}" + (f" ({unmet})" if unmet else "")
            + f"; {where}.")


def calorie_line(inst: Instance, plan: Plan) -> str:
    profile = inst.profile
    maint = plan.projection.maintenance_kcal_per_day
    kcal = plan.calories_per_day
    diff = kcal - maint
    low, high = guardrails.calorie_bounds(profile, maint)
    floor = guardrails.intake_floor(profile)
    step = inst.cal_step
    if diff > step / 2:
        why = ("a small surplus feeds muscle growth; a 5 % surplus grew as much muscle as 15 %, "
               "which added fat (Helms 2023, Garthe 2013)" if profile.goal == "bulkier" else
               "enough to hold your weight and thighs steady")
        if kcal + step > high:
            why += f"; it is the most the surplus guardrail allows (+{profile.limits.max_surplus_pct:g} %)"
        where = f"{number(diff)} above"
    elif diff < -step / 2:
        why = ("the deficit takes fat off the thighs along with the rest of the body: fat cannot "
               "be spot-reduced" if profile.goal == "leaner" else
               "enough to hold your weight and thighs steady")
        if kcal - step < low:
            limit = ("the intake floor" if low <= floor + 1 else
                     f"the deficit guardrail (−{profile.limits.max_deficit_pct:g} %)")
            why += f"; it is as low as {limit} allows"
        if plan.projection.max_weekly_loss_pct > profile.limits.max_loss_pct_per_week - 0.05:
            why += (f"; the loss rate is at its limit of {profile.limits.max_loss_pct_per_week:g} % "
                    "of body weight a week")
        where = f"{number(-diff)} below"
    else:
        why = "you eat what you burn"
        where = "level with"
    blocked = guardrails.deficit_block(profile)
    if blocked:
        why += (f"; no deficit is planned because {blocked}: no cut below a healthy weight, "
                "whatever the goal")
    aim = SUSTAINABLE_CHANGE[profile.goal]
    aim_text = ("maintenance" if aim == 0 or blocked else
                f"a sustainable {abs(aim):.0%} {'cut' if aim < 0 else 'surplus'}")
    per_kg = plan.protein_g_per_day / profile.weight_kg
    return (f"Eat {number(kcal)} kcal a day, {where} the {number(maint)} kcal you burn with these "
            f"sessions: {why} (the aim is {aim_text}). Protein {plan.protein_g_per_day} g a day "
            f"({per_kg:.1f} g/kg): growth plateaus from 1.6 g/kg (Morton 2018).")


def _running_base_words(profile, week) -> str:
    """What the week's easy running is for, said only where true: a running base only for an
    athlete who has one and keeps it; "between hard days" only when no run shares a hard day."""
    base = ("keeps your running base" if profile.recent_weekly_run_minutes and profile.keep_running
            else "adds some easy aerobic work")
    run_days = [day for day in week if any(o.kind == "long_run" for o in day)]
    hard_days = sum(any(o.hard for o in day) for day in week)
    if run_days and hard_days > 1 and not any(o.hard for day in run_days for o in day):
        base += " on the days between the hard ones"
    return base


def session_lines(inst: Instance, choice: Choice) -> list[str]:
    profile = inst.profile
    by_kind: dict[str, list[tuple[str, int]]] = {}
    for d, day in enumerate(choice.week):
        for o in day:
            by_kind.setdefault(o.kind, []).append((DAYS[d], o.dose))
    allowed = set(allowed_kinds(profile))
    words = {"base": _running_base_words(profile, choice.week),
             "others": _and([PLURAL[k] for k in CATALOGUE if k in by_kind]) or "rest days",
             "hard_others": _and([PLURAL[k] for k in CATALOGUE
                                  if k in by_kind and CATALOGUE[k].hard]) or "easier days"}
    lines = []
    for kind, spec in CATALOGUE.items():
        # the sheet names each run easy or long (sessions.run_label): here they are all "runs"
        label = "Runs" if kind == "long_run" else spec.label.capitalize()
        if kind in by_kind:
            days = [d for d, _ in by_kind[kind]]
            doses = [dose for _, dose in by_kind[kind]]
            lines.append(f"{label} on {_days(days)} ({_doses(kind, doses)}): "
                         f"{WHY_KIND[profile.goal][kind].format(**words)}.")
        elif kind in profile.exclude:
            lines.append(f"No {label.lower()}: excluded in your profile.")
        elif kind not in allowed:
            lines.append(f"No {label.lower()}: they need {spec.needs}, which your profile does not list.")
        else:
            lines.append(f"No {label.lower()}: {WHY_NOT_KIND[profile.goal][kind].format(**words)}.")
    return lines


def shape_lines(plan: Plan) -> list[str]:
    """The plan-shape rules this week could not keep, each by its rule name, and why."""
    shape = set(guardrails.SHAPE_RULE_NAMES)
    return [f"Plan shape: '{r.name}' could not be kept ({r.detail}): the guardrails, your "
            "available days and minutes, or your pinned sessions do not allow it together with "
            "the other rules." for r in plan.guardrails if r.name in shape and not r.ok]


def fresh_long_run_lines(week) -> list[str]:
    """Where the hard sessions sit around the week's ``long_run_days`` (the "fresh long run"
    term), when the week has hard sessions."""
    tired = tired_long_run_days(week)
    if not tired and not any(o.hard for day in week for o in day):
        return []
    lines = []
    for d, when, hard in tired:
        whose = "that day's" if when == d else f"{SHORT_DAYS[DAYS[when]]}'s"
        minutes = long_run_minutes_by_day(week)[d]
        other = f"{hard.minutes}-min run" if hard.kind == "long_run" else CATALOGUE[hard.kind].label
        lines.append(f"The {SHORT_DAYS[DAYS[d]]} run ({minutes} min) comes after {whose} "
                     f"{other}: no week that keeps every rule rests the legs "
                     "before it without costing more elsewhere (the goal's change, the calories "
                     "or your preferences).")
    fresh = [DAYS[d] for d in long_run_days(week) if d not in {t[0] for t in tired}]
    if fresh and any(o.hard for day in week for o in day):
        lines.insert(0, f"No sprints, hill repeats or squats on the day of or the day before the "
                        f"run{'s' * (len(fresh) > 1)} of {LONG_RUN_MIN} min or more on "
                        f"{_days(fresh)}: the hard days stay "
                        "clear of {}.".format("them" if len(fresh) > 1 else "it"))
    return lines


def rule_lines(inst: Instance, choice: Choice) -> list[str]:
    """The rules that bind this week, in plain words."""
    profile = inst.profile
    lines = []
    hard = [DAYS[d] for d, day in enumerate(choice.week) if any(o.hard for o in day)]
    used = [d for d in range(DAYS_PER_WEEK) if choice.week[d]]
    if hard:
        shortest = min(o.minutes for day in choice.week for o in day if o.hard)
        roomy = [DAYS[d] for d in range(DAYS_PER_WEEK) if inst.avail[d] >= shortest]
        if roomy == hard:
            why = (f"it is your only day with {shortest} minutes or more" if len(hard) == 1 else
                   f"they are your only days with {shortest} minutes or more")
        else:
            why = (f"{len(roomy)} of your days have {shortest} minutes or more"
                   + (", and these keep the hard days apart" if len(hard) > 1 else ""))
        spacing = (" Hard days never touch (Sunday and the next Monday count as touching), so "
                   "each gets 48 hours to recover." if len(hard) > 1 else "")
        lines.append(f"Hard sessions on {_days(hard)}: {why}.{spacing}")
    full = [DAYS[d] for d in used
            if sum(o.minutes for o in choice.week[d]) >= inst.avail[d] - 5]
    if full:
        lines.append(f"{_days(full)} {'is' if len(full) == 1 else 'are'} filled to the minutes you "
                     "have; the doses are sized to fit.")
    if longest_run_off_preferred_day(inst, choice.week):
        lines.append(f"The longest run is not on your preferred {SHORT_DAYS[profile.long_run_day]}: "
                     "every week with it there either does less for this goal or breaks a "
                     "rule (that day's time, the hard-day spacing, the training days).")
    lines += fresh_long_run_lines(choice.week)
    run = sum(o.running_minutes for day in choice.week for o in day)
    cap = guardrails.running_cap(profile)
    if run and cap - run < 10:
        grown = profile.recent_weekly_run_minutes * (1 + profile.limits.max_run_increase_pct / 100)
        allows = (f"your recent volume allows (+{profile.limits.max_run_increase_pct:g} %, "
                  "Gabbett 2016)" if grown >= cap else
                  "a beginner may run, in runs of at most "
                  f"{number(guardrails.longest_easy_run(profile) or 0)} min (the first week of "
                  "NHS Couch to 5K: 3 × 20 min)")
        lines.append(f"Running totals {run} of the {number(cap)} minutes a week {allows}: more "
                     "would risk injury.")
    floor = guardrails.running_floor(profile)
    if floor and run >= floor:
        lines.append(f"Running kept: {run} minutes, at least {number(floor)} "
                     f"({guardrails.RUNNING_KEPT_SHARE:.0%} of your recent "
                     f"{number(profile.recent_weekly_run_minutes)}): less would be under-training "
                     "(acute:chronic under 0.8, Gabbett 2016).")
    rest = [DAYS[d] for d in range(DAYS_PER_WEEK) if not choice.week[d]]
    if len(rest) == profile.limits.min_rest_days:
        lines.append(f"Rest on {_days(rest)}: the minimum of {len(rest)} full rest day(s).")
    else:
        lines.append(f"Rest on {_days(rest)}." if rest else "No rest day.")
    return lines


def _uneven_words(week) -> str:
    """Which part of the ``balance`` term a week pays: its squat sessions, its easy runs, or both."""
    parts = [words for words, paid in (("squat sessions", squat_spread_sets(week)),
                                       ("easy runs", easy_run_spread_minutes(week))) if paid]
    return " and ".join(parts) or "sessions"


def block_lines(plan: Plan) -> list[str]:
    """How the block builds: the sets from week 1 to the working week, the lighter weeks, the
    calorie re-sets (empty for a plan without weeks)."""
    weeks = plan.weeks or []
    if len(weeks) < 2:
        return []

    parts = [words for words in (build_words(weeks), lighter_words(weeks), calorie_words(weeks))
             if words]
    if not parts:
        return []
    return ["The block: " + "; ".join(parts) + ". The running never rises more than the "
            "running-load rule allows from one week to the next."]


def explain(inst: Instance, choice: Choice, plan: Plan, earliest: int | None,
            closer_misses: int | None = None) -> list[str]:
    """Sentences for the plan's ``explanation``: goal, calories, sessions, binding rules, the
    objective's trade-off. ``inst``/``choice`` are the solver's instance and chosen week;
    ``closer_misses`` a calorie target one step closer to maintenance that misses the goal."""
    units = Units.of(plan.units)
    lines = [goal_line(plan, units, earliest), calorie_line(inst, plan)]
    lines += session_lines(inst, choice)
    lines += rule_lines(inst, choice)
    lines += shape_lines(plan)
    lines += block_lines(plan)
    if closer_misses is not None:
        lines.append(f"Least change: {number(closer_misses)} kcal a day with the same week would "
                     "miss the goal.")
    terms = choice.terms
    lines.append(
        f"The solver's trade-off (lower is better; reaching the goal comes first): leg change "
        f"{number(terms['leg change'])} points ({LEG_CHANGE_WORDS[inst.profile.goal]}), calorie "
        f"change {number(terms['calorie change'])} ({W_CAL:g} per kcal/d away from the "
        f"sustainable aim, beyond half a calorie step), thigh margin {number(terms['margin'])}, "
        + (f"running short of the kept volume {number(terms['running short'])}, "
           if terms.get("running short") else "")
        + (f"running below your recent volume {number(terms['recent running'])}, "
           if terms.get("recent running") else "")
        + (f"no strength session to keep the muscle {number(terms['maintain strength'])}, "
           if terms.get("maintain strength") else "")
        + f"preferences "
        f"{number(terms['preferences'])}, "
        + (f"hard session on or before the long run {number(terms['fresh long run'])}, "
           if terms.get("fresh long run") else "")
        + (f"two sessions on a day {number(terms['double days'])}, "
           if terms.get("double days") else "")
        + (f"{_uneven_words(choice.week)} of uneven size {number(terms['balance'])}, "
           if terms.get("balance") else "")
        + f"training load {number(terms['training load'])} "
        f"({W_LOAD:g} per minute × effort, Foster 2001: only a tie-break).")
    return lines
