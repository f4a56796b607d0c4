"""The ``legplan`` command line: thin commands over the library (docs/design.md "CLI").

Every command only parses options, calls one library function and writes the result. The shared
pieces every command reuses live here:

- ``handle_errors``: ``InputError`` → message on stderr, exit 2; ``NoSafePlanError`` → message
  on stderr, exit 3; never a traceback for either.
- ``write_output``: stdout, or an atomic write to ``-o FILE`` (a failed run never leaves a half,
  empty or truncated file).
- ``render_plan``: a ``Plan`` as json / md / html.
- ``format_option``, ``OUTPUT_OPTION``, ``WEEKS_OPTION``: the options commands share.
- ``LegplanGroup``: signals and exit codes for the whole process (Ctrl-C → 130, SIGTERM → 143,
  at any moment, without a traceback; a closed stdout pipe → 141, quietly).

Exit codes (contract): 0 a plan was produced; 2 bad input (file and field named); 3 no safe plan.
Click's own usage errors (unknown option, bad value) also exit 2.
"""

from __future__ import annotations

# A Ctrl-C while this module is still being imported (``from planner.cli import main`` loads
# click, pydantic and the models: a few hundred ms) must still end in exit 130 without a
# traceback. So the first thing the module does, before any import that takes time, is hold
# Ctrl-C back until it is loaded; ``_import_finished`` (the last statement of the module) puts
# Python's handler back and raises the held KeyboardInterrupt then. ``_signal`` is the C module
# behind ``signal``, already loaded by the interpreter: importing it takes no time.
import _signal
import atexit

_held_sigints: list[int] = []
_owns_the_process = False  # set by ``main()`` (the console script), never by an import


def _hold_sigint(signum: int, frame: object) -> None:
    _held_sigints.append(signum)


def _ignore_signals_at_exit() -> None:
    """The last exit function (registered first): legplan's result is decided and every clean-up
    has run, so a Ctrl-C or SIGTERM in the interpreter's last moments (tearing down OR-Tools,
    numpy and pydantic takes 0.1-0.3 s) changes nothing; left to Python, it would kill the
    process by the signal instead of letting it exit with its code."""
    if _owns_the_process:
        for signum in (_signal.SIGINT, _signal.SIGTERM):
            _signal.signal(signum, _signal.SIG_IGN)


atexit.register(_ignore_signals_at_exit)

try:
    _holding_sigint = _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler
    if _holding_sigint:
        _signal.signal(_signal.SIGINT, _hold_sigint)
except ValueError:  # imported outside the main thread: signals belong to the main thread
    _holding_sigint = False

import errno  # noqa: E402  (the imports below run with Ctrl-C held back)
import functools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from datetime import date, datetime, time, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, NoReturn, TypeVar  # noqa: E402

import click  # noqa: E402

from planner.model.errors import InputError, NoSafePlanError, SolverStoppedError  # noqa: E402
from planner.model.files import NotARegularFileError, output_target, write_atomic  # noqa: E402
from planner.model.plan import (  # noqa: E402
    FIRST_PLAN_DATE,
    FORMATS,
    LAST_PLAN_DATE,
    Plan,
    load_plan,
)
from planner.model.profile import Profile, check_time_zone, load_profile  # noqa: E402
from planner.report.calendar import (  # noqa: E402
    CALENDAR_FORMAT,
    DEFAULT_TIME,
    CalendarSettings,
    calendar_text,
    check_calendar,
)

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_NO_SAFE_PLAN = 3
EXIT_OUTPUT_FAILED = 1  # stdout could not be written (full disk, I/O error)
EXIT_BROKEN_PIPE = 128 + 13  # stdout's reader went away: quietly, as a tool killed by SIGPIPE
EXIT_INTERRUPTED = 128 + 2  # Ctrl-C (SIGINT); SIGTERM gives 128 + 15 = 143

F = TypeVar("F", bound=Callable[..., Any])


# ---------------------------------------------------------------------------------------------
# Signals: Ctrl-C and SIGTERM end the run at any moment, with 128 + the signal, no traceback
# ---------------------------------------------------------------------------------------------
class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every clean-up written for Ctrl-C runs for it too."""


class _Signals:
    """While legplan runs, the first SIGINT or SIGTERM raises (KeyboardInterrupt / Terminated) in
    the main thread; the ones after it only count, so that nothing interrupts the clean-up the
    first one started (a batch stops its workers; a second Ctrl-C used to break that and hang).
    The exit code is 128 + the first signal. Should a clean-up ever take too long, a third signal
    ends the process at once."""

    HANDLED = (signal.SIGINT, signal.SIGTERM)
    FORCE_AFTER = 3

    def __init__(self) -> None:
        self.first: int | None = None
        self.count = 0
        self.raising = True
        self._previous: dict[int, Any] | None = None

    def _handler(self, signum: int, frame: object) -> None:
        self.count += 1
        if self.raising and self.first is None:
            self.first = signum
            self.raising = False
            raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated()
        if self.count >= self.FORCE_AFTER:
            _force_exit(self.exit_code())

    def exit_code(self) -> int:
        return 128 + (self.first or signal.SIGINT)

    def install(self) -> bool:
        """Take over SIGINT and SIGTERM (main thread only); False if they were already ours."""
        if self._previous is not None or threading.current_thread() is not threading.main_thread():
            return False
        self.first, self.count, self.raising = None, 0, True
        self._previous = {s: signal.signal(s, self._handler) for s in self.HANDLED}
        return True

    def restore(self) -> None:
        if self._previous is not None:
            for s, handler in self._previous.items():
                signal.signal(s, handler)
            self._previous = None


_signals = _Signals()


def _force_exit(code: int) -> NoReturn:
    """End the process now: stop the worker processes it started, flush what can be, exit."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is not None:
        for child in multiprocessing.active_children():
            child.kill()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)


def interrupted_exit_code() -> int:
    """128 + the signal that stopped the run (130 for Ctrl-C, 143 for SIGTERM)."""
    return _signals.exit_code()


def _say_interrupted() -> int:
    """The one line for an interrupted command; returns its exit code."""
    code = interrupted_exit_code()
    echo_err("legplan: terminated" if code == 128 + signal.SIGTERM else "legplan: interrupted")
    return code


# ---------------------------------------------------------------------------------------------
# Writing to stdout and stderr: a full disk or a closed pipe is one clean line, never a traceback
# ---------------------------------------------------------------------------------------------
def _output_failed(error: OSError) -> NoReturn:
    """Stdout could not be written: a closed pipe exits 141 quietly (the reader is gone, as for
    any tool killed by SIGPIPE); anything else (a full disk) says so on one line and exits 1.
    ``main()`` then points the stream at /dev/null (``_drop_unwritable_stdio``)."""
    if error.errno == errno.EPIPE:
        raise click.exceptions.Exit(EXIT_BROKEN_PIPE)
    echo_err(f"legplan: cannot write to standard output: {error.strerror or error}")
    raise click.exceptions.Exit(EXIT_OUTPUT_FAILED)


def echo_out(text: str, nl: bool = True) -> None:
    """``click.echo`` to stdout; a write that fails ends the run cleanly (``_output_failed``)."""
    try:
        click.echo(text, nl=nl)
    except OSError as e:
        _output_failed(e)


def echo_err(text: str) -> None:
    """``click.echo`` to stderr; if stderr itself cannot be written there is no one to tell."""
    try:
        click.echo(text, err=True)
    except OSError:
        pass


def _drop_unwritable_stdio() -> None:
    """Flush stdout and stderr; point a stream that cannot be written at /dev/null, so that the
    interpreter's own flush at exit does not print a traceback for the text left in it."""
    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        try:
            stream.flush()
        except (OSError, ValueError):
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, fd)
                os.close(devnull)
            except OSError:
                pass


# ---------------------------------------------------------------------------------------------
# The command group: one place for signals and exit codes
# ---------------------------------------------------------------------------------------------
class LegplanGroup(click.Group):
    """``main()`` (the console script) runs legplan as the process: SIGINT/SIGTERM handled from
    its first instruction to the process's end. ``main.main(...)`` (click's API, CliRunner) maps
    the same outcomes to exit codes, with the signal handlers in place only while it runs.

    Click's standalone mode would turn Ctrl-C into "Aborted!" and exit 1; here it is exit 130
    (143 for SIGTERM) with one line, whenever it arrives."""

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        global _owns_the_process
        _owns_the_process = True
        _signals.install()
        try:
            code = self._run(*args, **kwargs)
        except KeyboardInterrupt:  # in the last instructions of _run: the exit is under way
            code = interrupted_exit_code()
        # from here the process only ends: a signal now changes nothing (nor can it interrupt
        # the interpreter's clean-up at exit, which would print a traceback)
        _signals.raising = False
        try:
            sys.stdout.flush()
        except OSError as e:
            if e.errno != errno.EPIPE and code == EXIT_OK:
                echo_err(f"legplan: cannot write to standard output: {e.strerror or e}")
            code = code or (EXIT_BROKEN_PIPE if e.errno == errno.EPIPE else EXIT_OUTPUT_FAILED)
        _drop_unwritable_stdio()
        sys.exit(code)

    def main(self, args: Any = None, prog_name: str | None = None,  # type: ignore[override]
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        installed = _signals.install()
        try:
            code = self._run(args, prog_name, complete_var, **extra)
        finally:
            if installed:
                _signals.restore()
        sys.exit(code)

    def _run(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, **extra: Any) -> int:
        """Click's standalone mode, except that an interrupt is 128 + the signal."""
        try:
            try:
                rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            except click.exceptions.Abort as e:
                if isinstance(e.__cause__, KeyboardInterrupt):
                    return _say_interrupted()
                echo_err("Aborted!")
                return 1
            except click.ClickException as e:
                try:
                    e.show()
                except OSError:  # stderr cannot be written: the exit code still tells
                    pass
                return e.exit_code
            return rv if isinstance(rv, int) else EXIT_OK
        except KeyboardInterrupt:
            return _say_interrupted()

    # A write to stdout that this module did not make through echo_out (click's --help and
    # --version, or a plain click.echo in a command) fails the same way. Files are written
    # through write_atomic, whose errors are InputErrors naming the file: these errnos here
    # can only come from a stream.
    STREAM_ERRNOS = frozenset({errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG})

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except OSError as e:
            if e.errno not in self.STREAM_ERRNOS:
                raise
            _output_failed(e)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as e:
            if e.errno not in self.STREAM_ERRNOS:
                raise
            _output_failed(e)


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
            echo_err(e.render())
            raise click.exceptions.Exit(EXIT_BAD_INPUT) from None
        except NoSafePlanError as e:
            echo_err(str(e))
            raise click.exceptions.Exit(EXIT_NO_SAFE_PLAN) from None
        except SolverStoppedError as e:
            # the work limit is deterministic: only the wall-clock safety net depends on the load
            echo_err(f"{e}; nothing was written.")
            raise click.exceptions.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def write_output(text: str, path: str | None, option: str = "-o") -> None:
    """Write ``text`` to stdout (``path`` None or "-") or atomically to ``path``.

    The text goes to a temporary file in the target's directory, is flushed to disk, then
    ``os.replace``-d over the target: readers see the old file or the whole new one, never a
    half, empty or truncated file. An existing file keeps its permissions.
    Raises ``InputError`` naming the file when it cannot be written.
    """
    if path is None or path == "-":
        echo_out(text, nl=False)
        return
    if path == "":
        raise InputError('""', [(option, EMPTY_OUTPUT)])
    try:
        write_atomic(Path(path), text)
    except NotARegularFileError as e:  # a FIFO, a device, a directory…: never renamed over
        raise InputError(str(path), [(option, f"{e.strerror} {FOLLOWS_SYMLINKS}")]) from None
    except OSError as e:
        problem = f"cannot write the output file: {e.strerror or e}"
        raise InputError(str(path), [(option, problem)]) from None


EMPTY_OUTPUT = "the file name is empty: give a file name, or - for standard output"
FOLLOWS_SYMLINKS = "(a symlink is followed to the file it names)"


def _check_output_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``-o`` is refused before any work when it is empty or names no regular file (see
    ``planner.model.files``); ``write_output`` checks again when it writes."""
    if value is None or value == "-":
        return value
    if value == "":
        raise click.BadParameter(EMPTY_OUTPUT)
    try:
        output_target(value)
    except NotARegularFileError as e:
        raise click.BadParameter(f"{e.strerror} {FOLLOWS_SYMLINKS}") from None
    return value


def render_plan(plan: Plan, fmt: str, week: int | None = None) -> str:
    """The plan as text: canonical JSON, or Markdown / HTML from ``planner.report.render``
    (``week``: the block's week the sheet shows, default week 1)."""
    if fmt == "json":
        return plan.to_json()
    from planner.report.render import (
        render,  # lazy: Jinja and templates are only needed for md/html
    )

    return render(plan, fmt, week=week)


def format_option(default: str = "json") -> Callable[[F], F]:
    """``--format json|md|html`` with the command's default."""
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default=default, show_default=True,
        help="Output format.",
    )


OUTPUT_OPTION = click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False), default=None,
    callback=_check_output_option,
    help="Write to FILE (atomically; only a regular file, a symlink is followed to it) "
         "instead of stdout.",
)


def _parsed_option(pattern: str, what: str, example: str,
                   convert: Callable[[datetime], Any]) -> Callable[..., Any]:
    """A click callback turning ``strptime(value, pattern)`` into ``convert(...)`` (None stays
    None), or a BadParameter (exit 2) saying what to give."""
    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        try:
            return convert(datetime.strptime(value, pattern))
        except ValueError:
            raise click.BadParameter(f"got {value!r}; give {what}, e.g. {example}") from None

    return check


def _check_plan_date(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """``--start``/``--today``: a date as YYYY-MM-DD within the years a block may be dated."""
    day = _parsed_option("%Y-%m-%d", "a date as YYYY-MM-DD", "2027-01-04", datetime.date)(
        ctx, param, value)
    if day is not None and not FIRST_PLAN_DATE <= day <= LAST_PLAN_DATE:
        raise click.BadParameter(f"got {value!r}; give a date from {FIRST_PLAN_DATE} to "
                                 f"{LAST_PLAN_DATE}")
    return day


def check_calendar_options(fmt: str | tuple[str, ...], at: time | None, tz: str | None) -> None:
    """``--time``/``--tz`` say when the calendar file's sessions are: refused (exit 2) without
    ``--format ics`` rather than silently ignored."""
    formats = (fmt,) if isinstance(fmt, str) else fmt
    given = [name for name, value in (("--time", at), ("--tz", tz)) if value is not None]
    if given and CALENDAR_FORMAT not in formats:
        verb = "only set" if len(given) > 1 else "only sets"
        raise click.BadParameter(f"{' and '.join(given)} {verb} the calendar file's times: "
                                 "add --format ics (with --start)", param_hint=f"'{given[0]}'")


def _check_tz_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return check_time_zone(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


START_OPTION = click.option(
    "--start", "start", default=None, metavar="YYYY-MM-DD", callback=_check_plan_date,
    help="Give the block real dates: week 1 starts on the first Monday on or after this day.",
)
TIME_OPTION = click.option(
    "--time", "at", default=None, metavar="HH:MM",
    callback=_parsed_option("%H:%M", "a 24-hour time as HH:MM", "07:00 or 18:30", datetime.time),
    help="Calendar file (ics): the sessions' start time [default: 07:00].",
)
TZ_OPTION = click.option(
    "--tz", "tz", default=None, metavar="ZONE", callback=_check_tz_option,
    help="Calendar file (ics): IANA time zone, e.g. Europe/Oslo [default: the profile's "
         "time_zone, else floating local times].",
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
@click.group(cls=LegplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="legplan")
def main() -> None:
    """Turn a leg goal (leaner, bulkier, maintain) into a safe weekly training plan.

    \b
    Exit codes: 0 a plan was produced (goal reached or the closest plan, said clearly);
                2 bad input (file and field named); 3 no safe plan exists at all;
                130 Ctrl-C, 143 SIGTERM; 1 stdout could not be written, 141 its pipe closed.

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
            echo_err(e.render())
            bad += 1
        else:
            echo_out(f"OK {path}")
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
    echo_out(json.dumps(doc, indent=2, ensure_ascii=False))


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
@START_OPTION
@click.option("--today", default=None, metavar="YYYY-MM-DD", callback=_check_plan_date,
              help="Show the week holding this date on the sheet (needs --start) "
                   "[default: week 1].")
@click.option("--format", "fmt", type=click.Choice((*FORMATS, CALENDAR_FORMAT)), default="md",
              show_default=True, help="Output format (ics: a calendar file; needs --start).")
@TIME_OPTION
@TZ_OPTION
@OUTPUT_OPTION
@handle_errors
def plan(profile_path: str, start: date | None, today: date | None, fmt: str,
         at: time | None, tz: str | None, output: str | None) -> None:
    """Solve and render a profile's plan: the block, week by week over its horizon.

    \b
    Example:
      legplan plan sample_profiles/dana_reyes.yaml --format html -o week.html
      legplan plan sample_profiles/dana_reyes.yaml --start 2027-01-04 --today 2027-01-20
      legplan plan sample_profiles/dana_reyes.yaml --start 2027-01-04 --format ics -o dana.ics
    """
    from planner.jobs.planning import (
        solve,  # lazy: OR-Tools is only loaded when solving
    )

    if today is not None and start is None:
        raise click.BadParameter("needs --start: without it the weeks have no dates",
                                 param_hint="'--today'")
    check_calendar_options(fmt, at, tz)
    calendar = CalendarSettings(start, at or DEFAULT_TIME, tz)
    check_calendar((fmt,), calendar)  # before any work
    profile = load_profile(profile_path)
    result = solve(profile, start=start)
    if fmt == CALENDAR_FORMAT:
        text = calendar_text(result, calendar, profile.time_zone)
    else:
        text = render_plan(result, fmt, _shown_week(result, today))
    write_output(text, output)


def _shown_week(plan: Plan, today: date | None) -> int | None:
    """The block's week holding ``--today`` (None: week 1); a day outside the block exits 2."""
    if today is None:
        return None
    assert plan.weeks and plan.weeks[0].start_date is not None  # --today needs --start
    first = plan.weeks[0].start_date
    last = first + timedelta(days=7 * len(plan.weeks) - 1)
    if not first <= today <= last:
        raise click.BadParameter(f"{today} is outside the block, which runs from {first} to "
                                 f"{last}", param_hint="'--today'")
    return plan.week_on(today)


@main.command(short_help="Plan a whole roster: one plan per athlete plus an overview.")
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Directory for plans/, index.html and summary.csv (created if missing).")
@click.option("--format", "formats", default="html,json", show_default=True,
              help="Comma-separated formats per athlete: html, md, json, ics (needs --start).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes [default: the machine's cores].")
@click.option("--resume", is_flag=True,
              help="Skip athletes an earlier (interrupted) run already finished.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run on an existing Dask cluster (pip install 'legplan[dask]').")
@START_OPTION
@TIME_OPTION
@TZ_OPTION
@handle_errors
def batch(inputs: tuple[str, ...], out: str, formats: str, jobs: int | None, resume: bool,
          dask_address: str | None, start: date | None, at: time | None, tz: str | None) -> None:
    """Plan every athlete of profile files, directories of them or CSV rosters.

    Exits 0 when every athlete got a plan, 1 when some failed (the others are still written,
    each failure is listed with its reason), 2 when the input is unusable, 130 on Ctrl-C.

    \b
    Example:
      legplan batch sample_profiles/roster.csv --out plans/ --format html,md --jobs 2
      legplan batch sample_profiles/ --out plans/ --format html,ics --start 2027-01-04
    """
    from planner.jobs.batch import BatchInterrupted, parse_formats, run_batch

    wanted = parse_formats(formats)
    check_calendar_options(wanted, at, tz)
    calendar = CalendarSettings(start, at or DEFAULT_TIME, tz)
    try:
        report = run_batch(list(inputs), out, wanted, jobs, resume, dask_address,
                           calendar=calendar)
    except BatchInterrupted as e:
        echo_err(str(e))
        raise click.exceptions.Exit(interrupted_exit_code()) from None
    echo_out(f"{report.planned} of {report.total} athletes planned, {report.failed} failed "
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


@main.command(short_help="Learn the athlete from logged weight and thigh girth.")
@click.argument("profile_path", metavar="PROFILE")
@click.argument("log_path", metavar="LOG")
@click.option("--plan", "plan_path", default=None, metavar="PLAN",
              help="The plan followed (JSON/YAML) [default: what `legplan plan PROFILE` gives].")
@format_option("md")
@OUTPUT_OPTION
@click.option("--write-profile", "write_profile", type=click.Path(dir_okay=False), default=None,
              callback=_check_output_option, metavar="OUT",
              help="Also write the profile with its calibration: block (YAML; .json for JSON).")
@handle_errors
def calibrate(profile_path: str, log_path: str, plan_path: str | None, fmt: str,
              output: str | None, write_profile: str | None) -> None:
    """Fit the maintenance offset and the muscle response from a log (CSV: date, weight_kg or
    weight_lb, thigh_cm or thigh_in, calories, note) and say what it changes.

    \b
    Example:
      legplan calibrate me.yaml me.log.csv --format html -o calibration.html \\
        --write-profile me.calibrated.yaml
    """
    from planner.jobs.calibrate import calibrate as run_calibrate
    from planner.jobs.calibrate import profile_text
    from planner.model.logs import read_log
    from planner.report.calibrate_render import render_calibration

    if write_profile == "-":
        raise InputError("--write-profile", [("", "give a file name: the report goes to "
                                                   "standard output")])
    profile = load_profile(profile_path)
    log = read_log(log_path)
    followed = load_plan(plan_path, profile.name) if plan_path is not None else None
    result = run_calibrate(profile, log, followed)
    text = render_calibration(result.document(), result.units, fmt, result.to_json())
    profile_out = (profile_text(profile_path, result.calibration, write_profile)
                   if write_profile is not None else None)
    write_output(text, output)
    if profile_out is not None:
        write_output(profile_out, write_profile, "--write-profile")


# ---------------------------------------------------------------------------------------------
# Keep this the last statement of the module (see the top): Ctrl-C is Python's again, and one
# that came while the module was loading is raised now, as an exit 130 without a traceback.
# ---------------------------------------------------------------------------------------------
def _import_finished() -> None:
    if not _holding_sigint:
        return
    if _signal.getsignal(_signal.SIGINT) is _hold_sigint:
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    if _held_sigints:
        _quiet_uncaught_interrupt()
        raise KeyboardInterrupt


def _quiet_uncaught_interrupt() -> None:
    """An uncaught KeyboardInterrupt (the Ctrl-C that came during the import, when the importer
    is legplan's own ``from planner.cli import main``) ends the process with exit 130 and one
    line instead of a traceback. Set only when such a Ctrl-C came; never in an interactive
    session, where Ctrl-C only cancels the line."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        if issubclass(kind, KeyboardInterrupt) and not hasattr(sys, "ps1"):
            echo_err("legplan: interrupted")
            _force_exit(EXIT_INTERRUPTED)
        previous(kind, value, tb)

    sys.excepthook = hook


_import_finished()
