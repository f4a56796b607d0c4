"""The CLI's basic commands in-process (click's CliRunner): validate, schema, score, help.

Exit codes (docs/design.md "Exit codes"): 0 a plan was produced; 2 bad input, file and field named, no traceback.
"""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from planner import cli
from planner.model import files
from planner.model.errors import InputError, NoSafePlanError, SolverStoppedError
from planner.model.plan import Plan, parse_plan
from planner.model.profile import Profile
from planner.science.guardrails import RULE_NAMES, SHAPE_RULE_NAMES
from planner.science.scoring import score

SAMPLES = Path(__file__).resolve().parent.parent / "sample_profiles"
DANA = str(SAMPLES / "dana_reyes.yaml")

# The minimal document ``score`` accepts: only calories_per_day and days.
MINIMAL_PLAN: dict[str, Any] = {
    "calories_per_day": 2300,
    "days": [
        {"day": "mon", "sessions": [{"kind": "squats_lunges", "minutes": 45, "sets": 10}]},
        {"day": "wed", "sessions": [{"kind": "sprints", "minutes": 35, "reps": 8}]},
        {"day": "sun", "sessions": [{"kind": "long_run", "minutes": 60}]},
    ],
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, list(args))


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(MINIMAL_PLAN), encoding="utf-8")
    return path


@pytest.fixture
def bad_profile(tmp_path: Path) -> Path:
    path = tmp_path / "typo.yaml"
    path.write_text((SAMPLES / "dana_reyes.yaml").read_text(encoding="utf-8")
                    .replace("pal: 1.5", "pall: 1.5"), encoding="utf-8")
    return path


# ---- validate -------------------------------------------------------------------------------
def test_validate_good_files() -> None:
    paths = sorted(str(p) for p in SAMPLES.glob("*.yaml"))
    result = run("validate", *paths)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"OK {p}" for p in paths]
    assert result.stderr == ""


def test_validate_bad_file_names_file_and_field(bad_profile: Path) -> None:
    result = run("validate", DANA, str(bad_profile))
    assert result.exit_code == 2
    assert result.stdout == f"OK {DANA}\n"
    assert str(bad_profile) in result.stderr
    assert "pall" in result.stderr and "unknown field" in result.stderr
    assert_no_traceback(result)


def test_validate_says_what_is_allowed(tmp_path: Path) -> None:
    path = tmp_path / "goal.yaml"
    path.write_text((SAMPLES / "dana_reyes.yaml").read_text(encoding="utf-8")
                    .replace("goal: bulkier", "goal: stronger"), encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "goal" in result.stderr and "'maintain'" in result.stderr


def test_validate_missing_file_exits_2_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "nobody.yaml")
    result = run("validate", missing)
    assert result.exit_code == 2
    assert missing in result.stderr and "file not found" in result.stderr
    assert_no_traceback(result)


def test_validate_needs_a_file() -> None:
    assert run("validate").exit_code == 2


# ---- schema ---------------------------------------------------------------------------------
def test_schema_defaults_to_profile() -> None:
    result = run("schema")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["title"] == "Profile"
    assert doc["additionalProperties"] is False
    assert {"goal", "availability", "limits", "height_in", "weight_lb"} <= set(doc["properties"])
    assert "height_cm" not in doc["required"]  # height_in may replace it


def test_schema_plan() -> None:
    result = run("schema", "plan")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["title"] == "Plan"
    assert {"schema_version", "calories_per_day", "days", "projection", "goal_reached",
            "guardrails", "units", "goal_status"} <= set(doc["properties"])


def test_schema_unknown_kind_exits_2() -> None:
    assert run("schema", "roster").exit_code == 2


# ---- score ----------------------------------------------------------------------------------
def test_score_minimal_plan_to_json(plan_file: Path) -> None:
    result = run("score", DANA, str(plan_file))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert doc["athlete"] == "Dana Reyes"
    assert doc["calories_per_day"] == 2300
    assert [d["day"] for d in doc["days"]] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert doc["horizon_weeks"] == 12
    projection = doc["projection"]
    assert projection["weeks"] == 12
    assert len(projection["weekly"]) == 13  # week 0 (the start) to week 12
    assert projection["body_weight_kg_change"] == pytest.approx(
        projection["weekly"][-1]["body_weight_kg"] - projection["weekly"][0]["body_weight_kg"],
        abs=0.002)
    assert isinstance(doc["goal_reached"], bool)
    assert [g["name"] for g in doc["guardrails"]] == list(RULE_NAMES)
    # a hand-written week: every guardrail holds (plan-shape rules are reported, not required)
    assert all(g["ok"] for g in doc["guardrails"] if g["name"] not in SHAPE_RULE_NAMES)
    assert doc["protein_g_per_day"] == 115  # 1.8 g/kg × 64 kg, the default when absent
    assert set(doc["goal_status"]) == {"target_thigh_change_cm", "shortfall_cm", "unmet",
                                       "earliest_week", "probability"}
    assert doc["goal_status"]["target_thigh_change_cm"] == pytest.approx(1.0, abs=1e-9)


def test_score_weeks_option(plan_file: Path) -> None:
    result = run("score", DANA, str(plan_file), "--weeks", "4")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["horizon_weeks"] == 4
    assert doc["projection"]["weeks"] == 4
    assert len(doc["projection"]["weekly"]) == 5


def test_score_accepts_its_own_output(plan_file: Path, tmp_path: Path) -> None:
    first = tmp_path / "first.json"
    assert run("score", DANA, str(plan_file), "-o", str(first)).exit_code == 0
    again = run("score", DANA, str(first))
    assert again.exit_code == 0, again.output
    assert again.stdout == first.read_text(encoding="utf-8")


@pytest.mark.parametrize("weeks", ["0", "53", "-1", "twelve"])
def test_score_bad_weeks_exits_2(plan_file: Path, weeks: str) -> None:
    result = run("score", DANA, str(plan_file), "--weeks", weeks)
    assert result.exit_code == 2
    assert "--weeks" in result.stderr
    assert result.stdout == ""


def test_score_output_file(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.json"
    result = run("score", DANA, str(plan_file), "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["athlete"] == "Dana Reyes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.json", "scored.json"]


def test_score_output_replaces_an_existing_file_whole(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.json"
    out.write_text("x" * 100_000, encoding="utf-8")  # longer than the plan: no leftovers
    result = run("score", DANA, str(plan_file), "-o", str(out))
    assert result.exit_code == 0, result.output
    json.loads(out.read_text(encoding="utf-8"))


def test_failed_score_with_output_leaves_no_file(tmp_path: Path, plan_file: Path) -> None:
    out = tmp_path / "scored.json"
    result = run("score", str(tmp_path / "nobody.yaml"), str(plan_file), "-o", str(out))
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edited.json"]


def test_failed_score_keeps_the_existing_output(tmp_path: Path, bad_profile: Path,
                                                plan_file: Path) -> None:
    out = tmp_path / "scored.json"
    out.write_text("previous plan\n", encoding="utf-8")
    result = run("score", str(bad_profile), str(plan_file), "-o", str(out))
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous plan\n"


def test_score_bad_plan_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"days": [{"day": "mon", "sessions": [{"kind": "sprints",
                                                                       "minutes": 30,
                                                                       "sets": 4}]}]}))
    result = run("score", DANA, str(path))
    assert result.exit_code == 2
    assert str(path) in result.stderr
    assert "calories_per_day" in result.stderr
    assert "sprints takes no sets/load" in result.stderr
    assert_no_traceback(result)


def test_score_missing_plan_file_exits_2(tmp_path: Path) -> None:
    missing = str(tmp_path / "nothing.json")
    result = run("score", DANA, missing)
    assert result.exit_code == 2
    assert missing in result.stderr
    assert_no_traceback(result)


def test_score_unknown_option_exits_2(plan_file: Path) -> None:
    result = run("score", DANA, str(plan_file), "--colour", "red")
    assert result.exit_code == 2
    assert "--colour" in result.stderr


def test_score_bad_format_exits_2(plan_file: Path) -> None:
    assert run("score", DANA, str(plan_file), "--format", "pdf").exit_code == 2


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_score_md_and_html_go_through_the_renderer(plan_file: Path, fmt: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("planner.report.render")

    def render(plan: Plan, f: str, **options: Any) -> str:
        return f"{f}: {plan.athlete}, {plan.calories_per_day} kcal\n"

    fake.render = render  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "planner.report.render", fake)
    result = run("score", DANA, str(plan_file), "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{fmt}: Dana Reyes, 2300 kcal\n"


# ---- plan (the solver is stubbed: these test the command's wiring only) ----------------------
def fake_solver(monkeypatch: pytest.MonkeyPatch, solve: Any) -> None:
    module = types.ModuleType("planner.jobs.planning")
    module.solve = solve  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "planner.jobs.planning", module)


def test_plan_writes_the_solved_plan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def solve(profile: Profile, **options: Any) -> Plan:
        return score(profile, parse_plan(MINIMAL_PLAN))

    fake_solver(monkeypatch, solve)
    out = tmp_path / "week.json"
    result = run("plan", DANA, "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["athlete"] == "Dana Reyes" and doc["calories_per_day"] == 2300


def test_plan_without_a_safe_plan_exits_3(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    def solve(profile: Profile, **options: Any) -> Plan:
        raise NoSafePlanError(profile.name, ["minimum intake", "deficit"])

    fake_solver(monkeypatch, solve)
    out = tmp_path / "week.md"
    result = run("plan", DANA, "-o", str(out))
    assert result.exit_code == 3
    assert "Dana Reyes: no safe plan exists" in result.stderr
    assert "minimum intake, deficit" in result.stderr
    assert not out.exists()
    assert_no_traceback(result)


def test_plan_bad_profile_exits_2_before_solving(monkeypatch: pytest.MonkeyPatch,
                                                 bad_profile: Path) -> None:
    def solve(profile: Profile, **options: Any) -> Plan:
        raise AssertionError("the solver must not run on a bad profile")

    fake_solver(monkeypatch, solve)
    result = run("plan", str(bad_profile))
    assert result.exit_code == 2
    assert "pall" in result.stderr


# ---- shared helpers -------------------------------------------------------------------------
def test_write_output_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    cli.write_output("hello\n", None)
    assert capsys.readouterr().out == "hello\n"


def test_write_output_keeps_permissions(tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    out.write_text("old", encoding="utf-8")
    os.chmod(out, 0o640)
    cli.write_output("new", str(out))
    assert out.read_text(encoding="utf-8") == "new"
    assert out.stat().st_mode & 0o777 == 0o640


def test_write_output_new_file_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        cli.write_output("new", str(tmp_path / "plan.md"))
    finally:
        os.umask(old)
    assert (tmp_path / "plan.md").stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["plan.md"]


def test_write_output_to_a_missing_directory_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        cli.write_output("text", str(tmp_path / "no" / "such" / "plan.md"))
    assert "plan.md" in str(info.value)
    assert not (tmp_path / "no").exists()


def test_write_output_failure_leaves_no_temp_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "plan.md"
    out.write_text("old", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(InputError):
        cli.write_output("new", str(out))
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.md"]


# ---- -o writes only regular files ------------------------------------------------------------
def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _device(path: Path) -> Path:
    """A character device like /dev/null, made in the test's own directory (needs root)."""
    import stat

    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


def _link(path: Path, to: Path | str) -> Path:
    path.symlink_to(to)
    return path


def _kind(path: Path) -> str:
    import stat

    mode = os.lstat(path).st_mode
    return next(name for name, test in (("link", stat.S_ISLNK), ("fifo", stat.S_ISFIFO),
                                        ("device", stat.S_ISCHR), ("file", stat.S_ISREG))
                if test(mode))


@pytest.mark.parametrize("make, text", [
    (lambda d: _fifo(d / "pipe"), "pipe is a FIFO (named pipe), not a regular file"),
    (lambda d: _link(d / "out", _fifo(d / "pipe")), "is a FIFO (named pipe), not a regular file"),
    (lambda d: _device(d / "null"), "null is a character device, not a regular file"),
    (lambda d: _link(d / "out", _device(d / "null")), "is a character device, not a regular"),
    (lambda d: _link(d / "out", "/dev/null"), "out (-> /dev/null) is a character device"),
], ids=["fifo", "symlink to a fifo", "device", "symlink to a device", "symlink to /dev/null"])
def test_output_that_is_not_a_regular_file_is_refused_and_left_as_it_is(tmp_path, plan_file,
                                                                        make, text):
    """``-o`` used to rename a file over whatever was there: a FIFO, a device node or a
    symlink to one became a regular file (as root, -o /dev/full replaced the device)."""
    target = make(tmp_path)
    before = {p.name: _kind(p) for p in tmp_path.iterdir()}
    result = run("score", DANA, str(plan_file), "-o", str(target))
    assert result.exit_code == 2
    assert text in result.stderr and "legplan writes only regular files" in result.stderr
    assert {p.name: _kind(p) for p in tmp_path.iterdir()} == before
    assert_no_traceback(result)


def test_output_through_a_symlink_replaces_the_file_it_names(tmp_path, plan_file):
    (tmp_path / "real.json").write_text("old", encoding="utf-8")
    link = _link(tmp_path / "link.json", "real.json")
    dangling = _link(tmp_path / "new.json", "created.json")
    for path in (link, dangling):
        assert run("score", DANA, str(plan_file), "-o", str(path)).exit_code == 0
    assert _kind(link) == _kind(dangling) == "link"
    for name in ("real.json", "created.json"):
        assert json.loads((tmp_path / name).read_text(encoding="utf-8"))["athlete"] == "Dana Reyes"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "created.json", "edited.json", "link.json", "new.json", "real.json"]


def test_empty_output_name_says_so(plan_file):
    result = run("score", DANA, str(plan_file), "-o", "")
    assert result.exit_code == 2
    assert "the file name is empty: give a file name, or - for standard output" in result.stderr
    with pytest.raises(InputError, match="the file name is empty"):
        cli.write_output("text", "")


def test_a_fifo_that_appears_while_planning_is_refused_when_writing(tmp_path):
    fifo = _fifo(tmp_path / "plan.md")
    with pytest.raises(InputError, match="is a FIFO"):
        cli.write_output("text", str(fifo))
    assert _kind(fifo) == "fifo" and [p.name for p in tmp_path.iterdir()] == ["plan.md"]


def test_batch_writes_replace_a_symlink_in_out_instead_of_following_it(tmp_path):
    outside = tmp_path / "outside.html"
    outside.write_text("keep", encoding="utf-8")
    link = _link(tmp_path / "x.html", outside)
    files.write_atomic(link, "new", follow_symlinks=False)
    assert _kind(link) == "file" and link.read_text(encoding="utf-8") == "new"
    assert outside.read_text(encoding="utf-8") == "keep"
    with pytest.raises(files.NotARegularFileError):
        files.write_atomic(_fifo(tmp_path / "p.html"), "new", follow_symlinks=False)


def _command(error: Exception) -> click.Command:
    @click.command()
    @cli.handle_errors
    def boom() -> None:
        raise error

    return boom


@pytest.mark.parametrize("error,code,text", [
    (InputError("me.yaml", [("age", "must be at least 18")]), 2, "me.yaml"),
    (NoSafePlanError("Dana", ["minimum intake", "deficit"]), 3, "minimum intake, deficit"),
    (SolverStoppedError("Dana: the solver stopped with status UNKNOWN"), 1, "nothing was written"),
], ids=["InputError", "NoSafePlanError", "SolverStoppedError"])
def test_handle_errors_maps_exit_codes(error: Exception, code: int, text: str) -> None:
    result = CliRunner().invoke(_command(error), [])
    assert result.exit_code == code
    assert text in result.stderr
    assert_no_traceback(result)


# ---- help -----------------------------------------------------------------------------------
def test_every_command_has_help_with_an_example() -> None:
    assert "Example" in run("--help").output
    for name in cli.main.commands:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.output, name


def test_the_basic_commands_exist() -> None:
    assert {"validate", "schema", "score", "plan"} <= set(cli.main.commands)
