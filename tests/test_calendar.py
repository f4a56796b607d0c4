"""The calendar file (docs/design.md "The block, the calendar, calibration and bands"): parsed back by ``icalendar`` and, independently,
by ``vobject``; events, dates, durations and UIDs as planned; UIDs kept by an updated plan."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import icalendar
import pytest
import vobject

from planner.jobs.planning import solve
from planner.model.plan import DayPlan, Plan, PlanWeek, Session
from planner.model.profile import DAYS, load_profile
from planner.model.sessions import LONG_RUN_MIN
from planner.report.calendar import block_weeks, session_uid, to_ics, week_uid

START = date(2027, 1, 4)  # a Monday


@pytest.fixture(scope="module")
def plan() -> Plan:
    """A sample's plan as a three-week block whose third week is lighter and on new targets."""
    base = solve(load_profile("sample_profiles/dana_reyes.yaml"))
    weeks = [PlanWeek(week=w, start_date=START + timedelta(weeks=w - 1), lighter=w == 3,
                      calories_per_day=base.calories_per_day + (50 if w == 3 else 0),
                      protein_g_per_day=base.protein_g_per_day, days=base.days)
             for w in (1, 2, 3)]
    return base.model_copy(update={"weeks": weeks, "horizon_weeks": 3})


def planned(plan: Plan) -> list[tuple[str, date, int]]:
    """(uid, date, minutes) of every session the block plans, in order."""
    out = []
    for week in block_weeks(plan):
        for day in week.days:
            on = week.start_date + timedelta(days=DAYS.index(day.day))
            for i, session in enumerate(day.sessions):
                out.append((session_uid(plan.athlete, week.week, day.day, i), on, session.minutes))
    return out


def timed_events(text: str) -> list[icalendar.Event]:
    cal = icalendar.Calendar.from_ical(text)
    return [e for e in cal.walk("VEVENT") if isinstance(e.decoded("dtstart"), datetime)]


def test_every_session_is_one_timed_event_on_its_day_with_its_length(plan):
    events = timed_events(to_ics(plan, START))
    want = planned(plan)
    assert len(want) >= 3 * 2  # the sample trains more than once a week
    got = [(str(e["uid"]), e.decoded("dtstart").date(), e.decoded("duration")) for e in events]
    assert got == [(uid, on, timedelta(minutes=m)) for uid, on, m in want]
    assert {e.decoded("dtstart").time() for e in events if str(e["uid"]).count("-") == 2} == {
        time(7, 0)}  # the first session of a day starts at the default time


def test_a_second_parser_reads_the_same_events(plan):
    """vobject shares no code with icalendar: it must find the same sessions and weekly notes."""
    text = to_ics(plan, START, at=time(18, 30), tz="Europe/Oslo")
    cal = vobject.readOne(text)
    events = cal.contents["vevent"]
    timed = [e for e in events if isinstance(e.dtstart.value, datetime)]
    notes = [e for e in events if not isinstance(e.dtstart.value, datetime)]
    want = planned(plan)
    assert [(e.uid.value, e.dtstart.value.date(), e.duration.value) for e in timed] == [
        (uid, on, timedelta(minutes=m)) for uid, on, m in want]
    assert all(e.dtstart.value.utcoffset() == timedelta(hours=1) for e in timed)  # CET in winter
    assert [(n.uid.value, n.dtstart.value) for n in notes] == [
        (week_uid(plan.athlete, w.week), w.start_date) for w in plan.weeks]
    assert "(lighter)" in notes[2].summary.value and "(lighter)" not in notes[0].summary.value
    assert f"{plan.weeks[2].calories_per_day:,} kcal/d" in notes[2].summary.value


def test_each_event_says_its_dose_in_words(plan):
    events = timed_events(to_ics(plan, START))
    sessions = [(s, max([x.minutes for d in w.days for x in d.sessions if x.kind == "long_run"],
                        default=0)) for w in plan.weeks for d in w.days for s in d.sessions]
    titles = {"sprints": "Sprints: {d} reps ({m} min)",
              "hill_repeats": "Hill repeats: {d} reps ({m} min)",
              "squats_lunges": "Squats and lunges: {d} hard sets ({m} min)"}
    for event, (session, longest) in zip(events, sessions, strict=True):
        if session.kind == "long_run":  # the week's longest run of 60+ min is its long run
            name = "Long" if session.minutes == longest and session.minutes >= LONG_RUN_MIN else "Easy"
            want = f"{name} run: {session.minutes} min"
        else:
            want = titles[session.kind].format(d=session.dose, m=session.minutes)
        assert str(event["summary"]) == want
        assert session.description and str(event["description"]) == session.description


def test_without_a_time_zone_times_float_and_with_one_they_carry_it(plan):
    floating = timed_events(to_ics(plan, START))
    assert all(e.decoded("dtstart").tzinfo is None for e in floating)
    zoned_text = to_ics(plan, START, tz="America/New_York")
    assert "BEGIN:VTIMEZONE" in zoned_text and "TZID:America/New_York" in zoned_text
    assert all(str(e.decoded("dtstart").tzinfo) == "America/New_York"
               for e in timed_events(zoned_text))


def test_the_same_plan_gives_the_same_bytes(plan):
    assert to_ics(plan, START, tz="Europe/Oslo") == to_ics(plan, START, tz="Europe/Oslo")
    # nothing depends on the clock: every DTSTAMP is week 1's Monday at 00:00 UTC
    parsed = icalendar.Calendar.from_ical(to_ics(plan, START))
    stamps = {e.decoded("dtstamp") for e in parsed.walk("VEVENT")}
    assert stamps == {datetime.combine(plan.weeks[0].start_date, time(0, 0), tzinfo=timezone.utc)}


def test_an_updated_plan_keeps_the_uids_of_its_unchanged_sessions(plan):
    """Re-importing an updated plan must replace events, not add copies: a changed session keeps
    its day's UID, and every unchanged session keeps its UID and its content."""
    week = plan.weeks[1]
    day = next(d for d in week.days if d.sessions)
    # the day's last session changes (an earlier one would move the start of those after it)
    last = day.sessions[-1]
    longer = Session(kind="long_run", minutes=last.minutes + 10) if last.kind == "long_run" \
        else last.model_copy(update={"minutes": last.minutes + 5})
    changed_day = DayPlan(day=day.day, sessions=[*day.sessions[:-1], longer])
    new_week = week.model_copy(update={"days": [changed_day if d.day == day.day else d
                                                for d in week.days]})
    updated = plan.model_copy(update={"weeks": [plan.weeks[0], new_week, plan.weeks[2]]})
    old = {str(e["uid"]): e for e in timed_events(to_ics(plan, START))}
    new = {str(e["uid"]): e for e in timed_events(to_ics(updated, START))}
    assert old.keys() == new.keys()
    moved = session_uid(plan.athlete, 2, day.day, len(day.sessions) - 1)
    for uid in old:
        same = (old[uid].decoded("duration") == new[uid].decoded("duration")
                and old[uid].decoded("dtstart") == new[uid].decoded("dtstart"))
        assert same != (uid == moved)


def test_uids_are_unique_and_differ_between_athletes(plan):
    uids = [uid for uid, _, _ in planned(plan)] + [week_uid(plan.athlete, w.week) for w in plan.weeks]
    assert len(set(uids)) == len(uids)
    other = plan.model_copy(update={"athlete": plan.athlete + " Jr"})
    assert not set(uids) & {uid for uid, _, _ in planned(other)}


def test_a_plan_without_a_block_repeats_its_week_from_the_start_date(plan):
    flat = plan.model_copy(update={"weeks": None, "horizon_weeks": 2})
    events = timed_events(to_ics(flat, START))
    per_week = sum(len(d.sessions) for d in plan.days)
    assert len(events) == 2 * per_week
    assert min(e.decoded("dtstart").date() for e in events) >= START
    assert max(e.decoded("dtstart").date() for e in events) < START + timedelta(weeks=2)


def test_the_weeks_longest_run_is_the_long_run_and_the_others_easy_runs(plan):
    """A week of a 40-min and a 90-min run, and a week whose longest run is 50 min: the events say
    which run is the long run, week by week."""
    runs = {2: [("mon", 40), ("sat", 90)], 3: [("mon", 50), ("sat", 30)]}
    weeks = [w.model_copy(update={"days": [DayPlan(day=d, sessions=[Session(kind="long_run", minutes=m)])
                                           for d, m in runs[w.week]]}) if w.week in runs else w
             for w in plan.weeks]
    events = timed_events(to_ics(plan.model_copy(update={"weeks": weeks}), START))
    by_date = {e.decoded("dtstart").date(): str(e["summary"]) for e in events}
    assert by_date[START + timedelta(weeks=1)] == "Easy run: 40 min"
    assert by_date[START + timedelta(weeks=1, days=5)] == "Long run: 90 min"
    assert by_date[START + timedelta(weeks=2)] == "Easy run: 50 min"  # under 60 min: no long run
    assert by_date[START + timedelta(weeks=2, days=5)] == "Easy run: 30 min"
