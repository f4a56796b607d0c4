"""legplan batch: roster reading, failures isolated, atomic files, resume, determinism, Dask.

Most tests plan with a small stand-in (``standin_plan``: one long run, scored by the real effect
model) so they stay fast; the tests marked "real solver" run ``planner.jobs.planning.solve``.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from markupsafe import escape

from planner.cli import main
from planner.jobs import batch
from planner.jobs.batch import BatchInterrupted, parse_formats, run_batch
from planner.jobs.roster import csv_row_to_profile, read_roster, slugify, unique_slugs
from planner.model.errors import InputError, NoSafePlanError, SolverStoppedError
from planner.model.plan import Plan, PlanInput, SolverInfo
from planner.model.profile import DAYS, Profile
from planner.science.scoring import score

GOOD = """\
name: {name}
sex: female
age: 29
height_cm: 168
weight_kg: 64
goal: bulkier
availability: {{mon: 60, wed: 45, thu: 60, sat: 90, sun: 120}}
facilities: [hills, barbell]
"""
NO_DAY = GOOD.replace("availability: {{mon: 60, wed: 45, thu: 60, sat: 90, sun: 120}}",
                      "availability: {{}}")
assert NO_DAY != GOOD
CSV_ROSTER = """\
name,sex,age,height_cm,weight_kg,goal,mon,wed,sat,facilities,exclude
Rae Kim,male,35,180,80,leaner,60,45,90,hills;track,sprints
Bo Diaz,female,40,165,60,fatter,45,45,60,,
Rae Kim,male,35,180,80,maintain,60,,90,track,
Too Many,male,35,180,80,leaner,60,45,90,,,extra
"""


# --- stand-ins for the solver and renderer (module level: they are sent to worker processes) --

def standin_plan(profile: Profile) -> Plan:
    """One 40-minute long run on the first day with time; no such day → no safe plan."""
    days = [d for d in DAYS if profile.minutes[d] >= 40]
    if not days:
        raise NoSafePlanError(profile.name, ["availability"], "no day has 40 minutes")
    week = PlanInput(calories_per_day=2200,
                     days=[{"day": days[0], "sessions": [{"kind": "long_run", "minutes": 40}]}])
    return score(profile, week, solver=SolverInfo(status="STANDIN", wall_ms=12.5))


def interrupting_plan(profile: Profile) -> Plan:
    """Ctrl-C arrives while planning the athlete called "Stop Here"."""
    if profile.name == "Stop Here":
        raise KeyboardInterrupt
    return standin_plan(profile)


def slow_first_plan(profile: Profile) -> Plan:
    """The roster's first athlete finishes last, so completion order differs from roster order:
    it waits until the parent has written the records of the other $LEGPLAN_TEST_OTHERS athletes
    into $LEGPLAN_TEST_RECORDS (a fixed sleep of 1 s was a race on a busy machine)."""
    if profile.name == "Dana Reyes":
        import os
        import time

        records = Path(os.environ["LEGPLAN_TEST_RECORDS"])
        others = int(os.environ["LEGPLAN_TEST_OTHERS"])
        deadline = time.monotonic() + 60  # (then finish anyway: the test's order check fails)
        while len(list(records.glob("*.json"))) < others and time.monotonic() < deadline:
            time.sleep(0.02)
    return standin_plan(profile)


def hanging_plan(profile: Profile) -> Plan:
    """"Hang" takes 60 s and then leaves a mark ($LEGPLAN_TEST_MARK); "Stop Here" is Ctrl-C."""
    if profile.name == "Hang":
        import os
        import time

        time.sleep(60)
        Path(os.environ["LEGPLAN_TEST_MARK"]).write_text("finished", encoding="utf-8")
    return interrupting_plan(profile)


def crashing_plan(profile: Profile) -> Plan:
    if profile.name == "Crash":
        raise RuntimeError("boom")
    if profile.name == "Stop":
        raise SolverStoppedError("Stop: the solver stopped with status UNKNOWN")
    return standin_plan(profile)


def standin_render(plan: Plan, fmt: str) -> str:
    return plan.to_json() if fmt == "json" else f"<{fmt}> {plan.athlete} {plan.calories_per_day}\n"




# --- helpers ----------------------------------------------------------------------------------

def write_roster(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def mixed_roster(tmp_path: Path) -> list[Path]:
    """Good athletes, bad YAML, a bad field, an impossible week, HTML and ../ names, duplicates."""
    folder = write_roster(tmp_path / "roster", {
        "01_good.yaml": GOOD.format(name="Dana Reyes"),
        "02_bad_syntax.yaml": "name: [Unclosed\nsex: female\n",
        "03_no_day.yaml": NO_DAY.format(name="Idle Ivy"),
        "04_html.yaml": GOOD.format(name='"<b>x</b>"'),
        "05_escape.yaml": GOOD.format(name='"../../x"'),
        "06_dup.yaml": GOOD.format(name="Sam Lee"),
        "07_dup.yaml": GOOD.format(name="Sam Lee"),
        "08_too_young.yaml": GOOD.format(name="Kid Kay").replace("age: 29", "age: 12"),
    })
    roster_csv = tmp_path / "team.csv"
    roster_csv.write_text(CSV_ROSTER, encoding="utf-8")
    return [folder, roster_csv]


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def summary(out: Path) -> dict[str, dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8", newline="") as f:
        return {row["slug"]: row for row in csv.DictReader(f)}


def run(inputs: list[Path], out: Path, **kwargs) -> batch.BatchReport:
    kwargs.setdefault("plan_fn", standin_plan)
    kwargs.setdefault("render_fn", standin_render)
    kwargs.setdefault("jobs", 1)
    kwargs.setdefault("progress_stream", io.StringIO())
    return run_batch(inputs, out, **kwargs)


# --- roster reading ---------------------------------------------------------------------------

def test_slugify_is_ascii_lowercase_and_cannot_climb_out():
    assert slugify("Zoë O'Brien") == "zoe-o-brien"
    assert slugify("../../x") == "x"
    assert slugify("<b>x</b>") == "b-x-b"
    assert slugify("李小龍") == ""


def test_unique_slugs_number_repeats_in_roster_order_and_never_collide():
    assert unique_slugs(["Sam Lee", "Sam Lee", "sam-lee-2", "", "!!"]) == [
        "sam-lee", "sam-lee-2", "sam-lee-2-2", "athlete", "athlete-2"]


def test_csv_row_cells_become_typed_profile_fields():
    row = {"name": "007", "age": "35", "weight_kg": "80.5", "mon": "60", "tue": "", "goal": "leaner",
           "facilities": "hills; track;", "exclude": "", "limits.max_deficit_pct": "20"}
    assert csv_row_to_profile(row) == {
        "name": "007", "age": 35, "weight_kg": 80.5, "goal": "leaner",
        "availability": {"mon": 60}, "facilities": ["hills", "track"],
        "limits": {"max_deficit_pct": 20}}


def test_sample_csv_roster_reads_as_valid_profiles():
    from planner.model.profile import parse_profile

    entries = read_roster([Path(__file__).parent.parent / "sample_profiles" / "roster.csv"])
    assert len(entries) == 6
    for entry in entries:
        assert entry.error is None
        parse_profile(entry.data, entry.source)


def test_directory_is_read_sorted_and_bad_files_become_entries_with_reasons(tmp_path):
    entries = read_roster(mixed_roster(tmp_path))
    assert [e.slug for e in entries] == [
        "dana-reyes", "02-bad-syntax", "idle-ivy", "b-x-b", "x", "sam-lee", "sam-lee-2", "kid-kay",
        "rae-kim", "bo-diaz", "rae-kim-2", "line-5"]
    assert entries[1].error is not None and "not valid YAML" in entries[1].error
    assert entries[11].source.endswith("team.csv:line 5")
    assert "cells" in entries[11].error


@pytest.mark.parametrize("header, problem", [
    ("", "empty"),
    ("name,age,colour", "colour"),
    ("name,age,age", "twice"),
    ("age,sex", "name column"),
])
def test_unusable_csv_header_is_an_input_error(tmp_path, header, problem):
    path = tmp_path / "r.csv"
    path.write_text(header + "\n" if header else "", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_roster([path])
    assert problem in e.value.render()


def test_missing_path_and_empty_directory_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_roster([tmp_path / "nope.yaml"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no profiles found"):
        read_roster([tmp_path / "empty"])


def test_a_csv_roster_with_only_a_header_is_an_input_error(tmp_path):
    """It used to plan "0 of 0 athletes" and exit 0; an empty directory was already exit 2."""
    path = tmp_path / "r.csv"
    path.write_text("name,sex,age\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no athletes found: the CSV roster has a header but no"):
        read_roster([path])
    assert invoke(str(path), "--out", str(tmp_path / "o")).exit_code == 2
    (tmp_path / "empty").mkdir()
    assert invoke(str(tmp_path / "empty"), "--out", str(tmp_path / "o")).exit_code == 2


def test_profile_named_entries_that_are_not_files_are_failed_entries_not_skipped(tmp_path):
    """A dangling *.yaml symlink, a FIFO and a directory named x.yaml were skipped silently."""
    import os

    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann"), "notes.txt": "x"})
    (roster / "b.yaml").symlink_to("missing.yaml")
    os.mkfifo(roster / "c.yml")
    (roster / "x.json").mkdir()
    entries = read_roster([roster])
    assert [(e.slug, e.error) for e in entries] == [
        ("ann", None),
        ("b", f"{roster / 'b.yaml'}: (document): a symlink to a file that does not exist"),
        ("c", f"{roster / 'c.yml'}: (document): is a FIFO (named pipe), not a regular file"),
        ("x", f"{roster / 'x.json'}: (document): is a directory, not a regular file"),
    ]
    report = run([roster], tmp_path / "out")
    assert (report.planned, report.failed, report.exit_code) == (1, 3, 1)
    assert summary(tmp_path / "out")["c"]["reason"].endswith("is a FIFO (named pipe), not a "
                                                             "regular file")


def test_an_input_argument_that_is_not_a_file_names_what_it_is(tmp_path):
    import os

    os.mkfifo(tmp_path / "team.csv")
    with pytest.raises(InputError, match="is a FIFO"):
        read_roster([tmp_path / "team.csv"])
    (tmp_path / "gone.yaml").symlink_to("missing.yaml")
    with pytest.raises(InputError, match="a symlink to a file that does not exist"):
        read_roster([tmp_path / "gone.yaml"])


def test_parse_formats_keeps_order_and_rejects_unknown():
    assert parse_formats("md, html,md") == ("md", "html")
    with pytest.raises(InputError, match="pdf"):
        parse_formats("html,pdf")


# --- the mixed roster -------------------------------------------------------------------------

def test_mixed_roster_plans_every_good_athlete_and_gives_every_bad_one_a_reason(tmp_path):
    inputs = mixed_roster(tmp_path)
    before = snapshot(tmp_path)
    out = tmp_path / "out"
    report = run(inputs, out, jobs=2)

    assert (report.total, report.planned, report.failed, report.exit_code) == (12, 7, 5, 1)
    rows = summary(out)
    good = ["dana-reyes", "b-x-b", "x", "sam-lee", "sam-lee-2", "rae-kim", "rae-kim-2"]
    for slug in good:
        assert rows[slug]["status"] == "ok"
        assert rows[slug]["files"] == f"plans/{slug}.html;plans/{slug}.json"
        assert (out / "plans" / f"{slug}.html").is_file() and (out / "plans" / f"{slug}.json").is_file()
    reasons = {slug: row["reason"] for slug, row in rows.items() if row["status"] == "failed"}
    assert set(reasons) == {"02-bad-syntax", "idle-ivy", "kid-kay", "bo-diaz", "line-5"}
    assert "not valid YAML" in reasons["02-bad-syntax"]
    assert "no safe plan" in reasons["idle-ivy"]
    assert "age" in reasons["kid-kay"]
    assert "team.csv:line 3" in reasons["bo-diaz"] and "goal" in reasons["bo-diaz"]
    assert "cells" in reasons["line-5"]
    assert not list(out.glob("plans/idle-ivy.*"))

    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<b>x</b>" not in index and "&lt;b&gt;x&lt;/b&gt;" in index
    for reason in reasons.values():
        assert str(escape(reason)) in index
    assert 'href="plans/sam-lee-2.html"' in index

    after = snapshot(tmp_path)
    outside = {k: v for k, v in after.items() if not k.startswith("out/")}
    assert outside == before  # nothing written, changed or deleted outside --out
    assert not [k for k in after if k.endswith(".tmp")]


def test_rae_kim_row_without_wednesday_is_still_read(tmp_path):
    # the second "Rae Kim" row leaves wed empty: an empty cell is an absent field
    entries = read_roster(mixed_roster(tmp_path))
    assert entries[10].data["availability"] == {"mon": 60, "sat": 90}


def test_plain_progress_prints_one_line_per_athlete(tmp_path):
    stream = io.StringIO()
    run(mixed_roster(tmp_path), tmp_path / "out", progress_stream=stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 12
    assert [line.split("]")[0] for line in lines] == [f"[{i}/12" for i in range(1, 13)]
    by_slug = {line.split("] ")[1].split(":")[0]: line.split(": ", 1)[1] for line in lines}
    assert by_slug["dana-reyes"] == "ok"
    assert by_slug["02-bad-syntax"].startswith("failed: ") and "not valid YAML" in by_slug["02-bad-syntax"]


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_progress_uses_a_bar_and_still_names_failures(tmp_path):
    stream = FakeTerminal()
    run(mixed_roster(tmp_path), tmp_path / "out", progress_stream=stream)
    text = stream.getvalue()
    assert "12/12" in text
    assert "[1/12]" not in text
    assert "idle-ivy: failed" in text


def test_formula_like_names_are_defused_in_summary_csv(tmp_path):
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name='"=HYPERLINK(1)"')})
    run([roster], tmp_path / "out")
    assert summary(tmp_path / "out")["hyperlink-1"]["name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize("text", ["|calc", "=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_summary_csv_defuses_every_formula_start(text):
    """``|`` (a DDE command in some spreadsheets) was let through; OWASP lists tab and CR too."""
    assert batch._csv_safe(text) == "'" + text
    assert batch._csv_safe("a" + text) == "a" + text


def test_summary_csv_defuses_a_pipe_in_name_source_and_reason():
    rows = [{"ordinal": 1, "name": "|calc", "slug": "s", "source": "|src", "status": "failed",
             "goal": "", "files": [], "reason": "|why"}]
    row = next(csv.DictReader(io.StringIO(batch.summary_csv(rows))))
    assert (row["name"], row["source"], row["reason"]) == ("'|calc", "'|src", "'|why")


@pytest.mark.parametrize("name, slug", [
    ("Con", "con-athlete"), ("NUL", "nul-athlete"), ("aux", "aux-athlete"), ("Prn", "prn-athlete"),
    ("COM1", "com1-athlete"), ("com9", "com9-athlete"), ("LPT1", "lpt1-athlete"),
    ("lpt9", "lpt9-athlete"), ("com10", "com10"), ("Connie", "connie"), ("Con 1", "con-1"),
])
def test_slugs_that_windows_reserves_for_devices_get_a_suffix(name, slug):
    """``con.html``, ``nul.json``, ``com1`` (any extension) cannot be created on Windows."""
    assert slugify(name) == slug


def test_reserved_slugs_stay_unique(tmp_path):
    assert unique_slugs(["Con", "con", "con-athlete"]) == [
        "con-athlete", "con-athlete-2", "con-athlete-3"]
    roster = write_roster(tmp_path / "r", {"nul.yaml": "name: [bad\n"})
    assert [e.slug for e in read_roster([roster])] == ["nul-athlete"]  # the file-name stand-in


def test_an_athlete_whose_planning_crashes_fails_alone(tmp_path):
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Crash"),
                                           "b.yaml": GOOD.format(name="Fine"),
                                           "c.yaml": GOOD.format(name="Stop")})
    report = run([roster], tmp_path / "out", plan_fn=crashing_plan, jobs=2)
    rows = summary(tmp_path / "out")
    assert report.exit_code == 1
    assert rows["crash"]["reason"] == "internal error while planning: RuntimeError: boom"
    assert rows["stop"]["reason"] == "Stop: the solver stopped with status UNKNOWN"  # not a bug
    assert rows["fine"]["status"] == "ok"
    rerun = run([roster], tmp_path / "out", plan_fn=crashing_plan, resume=True)
    assert rerun.skipped == 1  # only Fine: a crash and a stopped solve are both retried


def test_a_failed_athlete_does_not_keep_an_old_plan(tmp_path):
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    out = tmp_path / "out"
    run([roster], out)
    assert (out / "plans" / "ann.html").exists()
    (roster / "a.yaml").write_text(NO_DAY.format(name="Ann"), encoding="utf-8")
    run([roster], out)
    assert not (out / "plans" / "ann.html").exists()
    assert summary(out)["ann"]["status"] == "failed"


def test_output_directory_that_cannot_be_created_is_an_input_error(tmp_path):
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot create"):
        run([roster], tmp_path / "file" / "out")


@pytest.mark.parametrize("sub", ["plans", ".legplan"])
def test_a_symlinked_subdirectory_of_out_is_refused(tmp_path, sub):
    """``out/plans -> ../elsewhere`` used to put the plans outside --out."""
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / sub).symlink_to("../elsewhere")
    with pytest.raises(InputError, match=f"{sub} is a symlink .*legplan writes only into real "
                                         "directories inside --out"):
        run([roster], tmp_path / "out")
    assert list(elsewhere.iterdir()) == []
    assert invoke(str(roster), "--out", str(tmp_path / "out")).exit_code == 2


class Gate:
    """Blocks the first athlete's planning until the test lets it go."""
    started = None
    go = None


def gated_plan(profile: Profile) -> Plan:
    Gate.started.set()
    assert Gate.go.wait(60)
    return standin_plan(profile)


def test_a_second_run_into_the_same_out_fails_at_once_while_the_first_runs(tmp_path):
    """Two runs at once used to interleave their files (summary.csv then disagreed with the
    plans): the second now fails clearly and writes nothing."""
    import threading

    first_roster = write_roster(tmp_path / "r1", {"a.yaml": GOOD.format(name="Ann")})
    second_roster = write_roster(tmp_path / "r2", {"b.yaml": GOOD.format(name="Bea")})
    out = tmp_path / "out"
    Gate.started, Gate.go = threading.Event(), threading.Event()
    results = []
    first = threading.Thread(target=lambda: results.append(run([first_roster], out,
                                                               plan_fn=gated_plan)))
    first.start()
    try:
        assert Gate.started.wait(60)  # the first run holds the lock and is planning
        with pytest.raises(InputError, match="another legplan batch is writing into this "
                                             "directory"):
            run([second_roster], out)
        result = invoke(str(second_roster), "--out", str(out))
        assert result.exit_code == 2 and "another legplan batch" in result.output
    finally:
        Gate.go.set()
        first.join(60)
    assert results[0].exit_code == 0
    assert set(summary(out)) == {"ann"} and not list(out.glob("**/bea*"))
    assert run([second_roster], out).exit_code == 0  # the lock went with the first run


# --- determinism, interruption and resume -----------------------------------------------------

def test_jobs_1_and_jobs_2_write_byte_identical_outputs(tmp_path, monkeypatch):
    inputs = mixed_roster(tmp_path)
    run(inputs, tmp_path / "one", jobs=1)
    monkeypatch.setenv("LEGPLAN_TEST_RECORDS", str(tmp_path / "two" / ".legplan"))
    monkeypatch.setenv("LEGPLAN_TEST_OTHERS", str(len(read_roster(inputs)) - 1))  # all but Dana
    progress = io.StringIO()
    run(inputs, tmp_path / "two", jobs=2, plan_fn=slow_first_plan, progress_stream=progress)
    assert progress.getvalue().splitlines()[-1].endswith("dana-reyes: ok")  # finished last
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert len(one) == 7 * 2 + 12 + 2
    assert one == two


def test_solver_wall_time_is_not_written_so_reruns_are_identical(tmp_path):
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    run([roster], tmp_path / "out")
    assert '"wall_ms": 0.0' in (tmp_path / "out" / "plans" / "ann.json").read_text()


@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupted_run_leaves_only_complete_files_and_resume_matches_a_full_run(tmp_path, jobs):
    files = {f"{i:02d}.yaml": GOOD.format(name=f"Athlete {i}") for i in range(1, 8)}
    files["04.yaml"] = GOOD.format(name="Stop Here")
    roster = write_roster(tmp_path / "r", files)
    full, cut = tmp_path / "full", tmp_path / "cut"
    run([roster], full, jobs=jobs)

    with pytest.raises(BatchInterrupted, match="--resume"):
        run([roster], cut, jobs=jobs, plan_fn=interrupting_plan)
    partial = snapshot(cut)
    assert "index.html" not in partial and "summary.csv" not in partial
    assert not [k for k in partial if k.endswith(".tmp")]
    for name, data in partial.items():  # every file there is complete: the same as the full run's
        assert data == snapshot(full)[name]
    assert "plans/stop-here.json" not in partial
    inodes = {name: (cut / name).stat().st_ino for name in partial}

    report = run([roster], cut, jobs=jobs, resume=True)
    assert snapshot(cut) == snapshot(full)
    finished_before = sum(1 for k in partial if k.startswith(".legplan/"))
    assert report.skipped == finished_before
    assert all((cut / name).stat().st_ino == inode for name, inode in inodes.items())


needs_signals = pytest.mark.skipif(not hasattr(__import__("signal"), "SIGTERM"),
                                   reason="POSIX signals")


class Stopped(Exception):
    """Raised by ``raise_stopped``: the signal handler the exact-moment signal tests install."""


def raise_stopped(signum, frame):
    raise Stopped()


def signal_on_call(monkeypatch, nth: int, signum: int) -> list[int]:
    """Patch ``signal.signal`` so that its ``nth`` call (1-based), once made, sends ``signum``
    to this process: the signal lands at an exact moment inside the code under test. Returns
    the signal numbers of the calls made (``monkeypatch.undo()`` ends the patch)."""
    import os
    import signal

    real_signal = signal.signal
    calls: list[int] = []

    def patched(sig, handler):
        old = real_signal(sig, handler)
        calls.append(sig)
        if len(calls) == nth:
            os.kill(os.getpid(), signum)
        return old

    monkeypatch.setattr(signal, "signal", patched)
    return calls


@needs_signals
def test_a_signal_between_a_plan_file_and_its_record_waits_for_the_record(tmp_path, monkeypatch):
    """SIGTERM once landed after an athlete's plan file and before the record marking it done
    (CI, 1 run in about 20): a plan on disk that --resume did not count. The moment is exact
    here: the signal is sent from inside the first plan file's write."""
    import os
    import signal

    written: list[str] = []
    real_write = batch.atomic_write_text

    def write_then_signal(path, text):
        real_write(path, text)
        written.append(path.name)
        if len(written) == 1:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(batch, "atomic_write_text", write_then_signal)
    previous = signal.signal(signal.SIGTERM, raise_stopped)
    entry = read_roster([write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})])[0]
    out = tmp_path / "out"
    (out / "plans").mkdir(parents=True)
    (out / ".legplan").mkdir()
    try:
        with pytest.raises(Stopped):
            batch.save_outcome(out, entry, ({"status": "ok"}, {"md": "plan\n", "json": "{}\n"}))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert written == ["ann.md", "ann.json", "ann.json"]  # both plans, then the record
    assert (out / ".legplan" / "ann.json").is_file()
    assert signal.getsignal(signal.SIGTERM) is previous


@needs_signals
def test_a_sigterm_while_signals_are_being_deferred_leaves_ctrl_c_working(monkeypatch):
    """A SIGTERM between the swap of SIGINT's handler and SIGTERM's raised from the dict that
    held the old handlers, before the block that puts them back: Ctrl-C stayed swallowed. The
    moment is exact: the signal is sent from inside the first swap."""
    import signal

    from planner.model.files import signals_deferred

    previous = signal.signal(signal.SIGTERM, raise_stopped)
    before = signal.getsignal(signal.SIGINT)
    calls = signal_on_call(monkeypatch, 1, signal.SIGTERM)
    try:
        with pytest.raises(Stopped):
            with signals_deferred():
                pass
    finally:
        monkeypatch.undo()
        signal.signal(signal.SIGTERM, previous)
    assert calls[0] == signal.SIGINT and signal.getsignal(signal.SIGINT) is before


@needs_signals
def test_a_ctrl_c_while_handlers_are_put_back_leaves_sigterm_working(monkeypatch):
    """The other end: a Ctrl-C right after SIGINT's own handler was put back raised before
    SIGTERM's was, which stayed the deferring one (every later SIGTERM ignored). The signal is
    sent from inside the first put-back (calls: swap SIGINT, swap SIGTERM, put SIGINT back)."""
    import signal

    from planner.model.files import signals_deferred

    before = {s: signal.signal(s, raise_stopped) for s in (signal.SIGINT, signal.SIGTERM)}
    calls = signal_on_call(monkeypatch, 3, signal.SIGINT)
    try:
        with pytest.raises(Stopped):
            with signals_deferred():
                pass
        assert len(calls) == 4
        assert signal.getsignal(signal.SIGINT) is raise_stopped
        assert signal.getsignal(signal.SIGTERM) is raise_stopped
    finally:
        monkeypatch.undo()
        for s, h in before.items():
            signal.signal(s, h)


def test_an_interrupted_pool_stops_its_workers_instead_of_waiting_for_them(tmp_path, monkeypatch):
    """The pool used to be shut down gracefully on Ctrl-C: waiting for every worker to finish
    its athlete (a second Ctrl-C during that wait left workers blocked and the exit hanging)."""
    mark = tmp_path / "finished"
    monkeypatch.setenv("LEGPLAN_TEST_MARK", str(mark))
    roster = write_roster(tmp_path / "r", {"1.yaml": GOOD.format(name="Hang"),
                                           "2.yaml": GOOD.format(name="Stop Here")})
    with pytest.raises(BatchInterrupted):
        run([roster], tmp_path / "out", jobs=2, plan_fn=hanging_plan)
    assert not mark.exists()  # the worker planning "Hang" was stopped, not awaited


def test_stopping_workers_mid_result_does_not_leave_the_pool_reading_for_ever():
    """A worker stopped while sending a result (a plan's HTML is bigger than a pipe holds) left
    the pool's manager thread reading the rest for ever, and the interpreter joins that thread
    at exit: a double Ctrl-C under load hung the batch after "interrupted …". Here the half
    message is written by hand, so the moment is exact."""
    import multiprocessing
    import os
    import struct
    import time
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    writer = pool._result_queue._writer
    try:
        assert pool.submit(abs, -1).result(timeout=120) == 1  # workers and manager running
        manager = pool._executor_manager_thread
        os.write(writer.fileno(), struct.pack("!i", 1000) + b"half")  # 4 of 1000 bytes
        time.sleep(0.2)  # (the thread reads the header now or later: either way it waits)
        batch._stop_workers(pool)
        manager.join(60)
        assert not manager.is_alive()
    finally:
        writer.close()  # without the fix, let the thread go so that pytest can exit


def test_resume_redoes_athletes_with_missing_files_or_changed_input(tmp_path):
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann"),
                                           "b.yaml": GOOD.format(name="Bea"),
                                           "c.yaml": GOOD.format(name="Cat")})
    out = tmp_path / "out"
    run([roster], out)
    (out / "plans" / "ann.html").unlink()
    before = (out / "plans" / "bea.json").read_text()
    (roster / "b.yaml").write_text(GOOD.format(name="Bea").replace("64", "70"), encoding="utf-8")
    report = run([roster], out, resume=True)
    assert report.skipped == 1  # only Cat
    assert (out / "plans" / "ann.html").exists()
    assert (out / "plans" / "bea.json").read_text() != before  # re-planned for 70 kg


def test_resume_with_an_extra_format_renders_it(tmp_path):
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    out = tmp_path / "out"
    run([roster], out, formats=("json",))
    report = run([roster], out, formats=("json", "md"), resume=True)
    assert report.skipped == 0
    assert summary(out)["ann"]["files"] == "plans/ann.json;plans/ann.md"


# --- Dask -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    import cloudpickle

    # the stand-ins live in this test module, which Dask workers cannot import: send them by value
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_dask_run_is_byte_identical_to_the_local_run(tmp_path, dask_cluster):
    inputs = mixed_roster(tmp_path)
    run(inputs, tmp_path / "local", jobs=2)
    report = run(inputs, tmp_path / "dask", dask_address=dask_cluster)
    assert report.exit_code == 1
    assert snapshot(tmp_path / "dask") == snapshot(tmp_path / "local")


def test_real_solver_dask_and_jobs_1_and_2_give_byte_identical_plans(tmp_path, dask_cluster):
    """The same plans from every runner. An athlete whose solve the wall-clock safety net cut
    short on a machine too busy for it ("stopped", never a different plan) is finished the way a
    coach would, with ``--resume``: the net depends on the machine's load, the plans must not."""
    samples = Path(__file__).parent.parent / "sample_profiles"
    inputs = [samples / "dana_reyes.yaml", samples / "jamal_carter.yaml", samples / "roster.csv"]
    outs = {}
    for label, kwargs in (("one", {"jobs": 1}), ("two", {"jobs": 2}),
                          ("dask", {"dask_address": dask_cluster})):
        for resume in (False, True, True):  # a resume redoes only athletes that were stopped
            run_batch(inputs, tmp_path / label, formats=("html", "md", "json"),
                      progress_stream=io.StringIO(), resume=resume, **kwargs)
        outs[label] = snapshot(tmp_path / label)
    assert len([k for k in outs["one"] if k.startswith("plans/")]) == 8 * 3
    assert outs["one"] == outs["two"] == outs["dask"]


# --- the command ------------------------------------------------------------------------------

def invoke(*args: str):
    from planner.cli import main

    return CliRunner().invoke(main, ["batch", *args])


def test_cli_exit_2_when_the_input_is_unusable(tmp_path):
    assert invoke(str(tmp_path / "nope"), "--out", str(tmp_path / "o")).exit_code == 2
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    result = invoke(str(roster), "--out", str(tmp_path / "o"), "--format", "pdf")
    assert result.exit_code == 2 and "pdf" in result.output
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("name,colour\nAnn,red\n")
    result = invoke(str(bad_csv), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "colour" in result.output


def test_cli_exit_130_on_ctrl_c_says_resume_finishes(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise BatchInterrupted(3, 10)

    monkeypatch.setattr(batch, "run_batch", interrupted)
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    result = invoke(str(roster), "--out", str(tmp_path / "o"))
    assert result.exit_code == 130
    assert "--resume" in result.output


def test_cli_dask_without_a_scheduler_is_exit_2(tmp_path):
    pytest.importorskip("distributed")
    roster = write_roster(tmp_path / "r", {"a.yaml": GOOD.format(name="Ann")})
    result = invoke(str(roster), "--out", str(tmp_path / "o"), "--dask", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "Dask scheduler" in result.output


def test_cli_real_solver_mixed_roster_exit_1_and_good_roster_exit_0(tmp_path):
    inputs = mixed_roster(tmp_path)
    result = invoke(*map(str, inputs), "--out", str(tmp_path / "mixed"), "--jobs", "2")
    assert result.exit_code == 1, result.output
    rows = summary(tmp_path / "mixed")
    assert {s for s, r in rows.items() if r["status"] == "ok"} == {
        "dana-reyes", "b-x-b", "x", "sam-lee", "sam-lee-2", "rae-kim", "rae-kim-2"}
    assert "no safe plan" in rows["idle-ivy"]["reason"]
    assert "<b>x</b>" not in (tmp_path / "mixed" / "plans" / "b-x-b.html").read_text()

    good = write_roster(tmp_path / "good", {"a.yaml": GOOD.format(name="Ann")})
    result = invoke(str(good), "--out", str(tmp_path / "ok"), "--format", "md")
    assert result.exit_code == 0, result.output
    assert "1 of 1 athletes planned" in result.output
    assert (tmp_path / "ok" / "plans" / "ann.md").is_file()


# The interpreter's own start-up (before the first line of the ``-c`` code runs: Python installs
# its Ctrl-C handler, then runs site) is outside any program's reach: a Ctrl-C there kills
# python or prints a traceback from site.py. Tests that time a Ctrl-C from "start" therefore
# count from the moment the child's first line of code runs (it prints STARTED), not from the
# fork, so that a slow or busy machine cannot move the signal into that window.
STARTED = "legplan-test: started"
CLI = f"import sys; print({STARTED!r}, file=sys.stderr, flush=True); " \
      "from planner.cli import main; main()"


def start_cli(args: list[str], **kwargs):
    """``legplan ARGS`` in its own session (a process group, as a shell job is), once it runs."""
    import subprocess

    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)
    assert proc.stderr.readline().strip() == STARTED
    return proc


@pytest.mark.parametrize("after_s", [0.2, 0.4])
def test_ctrl_c_while_workers_start_prints_no_traceback(tmp_path, after_s):
    """Ctrl-C goes to the whole process group, workers included, even while they are starting;
    at 0.2 s the CLI is usually still importing (a Ctrl-C then also exits 130)."""
    import os
    import signal
    import time

    samples = Path(__file__).parent.parent / "sample_profiles"
    proc = start_cli(["batch", str(samples), "--out", str(tmp_path / "out"), "--jobs", "2"])
    time.sleep(after_s)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


def test_real_ctrl_c_exits_130_with_complete_files_and_resume_finishes(tmp_path):
    import os
    import signal
    import subprocess
    import time

    samples = Path(__file__).parent.parent / "sample_profiles"
    # enough athletes that the run is still going when Ctrl-C arrives, however fast the solver
    header, *rows = (samples / "roster.csv").read_text(encoding="utf-8").splitlines()
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join([header] + rows * 8) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from planner.cli import main; main()", "batch",
               str(samples), str(roster), "--out", str(out), "--jobs", "2"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob(".legplan/*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends: the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert not list(out.rglob("*.tmp"))
    assert not (out / "summary.csv").exists()
    done = {p.stem for p in out.glob(".legplan/*.json")}
    assert {p.stem for p in out.glob("plans/*")} <= done
    for plan in out.glob("plans/*.json"):
        Plan.model_validate_json(plan.read_text())  # complete, valid documents

    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode in (0, 1), resumed.stderr
    assert f"({len(done)} done earlier)" in resumed.stdout
    assert len(summary(out)) == len(list(samples.glob("*.yaml"))) + 8 * len(rows)


def live_processes_in_group(pgid: int) -> list[str]:
    """The processes of a process group that still run (zombies are gone: only not reaped)."""
    import os

    live = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            live.append(f"{pid} {command}")
    return live


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("how, code", [
    ("Ctrl-C twice, 0.1 s apart", 130),
    ("SIGTERM to the parent", 143),
    ("SIGTERM to the group", 143),
])
def test_every_signal_ends_the_whole_run_with_complete_files(tmp_path, how, code):
    """A double Ctrl-C could hang the batch for ever (workers in Queue.get, the parent joining
    them); SIGTERM killed the parent and left the workers and the resource tracker running."""
    import os
    import signal
    import time

    samples = Path(__file__).parent.parent / "sample_profiles"
    header, *rows = (samples / "roster.csv").read_text(encoding="utf-8").splitlines()
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join([header] + rows * 8) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = start_cli(["batch", str(samples), str(roster), "--out", str(out), "--jobs", "2"])
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob(".legplan/*.json")) and time.monotonic() < deadline:
            time.sleep(0.05)  # workers are planning: the run is well under way
        if how.startswith("Ctrl-C"):
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.1)
            os.killpg(proc.pid, signal.SIGINT)
        elif how == "SIGTERM to the parent":
            os.kill(proc.pid, signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=120)  # (workers left behind would hold the pipes)
        assert proc.returncode == code, err
        assert "Traceback" not in err and "--resume" in err
        deadline = time.monotonic() + 60  # the resource tracker leaves once the others have
        while live_processes_in_group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert live_processes_in_group(proc.pid) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert not list(out.rglob("*.tmp"))
    assert not (out / "summary.csv").exists()
    done = {p.stem for p in out.glob(".legplan/*.json")}
    assert done and {p.stem for p in out.glob("plans/*")} <= done
    for plan in out.glob("plans/*.json"):
        Plan.model_validate_json(plan.read_text())


# --- the calendar file per athlete ------------------------------------------------------------

def test_batch_writes_one_calendar_per_athlete_and_resume_redoes_other_dates(tmp_path):
    """``--format ics --start``: one .ics per athlete, read back by the independent vobject
    parser, with the athletes' own UIDs; ``--resume`` keeps them for the same dates and redoes
    them for another ``--start`` (a stale calendar must not survive a re-dated run)."""
    import vobject

    from planner.report.calendar import CalendarSettings

    folder = write_roster(tmp_path / "roster", {"a.yaml": GOOD.format(name="Ann Ng"),
                                                "b.yaml": GOOD.format(name="Bea Ode")})
    out = tmp_path / "out"
    first = CalendarSettings(start=date(2027, 1, 1))  # a Friday
    run([folder], out, formats=("json", "ics"), calendar=first)
    uids = {}
    for slug in ("ann-ng", "bea-ode"):
        cal = vobject.readOne((out / "plans" / f"{slug}.ics").read_text(encoding="utf-8"))
        timed = [e for e in cal.contents["vevent"] if hasattr(e.dtstart.value, "hour")]
        assert min(e.dtstart.value.date() for e in timed).isoformat() == "2027-01-04"
        uids[slug] = {e.uid.value for e in timed}
    assert uids["ann-ng"] and not uids["ann-ng"] & uids["bea-ode"]
    again = run([folder], out, formats=("json", "ics"), calendar=first, resume=True)
    assert again.skipped == 2
    later = CalendarSettings(start=date(2027, 2, 1))
    moved = run([folder], out, formats=("json", "ics"), calendar=later, resume=True)
    assert moved.skipped == 0
    assert "DTSTART:20270201T070000" in (out / "plans" / "ann-ng.ics").read_text(encoding="utf-8")


def test_batch_refuses_a_calendar_without_a_start_before_any_work(tmp_path):
    folder = write_roster(tmp_path / "roster", {"a.yaml": GOOD.format(name="Ann Ng")})
    result = CliRunner().invoke(main, ["batch", str(folder), "--out", str(tmp_path / "out"),
                                       "--format", "html,ics"])
    assert result.exit_code == 2
    assert "--start" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
