"""The ``legplan`` command line: thin commands over the library (docs/design.md "CLI").

Every command only parses options, calls one library function and writes the result. The shared
pieces every command reuses live here:

- ``handle_errors``: ``InputError`` → message on stderr, exit 2; ``NoSafePlanError`` → message
  on stderr, exit 3; never a traceback for either.
- ``write_output``: stdout, or an atomic write to ``-o FILE`` (a failed run never leaves a half,
  empty or truncated file).
- ``render_plan``: a ``Plan`` as json / md / html.
- ``format_option``, ``OUTPUT_OPTION``, ``WEEKS_OPTION``: the options commands share.

Exit codes (contract): 0 a plan was produced; 2 bad input (file and field named); 3 no safe plan.
Click's own usage errors (unknown option, bad value) also exit 2.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable, TypeVar

import click

from planner.model.errors import InputError, NoSafePlanError, SolverStoppedError
from planner.model.files import write_atomic
from planner.model.plan import FORMATS, Plan, load_plan
from planner.model.profile import Profile, load_profile

EXIT_BAD_INPUT = 2
EXIT_NO_SAFE_PLAN = 3

F = TypeVar("F", bound=Callable[..., Any])


# ---------------------------------------------------------------------------------------------
# Shared helpers (reused by plan, score, batch, whatif, seek)
# ---------------------------------------------------------------------------------------------
def handle_errors(command: F) -> F:
    """Map the library's errors to the contract's exit codes, message on stderr, no traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as e:
            click.echo(e.render(), err=True)
            raise click.exceptions.Exit(EXIT_BAD_INPUT) from None
        except NoSafePlanError as e:
            click.echo(str(e), err=True)
            raise click.exceptions.Exit(EXIT_NO_SAFE_PLAN) from None
        except SolverStoppedError as e:
            # the work limit is deterministic: only the wall-clock safety net depends on the load
            click.echo(f"{e}; nothing was written.", err=True)
            raise click.exceptions.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def write_output(text: str, path: str | None) -> None:
    """Write ``text`` to stdout (``path`` None or "-") or atomically to ``path``.

    The text goes to a temporary file in the target's directory, is flushed to disk, then
    ``os.replace``-d over the target: readers see the old file or the whole new one, never a
    half, empty or truncated file. An existing file keeps its permissions.
    Raises ``InputError`` naming the file when it cannot be written.
    """
    if path is None or path == "-":
        click.echo(text, nl=False)
        return
    try:
        write_atomic(Path(path), text)
    except OSError as e:
        problem = f"cannot write the output file: {e.strerror or e}"
        raise InputError(str(path), [("-o", problem)]) from None


def render_plan(plan: Plan, fmt: str) -> str:
    """The plan as text: canonical JSON, or Markdown / HTML from ``planner.report.render``."""
    if fmt == "json":
        return plan.to_json()
    from planner.report.render import (
        render,  # lazy: Jinja and templates are only needed for md/html
    )

    return render(plan, fmt)


def format_option(default: str = "json") -> Callable[[F], F]:
    """``--format json|md|html`` with the command's default."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default=default, show_default=True,
        help="Output format.",
    )


OUTPUT_OPTION = click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
    help="Write to FILE (atomically) instead of stdout.",
)
WEEKS_OPTION = click.option(
    "--weeks", type=click.IntRange(1, 52), default=None,
    help="Weeks to project, 1-52 [default: the profile's horizon_weeks].",
)


def profile_json_schema() -> dict[str, Any]:
    """JSON Schema of a profile *file*: the model's schema plus the imperial alternatives.

    The file may give ``height_in`` instead of ``height_cm`` and ``weight_lb`` instead of
    ``weight_kg`` (converted on load), never both.
    """
    schema = Profile.model_json_schema()
    props = schema["properties"]
    props["height_in"] = {"type": "number", "title": "Height In",
                          "description": "[in] instead of height_cm; converted at 2.54 cm/in"}
    props["weight_lb"] = {"type": "number", "title": "Weight Lb",
                          "description": "[lb] instead of weight_kg; converted at 0.45359237 kg/lb"}
    required = [r for r in schema.get("required", []) if r not in ("height_cm", "weight_kg")]
    schema["required"] = required
    schema["allOf"] = [
        {"oneOf": [{"required": ["height_cm"]}, {"required": ["height_in"]}]},
        {"oneOf": [{"required": ["weight_kg"]}, {"required": ["weight_lb"]}]},
    ]
    return schema


# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legplan")
def main() -> None:
    """Turn a leg goal (leaner, bulkier, maintain) into a safe weekly training plan.

    \b
    Exit codes: 0 a plan was produced (goal reached or the closest plan, said clearly);
                2 bad input (file and field named); 3 no safe plan exists at all.

    \b
    Example:
      legplan plan sample_profiles/dana_reyes.yaml --format md
    """


@main.command(short_help="Check profile files.")
@click.argument("profiles", nargs=-1, required=True, metavar="PROFILE...")
def validate(profiles: tuple[str, ...]) -> None:
    """Check profile files; print OK per good file, the problems of each bad one.

    Exits 2 if any file is bad; every problem names the file and the field.

    \b
    Example:
      legplan validate sample_profiles/*.yaml
    """
    bad = 0
    for path in profiles:
        try:
            load_profile(path)
        except InputError as e:
            click.echo(e.render(), err=True)
            bad += 1
        else:
            click.echo(f"OK {path}")
    if bad:
        raise click.exceptions.Exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("kind", type=click.Choice(["profile", "plan"]), default="profile")
def schema(kind: str) -> None:
    """Print the JSON Schema of a profile file or of the plan JSON.

    \b
    Example:
      legplan schema plan > plan.schema.json
    """
    doc = profile_json_schema() if kind == "profile" else Plan.model_json_schema()
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


@main.command()
@click.argument("profile_path", metavar="PROFILE")
@click.argument("plan_path", metavar="PLAN")
@WEEKS_OPTION
@format_option("json")
@OUTPUT_OPTION
@handle_errors
def score(profile_path: str, plan_path: str, weeks: int | None, fmt: str,
          output: str | None) -> None:
    """Project and check a given plan, such as a hand-edited one.

    PLAN needs only calories_per_day and days; everything else is recomputed.

    \b
    Example:
      legplan score sample_profiles/dana_reyes.yaml edited.json --weeks 8
    """
    from planner.science.scoring import score as score_plan

    profile = load_profile(profile_path)
    plan_input = load_plan(plan_path)
    write_output(render_plan(score_plan(profile, plan_input, weeks), fmt), output)


@main.command()
@click.argument("profile_path", metavar="PROFILE")
@format_option("md")
@OUTPUT_OPTION
@handle_errors
def plan(profile_path: str, fmt: str, output: str | None) -> None:
    """Solve and render one weekly plan for a profile.

    \b
    Example:
      legplan plan sample_profiles/dana_reyes.yaml --format html -o week.html
    """
    from planner.jobs.planning import (
        solve,  # lazy: OR-Tools is only loaded when solving
    )

    profile = load_profile(profile_path)
    write_output(render_plan(solve(profile), fmt), output)


@main.command(short_help="Plan a whole roster: one plan per athlete plus an overview.")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Directory for plans/, index.html and summary.csv (created if missing).")
@click.option("--format", "formats", default="html,json", show_default=True,
              help="Comma-separated formats per athlete: html, md, json.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: the machine's cores].")
@click.option("--resume", is_flag=True,
              help="Skip athletes an earlier (interrupted) run already finished.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run on an existing Dask cluster (pip install 'legplan[dask]').")
@handle_errors
def batch(inputs: tuple[str, ...], out: str, formats: str, jobs: int | None, resume: bool,
          dask_address: str | None) -> None:
    """Plan every athlete of profile files, directories of them or CSV rosters.

    Exits 0 when every athlete got a plan, 1 when some failed (the others are still written,
    each failure is listed with its reason), 2 when the input is unusable, 130 on Ctrl-C.

    \b
    Example:
      legplan batch sample_profiles/roster.csv --out plans/ --format html,md --jobs 2
    """
    from planner.jobs.batch import BatchInterrupted, parse_formats, run_batch

    try:
        report = run_batch(list(inputs), out, parse_formats(formats), jobs, resume, dask_address)
    except BatchInterrupted as e:
        click.echo(str(e), err=True)
        raise click.exceptions.Exit(130) from None
    click.echo(f"{report.planned} of {report.total} athletes planned, {report.failed} failed "
               f"({report.skipped} done earlier); overview: {Path(out) / 'index.html'}")
    raise click.exceptions.Exit(report.exit_code)


@main.command(short_help="Compare the plan with what-if scenarios side by side.")
@click.argument("profile_path", metavar="PROFILE")
@click.option("--scenario", "scenarios", multiple=True, metavar='"NAME: CHANGE[, CHANGE…]"',
              help="A named scenario of one or more changes (repeatable).")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE",
              help="A one-change scenario named after the change (repeatable).")
@format_option("md")
@OUTPUT_OPTION
@handle_errors
def whatif(profile_path: str, scenarios: tuple[str, ...], sets: tuple[str, ...], fmt: str,
           output: str | None) -> None:
    """Solve the baseline plan and each scenario; compare them side by side.

    A CHANGE edits the profile and re-solves (goal=leaner, availability.sat=0, exclude=sprints,
    weight_kg=70, horizon_weeks=16; lists with ';') or pins part of the plan and re-optimises the
    rest (calories=+300 relative to the baseline, calories=2400, sprints=0, squats_lunges=3).
    A change that breaks a guardrail is shown at the nearest safe value, labelled.

    \b
    Example:
      legplan whatif me.yaml --set calories=+300 --set exclude=sprints
      legplan whatif me.yaml --scenario "weekend off: availability.sat=0, availability.sun=0"
    """
    from planner.jobs.whatif import parse_scenarios
    from planner.jobs.whatif import whatif as run_whatif
    from planner.report.whatif_render import render_whatif

    profile = load_profile(profile_path)
    specs = parse_scenarios(scenarios, sets, profile)
    if not specs:
        raise InputError("whatif", [("--scenario/--set", "give at least one scenario")])
    write_output(render_whatif(run_whatif(profile, specs), fmt), output)


@main.command(short_help="Find the least-change plan that reaches a thigh change.")
@click.argument("profile_path", metavar="PROFILE")
@click.option("--thigh-cm", "thigh_cm", type=float, required=True,
              help="Thigh circumference change to reach [cm]: positive gain, negative loss.")
@WEEKS_OPTION
@click.option("--sweep", "sweeps", multiple=True, metavar="LEVER=LO..HI[:STEP]",
              help="Response curve: calories=2000..2600:50 (or +0..+500), or KIND=0..4.")
@format_option("md")
@OUTPUT_OPTION
@handle_errors
def seek(profile_path: str, thigh_cm: float, weeks: int | None, sweeps: tuple[str, ...],
         fmt: str, output: str | None) -> None:
    """Find the least-change safe plan whose thigh changes by --thigh-cm by week --weeks.

    If none exists: the earliest week (up to 52) one does, and the best achievable by --weeks.

    \b
    Example:
      legplan seek me.yaml --thigh-cm 1.5 --weeks 12 --sweep calories=+0..+500:25
    """
    from planner.jobs.seek import parse_sweep
    from planner.jobs.seek import seek as run_seek
    from planner.report.whatif_render import render_seek

    profile = load_profile(profile_path)
    specs = [parse_sweep(s) for s in sweeps]
    write_output(render_seek(run_seek(profile, thigh_cm, weeks, specs), fmt), output)
