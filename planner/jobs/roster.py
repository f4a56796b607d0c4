"""Read a roster for ``legplan batch``: profile files, directories of them, or a CSV roster.

Every athlete becomes an :class:`Entry` with a stable id (source + row/ordinal) and a unique,
filesystem-safe slug, assigned in roster order before any work starts. A bad file or row is not an
error here: it becomes an entry carrying the :class:`InputError` that explains it, so one bad
athlete never stops the others. Only input that is unusable as a whole (a path that does not
exist, no profiles found, a CSV whose header cannot be read) raises :class:`InputError`.

CSV roster format (README "Batch planning"): one row per athlete, the header names profile
fields; ``mon`` … ``sun`` give availability in minutes; ``facilities`` and ``exclude`` are lists
separated by ``;``; ``limits.<field>`` columns set coach limits; an empty cell means "absent".
A ``log`` column names the athlete's log file (relative to the CSV); a profile file
``NAME.yaml`` has the log ``NAME.log.csv`` beside it, if there is one. An athlete with a log is
calibrated from it before planning (``planner.jobs.calibrate``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.model.documents import read_document, scalar
from planner.model.errors import InputError
from planner.model.files import file_kind
from planner.model.profile import DAYS, Limits, Profile
from planner.model.text import find_unprintable

PROFILE_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")
LIST_COLUMNS: frozenset[str] = frozenset({"facilities", "exclude"})
TEXT_COLUMNS: frozenset[str] = frozenset(
    {"name", "sex", "goal", "strength_experience", "long_run_day", "units"}
)
LIMITS_PREFIX = "limits."
LOG_COLUMN = "log"  # a CSV roster's column naming the athlete's log file (relative to the CSV)
LOG_SUFFIX = ".log.csv"  # NAME.log.csv beside NAME.yaml is that profile's log
SLUG_MAX = 60
DEFAULT_SLUG = "athlete"
# Names Windows reserves for devices, whatever the extension (con.html cannot be created there):
# such a slug gets RESERVED_SUFFIX. COM0/LPT0 included, as recent Windows documentation lists them.
WINDOWS_RESERVED: frozenset[str] = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(10)}
)
RESERVED_SUFFIX = "-athlete"


@dataclass(frozen=True)
class Entry:
    """One athlete of the roster, ready to be planned (or already known to be bad)."""

    ordinal: int  # 1-based position in roster order
    source: str  # where it came from: a file path, or "roster.csv:line 4"
    name: str  # the athlete's name, or a stand-in from the source when unreadable
    slug: str  # unique, [a-z0-9-], used for output file names
    data: dict[str, Any] | None  # the profile document; None when it could not be read
    error: str | None = None  # why the entry cannot be planned (an InputError message)
    log: str | None = None  # the athlete's log file, calibrated before planning

    @property
    def fingerprint(self) -> str:
        """Hash of what the plan depends on, so ``--resume`` redoes an athlete whose input changed
        (the log's bytes included)."""
        parts: list[Any] = [self.source, self.data, self.error]
        if self.log is not None:
            parts += [self.log, _digest(Path(self.log))]
        payload = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _digest(path: Path) -> str:
    """sha256 of a file's bytes ("" when it cannot be read: planning it then says why)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def slugify(name: str) -> str:
    """ASCII, lowercase, ``[a-z0-9-]`` only; ``""`` when nothing usable is left.

    Example: ``slugify("Zoë O'Brien")`` → ``"zoe-o-brien"``; ``slugify("../../x")`` → ``"x"``;
    a name Windows reserves for a device gets a suffix: ``slugify("Con")`` → ``"con-athlete"``.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = slug[:SLUG_MAX].rstrip("-")
    return slug + RESERVED_SUFFIX if slug in WINDOWS_RESERVED else slug


def unique_slugs(names: list[str]) -> list[str]:
    """One slug per name, in order; repeats get ``-2``, ``-3``…; empty ones become ``athlete``."""
    used: set[str] = set()
    slugs = []
    for name in names:
        base = slugify(name) or DEFAULT_SLUG
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs.append(slug)
    return slugs


def _check_header(source: str, header: list[str] | None) -> list[str]:
    if not header:
        raise InputError(source, [("", "the CSV roster is empty: it needs a header row")])
    columns = [c.strip() for c in header]
    problems = []
    allowed = set(Profile.model_fields) | set(DAYS) | {"height_in", "weight_lb"}
    allowed.discard("availability")
    allowed.discard("limits")
    allowed |= {LIMITS_PREFIX + f for f in Limits.model_fields} | {LOG_COLUMN}
    allowed.discard("calibration")
    seen: set[str] = set()
    for column in columns:
        if column in seen:
            problems.append((column, "column appears twice in the header"))
        seen.add(column)
        if column not in allowed:
            problems.append((column or "(empty column name)",
                             "unknown column (typo?); columns are profile fields, mon…sun "
                             "and limits.<field>"))
    if "name" not in seen:
        problems.append(("name", "the header needs a name column"))
    if problems:
        raise InputError(source, problems)
    return columns


def csv_row_to_profile(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row (header → cell text) as a profile document (README "CSV roster format")."""
    data: dict[str, Any] = {}
    availability: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for column, cell in row.items():
        text = (cell or "").strip()
        if not text or column == LOG_COLUMN:
            continue
        if column in LIST_COLUMNS:
            data[column] = [part.strip() for part in text.split(";") if part.strip()]
        elif column in TEXT_COLUMNS:
            data[column] = text
        elif column in DAYS:  # numbers read as a YAML plain scalar would be; else text,
            availability[column] = scalar(text)  # which fails validation as not a number
        elif column.startswith(LIMITS_PREFIX):
            limits[column.removeprefix(LIMITS_PREFIX)] = scalar(text)
        else:
            data[column] = scalar(text)
    if availability:
        data["availability"] = availability
    if limits:
        data["limits"] = limits
    return data


# (source, profile document or None, error or None, fallback name, log path or None)
Raw = tuple[str, dict[str, Any] | None, str | None, str, str | None]


def read_csv_roster(path: Path) -> list[Raw]:
    """Rows of a CSV roster as (source, document, error, fallback name, log path)."""
    source = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            header = _check_header(source, next(reader, None))
            rows = []
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue  # blank line
                row_source = f"{source}:line {reader.line_num}"
                fallback = f"line {reader.line_num}"
                if len(cells) > len(header):
                    err = InputError(row_source, [("", f"row has {len(cells)} cells but the "
                                                       f"header has {len(header)} columns")])
                    rows.append((row_source, None, err.one_line(), fallback, None))
                    continue
                row = dict(zip(header, cells))
                log = (row.get(LOG_COLUMN) or "").strip()
                rows.append((row_source, csv_row_to_profile(row), None, fallback,
                             str(path.parent / log) if log else None))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(source, [("", f"cannot read the CSV roster: {e}")]) from None


def _read_profile_file(path: Path) -> Raw:
    source = str(path)
    beside = path.with_name(path.stem + LOG_SUFFIX)
    log = str(beside) if beside.exists() else None
    try:
        document = read_document(path)
    except InputError as e:
        return source, None, e.one_line(), path.stem, None
    if not isinstance(document, dict):
        err = InputError(source, [("", "a profile must be a mapping of fields (YAML or JSON object)")])
        return source, None, err.one_line(), path.stem, None
    return source, document, None, path.stem, log


def not_a_profile_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a profile file (never opening it: a FIFO would block), or
    None for a regular file (or a symlink to one)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return ("a symlink to a file that does not exist" if path.is_symlink()
                else "no such file or directory")
    except OSError as e:
        return f"cannot read: {e.strerror or e}"
    if stat.S_ISREG(mode):
        return None
    return f"is {file_kind(mode)}, not a regular file"


def expand_inputs(inputs: list[str | Path]) -> list[tuple[Path, str | None]]:
    """Files in roster order: each argument in turn, a directory's profiles sorted by path.

    Every directory entry named like a profile (``*.yaml``, ``*.yml``, ``*.json``) is one,
    each with the reason it cannot be read when it is not a regular file (a dangling symlink, a
    FIFO, a directory named ``x.yaml``): a failed entry, never skipped silently. An argument
    that is neither a directory nor a readable file makes the input unusable."""
    files: list[tuple[Path, str | None]] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES)
            files.extend((p, not_a_profile_file(p)) for p in found)
        elif (problem := not_a_profile_file(path)) is None:
            files.append((path, None))
        else:
            raise InputError(str(path), [("", problem)])
    if not files:
        raise InputError(", ".join(str(i) for i in inputs) or "(no input)",
                         [("", "no profiles found (*.yaml, *.yml, *.json or a .csv roster)")])
    return files


def read_roster(inputs: list[str | Path]) -> list[Entry]:
    """Every athlete of ``inputs``, in roster order, with unique slugs. See module docstring."""
    raw = []
    for path, problem in expand_inputs(inputs):
        if problem is not None:
            error = InputError(str(path), [("", problem)]).one_line()
            raw.append((str(path), None, error, path.stem, None))
        elif path.suffix.lower() == ".csv":
            raw.extend(read_csv_roster(path))
        else:
            raw.append(_read_profile_file(path))
    if not raw:  # only CSV rosters, and nothing under their headers
        raise InputError(", ".join(str(i) for i in inputs),
                         [("", "no athletes found: the CSV roster has a header but no rows")])
    names = []
    for _source, document, _error, fallback, _log in raw:
        name = document.get("name") if document is not None else None
        usable = isinstance(name, str) and name.strip() and find_unprintable(name) is None
        names.append(name.strip() if usable else fallback)  # type: ignore[union-attr]
    slugs = unique_slugs(names)
    return [
        Entry(ordinal=i, source=source, name=name, slug=slug, data=document, error=error, log=log)
        for i, ((source, document, error, _, log), name, slug)
        in enumerate(zip(raw, names, slugs), 1)
    ]
