"""``legplan batch``: one plan per athlete of a roster, plus an overview.

The flow (README "Batch planning"):

1. :func:`planner.jobs.roster.read_roster` turns the inputs into entries with unique slugs, in roster
   order, before any work starts; bad files/rows are entries that carry their reason.
2. :func:`plan_athlete` — the one per-athlete function, run inline (``--jobs 1``), in a process
   pool (``--jobs N``) or on a Dask cluster (``--dask``) — validates, solves and renders one
   athlete and returns small, picklable results: a summary record and the rendered texts.
3. The parent writes every file atomically (temp file + ``os.replace``): ``plans/<slug>.<fmt>``,
   then ``.legplan/<slug>.json`` (the record, which marks the athlete done for ``--resume``).
4. ``summary.csv`` and ``index.html`` are rebuilt at the end from the records, in roster order, so
   they are byte-identical whatever the number of jobs or the order work completed in.

Only a bounded number of athletes is in flight at once, so memory stays flat as the roster grows.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Generator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from planner.jobs.roster import Entry, read_roster
from planner.model.errors import InputError, NoSafePlanError, SolverStoppedError
from planner.model.files import NotARegularFileError, signals_deferred, write_atomic
from planner.model.plan import FORMATS, Plan
from planner.model.logs import read_log
from planner.model.profile import KINDS, Calibration, Profile, parse_profile
from planner.report.calendar import (
    CALENDAR_FORMAT,
    CalendarSettings,
    calendar_text,
    check_calendar,
)

DEFAULT_FORMATS: tuple[str, ...] = ("html", "json")
BATCH_FORMATS: tuple[str, ...] = (*FORMATS, CALENDAR_FORMAT)  # ics needs --start
PLANS_DIR = "plans"
STATE_DIR = ".legplan"
RECORD_VERSION = 1
# Failures that come from the athlete's own input: redoing them cannot change the answer.
FINAL_FAILURES: frozenset[str] = frozenset({"input", "no_safe_plan"})
SUMMARY_COLUMNS: tuple[str, ...] = (
    "ordinal", "name", "slug", "source", "status", "goal", "goal_reached", "shortfall_cm",
    "calories_per_day", "protein_g_per_day",
    *(f"sessions_{kind}" for kind in KINDS),
    "thigh_change_cm", "files", "reason", "block_weeks", "lighter_weeks",
)
IN_FLIGHT_PER_JOB = 4

PlanFn = Callable[[Profile], Plan]
RenderFn = Callable[[Plan, str], str]
Task = tuple[int, str, dict[str, Any], str | None]  # (ordinal, source, profile document, log)
Outcome = tuple[dict[str, Any], dict[str, str]]  # (record fields, {format: rendered text})


class BatchInterrupted(Exception):
    """Ctrl-C: finished athletes are on disk, complete; ``--resume`` finishes the rest."""

    def __init__(self, done: int, total: int):
        self.done = done
        self.total = total
        super().__init__(f"interrupted after {done} of {total} athletes; every file written is "
                         "complete. Run the same command with --resume to finish the rest.")


@dataclass(frozen=True)
class BatchReport:
    total: int
    planned: int
    failed: int
    skipped: int  # already done by an earlier run (--resume)

    @property
    def exit_code(self) -> int:
        """0 every athlete got a plan, 1 some failed (the others are still written)."""
        return 0 if self.failed == 0 else 1


def parse_formats(text: str) -> tuple[str, ...]:
    """``"html,md"`` → ``("html", "md")``, in the given order without repeats; InputError if unknown."""
    formats: list[str] = []
    for part in text.split(","):
        fmt = part.strip().lower()
        if fmt and fmt not in formats:
            formats.append(fmt)
    bad = [f for f in formats if f not in BATCH_FORMATS]
    if bad or not formats:
        raise InputError("--format", [("", f"got {text!r}; choose from {', '.join(BATCH_FORMATS)} "
                                           "separated by commas")])
    return tuple(formats)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# --- the per-athlete work (runs in a worker: inline, a pool process or a Dask worker) ----------

def _default_plan(profile: Profile, start: date | None = None) -> Plan:
    from planner.jobs.planning import solve  # lazy: the solver pulls in OR-Tools

    return solve(profile, start=start)


def _default_render(plan: Plan, fmt: str) -> str:
    from planner.report.render import render

    return render(plan, fmt)


def calendar_key(calendar: CalendarSettings | None) -> dict[str, str] | None:
    """The run's dating settings as a record field (None without ``--start``): ``--resume``
    redoes an athlete planned with other dates, times or zone."""
    if calendar is None or calendar.start is None:
        return None
    return {"start": calendar.start.isoformat(), "time": calendar.at.strftime("%H:%M"),
            "tz": calendar.tz or ""}


def _failure(kind: str, reason: str) -> Outcome:
    return {"status": "failed", "failure": kind, "reason": reason}, {}


def summarise(plan: Plan) -> dict[str, Any]:
    """The summary fields of a plan (what summary.csv and index.html show)."""
    return {
        "status": "ok",
        "goal": plan.goal,
        "goal_reached": plan.goal_reached,
        "shortfall_cm": round(plan.goal_status.shortfall_cm, 2),
        "calories_per_day": plan.calories_per_day,
        "protein_g_per_day": plan.protein_g_per_day,
        "sessions": plan.sessions_per_kind(),
        "thigh_change_cm": round(plan.projection.thigh_circumference_cm_change, 2),
        "block_weeks": len(plan.weeks or []),
        "lighter_weeks": [w.week for w in plan.weeks or [] if w.lighter],
    }


def plan_athlete(task: Task, formats: tuple[str, ...], plan_fn: PlanFn | None = None,
                 render_fn: RenderFn | None = None,
                 calendar: CalendarSettings | None = None) -> Outcome:
    """Validate, solve and render one athlete. Never raises for a bad athlete: returns its reason.

    ``plan_fn``/``render_fn`` default to ``planner.jobs.planning.solve`` and ``planner.report.render.render``;
    they must be module-level functions so they can be sent to worker processes. The calendar
    file (``ics``) is written by ``planner.report.calendar`` from ``calendar`` (``--start``,
    ``--time``, ``--tz``; the athlete's own ``time_zone`` when no ``--tz``).
    """
    _ordinal, source, document, *rest = task
    log_path = rest[0] if rest else None
    plan_fn = plan_fn or _default_plan
    render_fn = render_fn or _default_render
    try:
        profile = parse_profile(document, source)
        log = read_log(log_path) if log_path is not None else None
    except InputError as e:
        return _failure("input", e.one_line())
    calibration = None
    try:
        if log is None:
            plan = plan_fn(profile).without_timing()
        else:  # learn the athlete first: the plan uses the calibration (jobs/calibrate)
            from planner.jobs.calibrate import calibrate

            result = calibrate(profile, log, solve_fn=plan_fn)
            plan, calibration = result.plan.without_timing(), result.calibration
    except NoSafePlanError as e:
        return _failure("no_safe_plan", str(e))
    except SolverStoppedError as e:  # the work limit, not a bug: --resume retries it
        return _failure("stopped", str(e))
    except Exception as e:  # one athlete's crash must not stop the batch; resume retries it
        return _failure("error", f"internal error while planning: {type(e).__name__}: {e}")
    try:
        texts = {fmt: (calendar_text(plan, calendar, profile.time_zone)
                       if fmt == CALENDAR_FORMAT else render_fn(plan, fmt))
                 for fmt in formats}
    except Exception as e:
        return _failure("error", f"internal error while rendering: {type(e).__name__}: {e}")
    return {**summarise(plan), "calibration": calibration_summary(calibration),
            "calendar": calendar_key(calendar)}, texts


def calibration_summary(cal: Calibration | None) -> dict[str, Any] | None:
    """What index.html shows of an athlete's calibration (None: no log)."""
    if cal is None:
        return None
    return {"maintenance_offset_kcal": cal.maintenance_offset_kcal, "response": cal.response,
            "fitted_until": cal.fitted_until.isoformat(), "points": cal.points}


# --- running the per-athlete function: inline, process pool, Dask -----------------------------

Work = Callable[[Task], Outcome]  # plan_athlete with the run's settings bound (picklable)


class Runner(Protocol):
    def __call__(self, tasks: list[Task], work: Work
                 ) -> Generator[tuple[int, Outcome], None, None]: ...


def _outcome_of(future: Any) -> Outcome:
    """A finished future's outcome; a worker that died becomes this athlete's failure."""
    try:
        return future.result()
    except KeyboardInterrupt:
        raise
    except Exception as e:  # e.g. a worker process died, or Dask's KilledWorker
        return _failure("error", f"worker failed: {type(e).__name__}: {e}")


def run_inline(tasks: list[Task], work: Work) -> Generator[tuple[int, Outcome], None, None]:
    for task in tasks:
        yield task[0], work(task)


@contextmanager
def _children_block_sigint() -> Generator[None, None, None]:
    """Worker processes started inside this block never see Ctrl-C: they inherit SIGINT
    *blocked* (a signal mask survives fork and exec), so from their first instruction a Ctrl-C
    sent to the process group stays pending in them and is never delivered; the parent, which
    stops them (``_stop_workers``), decides. The parent's own handler stays in place all along: a
    Ctrl-C that comes while the workers start is only held until the block ends, then delivered
    (ignoring it for those milliseconds, as before, lost it). multiprocessing starts its resource
    tracker the same way."""
    if (not hasattr(signal, "pthread_sigmask")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


WORKER_STOP_S = 5.0  # how long a terminated worker may take to go before it is killed


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool now (Ctrl-C, SIGTERM, an error in the parent): terminate every worker, kill
    the ones still there after ``WORKER_STOP_S``, then shut the pool down without waiting.

    A graceful shutdown waits for each worker to finish its athlete and read its stop sentinel;
    interrupted (a second Ctrl-C), it left workers blocked in ``Queue.get`` and the interpreter
    joining them at exit, forever. Results not yet received are lost, which is what an
    interruption means: every file on disk is still complete and ``--resume`` redoes the rest."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()  # SIGTERM: the workers leave its default action in place
    for process in processes:
        process.join(WORKER_STOP_S)
        if process.is_alive():
            process.kill()
            process.join(WORKER_STOP_S)
    # A worker stopped in the middle of sending a result (a plan's HTML is bigger than a pipe
    # holds) leaves the pool's manager thread reading the rest of that message, which never
    # comes while this process holds the pipe's write end too: close it, so that the read ends
    # (EOF) and the thread, which the interpreter joins at exit, finishes.
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        writer.close()
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    # Let the pool's manager thread finish here (it notices the dead workers at once). Left
    # running, it closes its wake-up pipe while the interpreter's exit hook for process pools
    # writes to that pipe without a lock: an "OSError: Bad file descriptor" traceback at exit
    # (CPython 3.11; the hook checks "closed" and writes in two steps).
    if manager is not None:
        manager.join(WORKER_STOP_S)


def process_runner(jobs: int) -> Runner:
    """Run on ``jobs`` worker processes, at most ``IN_FLIGHT_PER_JOB × jobs`` athletes in flight.

    Workers are started with "spawn": a fresh interpreter is safe whatever threads the parent
    runs (the rich progress bar, a Dask client), unlike fork. Should the run end early (Ctrl-C,
    SIGTERM, an error while writing, the consumer closing the generator), the workers are
    stopped at once rather than awaited (``_stop_workers``).
    """
    def run(tasks: list[Task], work: Work) -> Generator[tuple[int, Outcome], None, None]:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
        pending: dict[Future, int] = {}
        queue = iter(tasks)
        finished = False
        try:
            with _children_block_sigint():  # the pool starts its workers on the first submits
                for task in queue:
                    pending[pool.submit(work, task)] = task[0]
                    if len(pending) >= jobs:
                        break
            while True:
                for task in queue:
                    pending[pool.submit(work, task)] = task[0]
                    if len(pending) >= IN_FLIGHT_PER_JOB * jobs:
                        break
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), _outcome_of(future)
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                _stop_workers(pool)

    return run


def dask_runner(address: str) -> Runner:
    """Run on an existing Dask distributed cluster (``pip install 'legplan[dask]'``)."""
    try:
        from dask.distributed import Client, as_completed
    except ImportError:
        raise InputError("--dask", [("", "Dask is not installed: pip install 'legplan[dask]'")]) \
            from None

    def run(tasks: list[Task], work: Work) -> Generator[tuple[int, Outcome], None, None]:
        try:
            client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as e:
            raise InputError("--dask", [("", f"cannot reach the Dask scheduler at {address}: {e}")]) \
                from None
        pending: dict[Any, int] = {}
        queue = iter(tasks)
        limit = IN_FLIGHT_PER_JOB * max(1, sum(client.nthreads().values()))
        completed = as_completed()

        def submit_more() -> None:
            for task in queue:
                future = client.submit(work, task, pure=False)
                pending[future] = task[0]
                completed.add(future)
                if len(pending) >= limit:
                    return

        try:
            submit_more()
            for future in completed:
                ordinal = pending.pop(future)
                outcome = _outcome_of(future)
                future.release()
                yield ordinal, outcome
                submit_more()
        finally:
            client.cancel(list(pending))
            client.close()

    return run


# --- files -------------------------------------------------------------------------------------

def atomic_write_text(path: Path, text: str) -> None:
    """Batch outputs: atomic, not fsynced (thousands of files; a crash loses only whole files,
    which ``--resume`` rewrites). A symlink in ``--out`` is replaced, never followed out of it;
    a FIFO or device there is refused. A file that cannot be written (a full disk) stops the run
    as an InputError naming it (exit 2); every file written before is complete."""
    try:
        write_atomic(path, text, durable=False, follow_symlinks=False)
    except NotARegularFileError as e:
        raise InputError(str(path), [("--out", str(e.strerror))]) from None
    except OSError as e:
        raise InputError(str(path), [("--out", f"cannot write: {e.strerror or e}")]) from None


def plan_path(out: Path, slug: str, fmt: str) -> Path:
    return out / PLANS_DIR / f"{slug}.{fmt}"


def record_path(out: Path, slug: str) -> Path:
    return out / STATE_DIR / f"{slug}.json"


def _record(entry: Entry, fields: dict[str, Any]) -> dict[str, Any]:
    return {"record_version": RECORD_VERSION, "ordinal": entry.ordinal, "name": entry.name,
            "slug": entry.slug, "source": entry.source, "fingerprint": entry.fingerprint, **fields}


def save_outcome(out: Path, entry: Entry, outcome: Outcome) -> dict[str, Any]:
    """Write the athlete's plan files, then its record (which marks it done). Returns the record.
    A Ctrl-C or SIGTERM meanwhile takes effect after the record: a plan on disk is always one
    ``--resume`` counts as done (it once came between the two, 1 run in about 20 under load)."""
    fields, texts = outcome
    record = _record(entry, fields)
    with signals_deferred():
        for fmt, text in texts.items():
            atomic_write_text(plan_path(out, entry.slug, fmt), text)
        if not texts:  # a failed athlete must not keep a stale plan from an earlier run
            for fmt in BATCH_FORMATS:
                plan_path(out, entry.slug, fmt).unlink(missing_ok=True)
        atomic_write_text(record_path(out, entry.slug),
                          json.dumps(record, indent=2, sort_keys=True) + "\n")
    return record


def load_done(out: Path, entry: Entry, formats: tuple[str, ...],
              calendar: CalendarSettings | None = None) -> dict[str, Any] | None:
    """The record of an athlete an earlier run finished with this same input (and the same
    ``--start``/``--time``/``--tz``), else None."""
    try:
        record = json.loads(record_path(out, entry.slug).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("record_version") != RECORD_VERSION:
        return None
    if record.get("fingerprint") != entry.fingerprint or record.get("ordinal") != entry.ordinal:
        return None
    if record.get("status") == "ok":
        done = (record.get("calendar") == calendar_key(calendar)
                and all(plan_path(out, entry.slug, fmt).is_file() for fmt in formats))
    else:
        done = record.get("failure") in FINAL_FAILURES
    return record if done else None


def _prepare_out(out: Path) -> None:
    """Create ``out/plans`` and ``out/.legplan``; a symlink at either is refused (exit 2): it
    would send the plans, or the records, outside ``--out``."""
    for sub in (PLANS_DIR, STATE_DIR):
        if (out / sub).is_symlink():
            raise InputError(str(out), [("--out", f"{sub} is a symlink (to {os.readlink(out / sub)}); "
                                                  "legplan writes only into real directories "
                                                  "inside --out")])
    try:
        for sub in (PLANS_DIR, STATE_DIR):
            (out / sub).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(str(out), [("--out", f"cannot create the output directory: {e}")]) from None


ANOTHER_RUN = ("another legplan batch is writing into this directory; wait for it to finish, "
               "or choose another --out")


@contextmanager
def _one_run_at_a_time(out: Path) -> Generator[None, None, None]:
    """Hold an exclusive lock on ``out/.legplan`` for the whole run: a second run into the same
    ``--out`` fails at once (InputError, exit 2) instead of interleaving its files with the
    first's (summary.csv then disagreed with the plans). ``flock`` on the directory itself
    (no lock file to leave behind); the kernel releases it when the process ends, however it
    ends. Where ``fcntl`` does not exist (Windows) there is no lock."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(out / STATE_DIR, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(str(out), [("--out", ANOTHER_RUN)]) from None
        yield
    finally:
        os.close(fd)


# --- summary.csv and index.html ----------------------------------------------------------------

# A cell starting with one of these is run as a formula (or a DDE command, "|") by spreadsheets:
# OWASP's CSV-injection list (= + - @, tab, carriage return) plus the pipe.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r", "|")


def _csv_safe(text: str) -> str:
    """Keep spreadsheets from running a name as a formula: a leading ``'`` before any of
    ``FORMULA_STARTS``."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def summary_rows(records: list[dict[str, Any]], formats: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per athlete in roster order, with the links of the requested formats."""
    rows = []
    for r in records:
        ok = r["status"] == "ok"
        sessions = r.get("sessions", {})
        rows.append({
            "ordinal": r["ordinal"], "name": r["name"], "slug": r["slug"], "source": r["source"],
            "status": r["status"], "goal": r.get("goal", ""),
            "goal_reached": ("yes" if r["goal_reached"] else "no") if ok else "",
            "shortfall_cm": r.get("shortfall_cm", ""),
            "calories_per_day": r.get("calories_per_day", ""),
            "protein_g_per_day": r.get("protein_g_per_day", ""),
            **{f"sessions_{kind}": sessions.get(kind, "") for kind in KINDS},
            "thigh_change_cm": r.get("thigh_change_cm", ""),
            "files": [f"{PLANS_DIR}/{r['slug']}.{fmt}" for fmt in formats] if ok else [],
            "reason": r.get("reason", ""),
            "calibration": r.get("calibration"),
            "block_weeks": r.get("block_weeks", "") if ok else "",
            "lighter_weeks": ";".join(str(w) for w in r.get("lighter_weeks", [])) if ok else "",
        })
    return rows


def summary_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = dict(row, files=";".join(row["files"]))
        cells.pop("calibration", None)  # index.html shows it; summary.csv keeps its columns
        for column in ("name", "source", "reason"):
            cells[column] = _csv_safe(str(cells[column]))
        writer.writerow(cells)
    return buffer.getvalue()


def index_html(rows: list[dict[str, Any]], formats: tuple[str, ...]) -> str:
    """The overview page: autoescaped, self-contained (the renderer's HTML environment)."""
    from planner.report.render import environment

    template = environment("html").get_template("batch_index.html.j2")
    planned = [r for r in rows if r["status"] == "ok"]
    failed = [r for r in rows if r["status"] != "ok"]
    return template.render(planned=planned, failed=failed, total=len(rows), kinds=KINDS,
                           formats=formats, reached=sum(r["goal_reached"] == "yes" for r in planned))


# --- progress ----------------------------------------------------------------------------------

class Progress:
    """A rich progress bar when stderr is a terminal, else one plain line per athlete."""

    def __init__(self, total: int, stream: Any = None):
        self.total = total
        self.count = 0
        self.stream = stream or sys.stderr
        self._bar: Any = None
        self._broken = False
        if hasattr(self.stream, "isatty") and self.stream.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self._bar = Bar(TextColumn("planning"), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), TextColumn("{task.description}"),
                            console=Console(file=self.stream), transient=False)
            self._task = self._bar.add_task("", total=total)

    def __enter__(self) -> "Progress":
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, record: dict[str, Any], skipped: bool = False) -> None:
        self.count += 1
        status = "ok" if record["status"] == "ok" else f"failed: {record['reason']}"
        if skipped:
            status = f"done earlier ({status})"
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=record["slug"])
            if record["status"] != "ok":
                self._bar.console.print(f"{record['slug']}: {status}", markup=False, highlight=False)
        elif not self._broken:
            try:
                print(f"[{self.count}/{self.total}] {record['slug']}: {status}", file=self.stream,
                      flush=True)
            except OSError:  # a full disk or a closed pipe: progress is only information, and
                self._broken = True  # summary.csv and index.html still tell how the run went


# --- the batch ---------------------------------------------------------------------------------

def run_batch(inputs: list[str | Path], out: str | Path, formats: tuple[str, ...] = DEFAULT_FORMATS,
              jobs: int | None = None, resume: bool = False, dask_address: str | None = None,
              plan_fn: PlanFn | None = None, render_fn: RenderFn | None = None,
              progress_stream: Any = None, calendar: CalendarSettings | None = None
              ) -> BatchReport:
    """Plan every athlete of ``inputs`` into ``out``. See the module docstring.

    Raises InputError when the input is unusable as a whole (exit 2) and BatchInterrupted on
    Ctrl-C (exit 130). A bad athlete is never an exception: it is a failed row with its reason.
    """
    out = Path(out)
    check_calendar(formats, calendar)
    entries = read_roster(inputs)
    _prepare_out(out)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if dask_address:
        runner = dask_runner(dask_address)
    else:
        runner = run_inline if jobs == 1 else process_runner(jobs)
    records: dict[int, dict[str, Any]] = {}
    with _one_run_at_a_time(out), Progress(len(entries), progress_stream) as progress:
        try:
            if plan_fn is None and calendar is not None and calendar.start is not None:
                plan_fn = functools.partial(_default_plan, start=calendar.start)  # dated weeks
            work = functools.partial(plan_athlete, formats=formats, plan_fn=plan_fn,
                                     render_fn=render_fn, calendar=calendar)
            skipped = _plan_all(entries, out, formats, resume, records, progress,
                                lambda tasks: runner(tasks, work), calendar)
            ordered = [records[e.ordinal] for e in entries]
            rows = summary_rows(ordered, formats)
            atomic_write_text(out / "summary.csv", summary_csv(rows))
            atomic_write_text(out / "index.html", index_html(rows, formats))
        except KeyboardInterrupt:
            raise BatchInterrupted(len(records), len(entries)) from None
    failed = sum(r["status"] != "ok" for r in ordered)
    return BatchReport(total=len(entries), planned=len(entries) - failed, failed=failed,
                       skipped=skipped)


def _plan_all(entries: list[Entry], out: Path, formats: tuple[str, ...], resume: bool,
              records: dict[int, dict[str, Any]], progress: Progress,
              start: Callable[[list[Task]], Generator[tuple[int, Outcome], None, None]],
              calendar: CalendarSettings | None = None) -> int:
    """Fill ``records`` (ordinal → record) as athletes finish; return how many were done earlier."""
    by_ordinal = {e.ordinal: e for e in entries}
    skipped = 0
    tasks: list[Task] = []
    for entry in entries:
        done = load_done(out, entry, formats, calendar) if resume else None
        if done is not None:
            records[entry.ordinal] = done
            skipped += 1
            progress.advance(done, skipped=True)
        elif entry.error is not None:
            records[entry.ordinal] = save_outcome(out, entry, _failure("input", entry.error))
            progress.advance(records[entry.ordinal])
        else:
            assert entry.data is not None
            tasks.append((entry.ordinal, entry.source, entry.data, entry.log))
    if tasks:
        with closing(start(tasks)) as results:
            for ordinal, outcome in results:
                records[ordinal] = save_outcome(out, by_ordinal[ordinal], outcome)
                progress.advance(records[ordinal])
    return skipped
