"""The block as an iCalendar file (RFC 5545), built with the ``icalendar`` library.

docs/design.md "The block, the calendar, calibration and bands": one timed event per session — ``DTSTART`` on its day at the athlete's
usual time, ``DURATION`` its minutes, ``SUMMARY`` the kind and dose, ``DESCRIPTION`` the dose in
plain words — and one all-day event per week with that week's calorie and protein targets.

A session's ``UID`` depends only on the athlete, the week and the day (and, on a day with two
sessions, which one it is): importing an updated plan replaces each day's event instead of adding
a second copy. ``DTSTAMP`` is the first week's Monday at 00:00 UTC, so the same plan gives the same
bytes (RFC 5545 asks for the creation time; a fixed stamp keeps the file reproducible).

Two sessions on one day run back to back from the day's start time. Without a time zone the times
are *floating* (07:00 wherever the athlete is, RFC 5545 §3.3.5); with one (``--tz`` or the
profile's ``time_zone``) they carry a ``TZID`` and the file its ``VTIMEZONE``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from planner.model.errors import InputError
from planner.model.plan import Plan, PlanWeek, first_monday
from planner.model.profile import DAYS
from planner.model.sessions import CATALOGUE, describe_dose, longest_run, run_label

CALENDAR_FORMAT = "ics"  # the format name (``--format ics``) for ``plan`` and ``batch``
PRODID = "-//legplan//training block//EN"
UID_DOMAIN = "legplan"
DEFAULT_TIME = time(7, 0)  # the sessions' start time when none is given (``--time``)
NEEDS_START = "the calendar file needs dates: give --start YYYY-MM-DD (week 1 starts on the " \
              "first Monday on or after it)"


@dataclass(frozen=True)
class CalendarSettings:
    """What the calendar file needs beyond the plan: ``--start``, ``--time`` and ``--tz``."""

    start: date | None = None
    at: time = DEFAULT_TIME
    tz: str | None = None


def check_calendar(formats: tuple[str, ...], settings: CalendarSettings | None) -> None:
    """InputError (exit 2) before any work when ``ics`` is asked for without ``--start``."""
    if CALENDAR_FORMAT in formats and (settings is None or settings.start is None):
        raise InputError("--format", [("ics", NEEDS_START)])


def calendar_text(plan: Plan, settings: CalendarSettings | None,
                  profile_tz: str | None = None) -> str:
    """``to_ics`` with the run's settings; ``--tz`` wins over the profile's ``time_zone``."""
    check_calendar((CALENDAR_FORMAT,), settings)
    assert settings is not None and settings.start is not None
    return to_ics(plan, first_monday(settings.start), settings.at, settings.tz or profile_tz)


def block_weeks(plan: Plan) -> list[PlanWeek]:
    """The plan's weeks; a plan without a block repeats its week for the horizon."""
    if plan.weeks:
        return list(plan.weeks)
    return [PlanWeek(week=w, calories_per_day=plan.calories_per_day,
                     protein_g_per_day=plan.protein_g_per_day, days=plan.days)
            for w in range(1, plan.horizon_weeks + 1)]


def athlete_key(athlete: str) -> str:
    """A short, stable, file-safe key for the athlete's UIDs (any name, any script)."""
    return hashlib.sha256(athlete.encode("utf-8")).hexdigest()[:12]


def session_uid(athlete: str, week: int, day: str, index: int) -> str:
    """``UID`` of the ``index``-th session (0 = first) on ``day`` of ``week``."""
    suffix = f"-{index + 1}" if index else ""
    return f"{athlete_key(athlete)}-w{week:02d}-{day}{suffix}@{UID_DOMAIN}"


def week_uid(athlete: str, week: int) -> str:
    """``UID`` of a week's all-day targets note."""
    return f"{athlete_key(athlete)}-w{week:02d}-targets@{UID_DOMAIN}"


def session_summary(kind: str, dose: int, minutes: int, week_longest: int) -> str:
    """E.g. "Sprints: 8 reps (35 min)", "Easy run: 40 min", "Long run: 120 min" (a run is named
    against ``week_longest``, its week's longest run: ``sessions.run_label``)."""
    spec = CATALOGUE[kind]
    label = run_label(minutes, week_longest) if kind == "long_run" else spec.label
    label = label[:1].upper() + label[1:]
    if spec.dose_field == "minutes":
        return f"{label}: {minutes} min"
    unit = "hard sets" if spec.dose_field == "sets" else "reps"
    return f"{label}: {dose} {unit} ({minutes} min)"


def week_summary(week: PlanWeek) -> str:
    """The all-day note: "Week 4 (lighter): 2,450 kcal/d, 110 g protein/d"."""
    lighter = " (lighter)" if week.lighter else ""
    protein = (f", {week.protein_g_per_day:,} g protein/d"
               if week.protein_g_per_day is not None else "")
    return f"Week {week.week}{lighter}: {week.calories_per_day:,} kcal/d{protein}"


def week_description(week: PlanWeek) -> str:
    """The weekly note's text: the day's targets in a sentence, and what a lighter week is."""
    protein = (f" and {week.protein_g_per_day:,} g of protein"
               if week.protein_g_per_day is not None else "")
    text = f"Every day this week: about {week.calories_per_day:,} kcal{protein}."
    if week.lighter:
        text += " A lighter week: the same sessions on the same days, shorter or with fewer sets."
    return text


def to_ics(plan: Plan, start: date, at: time = DEFAULT_TIME, tz: str | None = None) -> str:
    """The plan's block as iCalendar text. ``start`` is week 1's Monday (the block's own
    ``start_date`` wins when it has one); ``at`` the sessions' start time; ``tz`` an IANA zone."""
    from icalendar import Calendar, Event  # lazy: only the calendar format needs it

    zone = ZoneInfo(tz) if tz else None
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"legplan: {plan.athlete}")
    weeks = block_weeks(plan)
    first = weeks[0].start_date or start
    stamp = datetime.combine(first, time(0, 0), tzinfo=timezone.utc)
    for week in weeks:
        monday = week.start_date or first + timedelta(weeks=week.week - weeks[0].week)
        note = Event()
        note.add("uid", week_uid(plan.athlete, week.week))
        note.add("dtstamp", stamp)
        note.add("dtstart", monday)
        note.add("dtend", monday + timedelta(days=7))
        note.add("summary", week_summary(week))
        note.add("description", week_description(week))
        note.add("transp", "TRANSPARENT")
        cal.add_component(note)
        longest = longest_run([s for d in week.days for s in d.sessions])
        for day in week.days:
            offset = DAYS.index(day.day)
            begin = datetime.combine(monday + timedelta(days=offset), at, tzinfo=zone)
            for index, session in enumerate(day.sessions):
                event = Event()
                event.add("uid", session_uid(plan.athlete, week.week, day.day, index))
                event.add("dtstamp", stamp)
                event.add("dtstart", begin)
                event.add("duration", timedelta(minutes=session.minutes))
                event.add("summary", session_summary(session.kind, session.dose, session.minutes,
                                                     longest))
                event.add("description", session.description or describe_dose(
                    session.kind, session.minutes, session.dose, session.load))
                event.add("transp", "OPAQUE")
                cal.add_component(event)
                begin += timedelta(minutes=session.minutes)  # a second session follows it
    if zone is not None:  # the zone's rules for the block's own dates only
        last = weeks[-1].start_date or first + timedelta(weeks=len(weeks))
        cal.add_missing_timezones(first_date=first - timedelta(days=1),
                                  last_date=last + timedelta(days=8))
    return cal.to_ical().decode("utf-8")
