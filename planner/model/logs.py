"""The athlete's log: dated weigh-ins, thigh girths and intake (README "Log file").

A CSV file, UTF-8 (a byte-order mark is fine), with a header row naming any of ``date``
(required, YYYY-MM-DD), ``weight_kg`` or ``weight_lb``, ``thigh_cm`` or ``thigh_in`` (same spot,
relaxed), ``calories`` (eaten that day, kcal) and ``note``. Empty cells are fine: most days have a
weight and no thigh. Every problem names the file, the line and the column, and the CLI exits 2:
an unparsable or future date, a date given twice, a value out of range, both units of one
quantity. Rows out of order are sorted. An implausible jump (more than 2.5 kg between consecutive
days, more than 3 cm of thigh in a week) is kept but flagged, for the report to show.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from planner.model.documents import read_text, scalar
from planner.model.errors import InputError
from planner.model.plan import MAX_CALORIES
from planner.model.profile import CM_PER_IN, KG_PER_LB, WEIGHT_KG_RANGE

LOG_COLUMNS = ("date", "weight_kg", "weight_lb", "thigh_cm", "thigh_in", "calories", "note")
THIGH_CM_RANGE = (25.0, 110.0)  # [cm] an adult mid-thigh girth, lean to very large
NOTE_MAX_CHARS = 200
# Implausible jumps, flagged (not dropped): day-to-day scale swings beyond water and gut content,
# and a thigh that changes faster than any tissue can (the tape moved, or a typo)
JUMP_WEIGHT_KG_PER_DAY = 2.5
JUMP_THIGH_CM_PER_WEEK = 3.0
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class LogEntry:
    """One day of the log, metric. ``line`` is the CSV line it came from."""

    day: date
    line: int
    weight_kg: float | None = None
    thigh_cm: float | None = None
    calories: float | None = None
    note: str = ""
    weight_unit: str = "kg"  # the unit the file gave it in, for the flags the report shows
    thigh_unit: str = "cm"


@dataclass(frozen=True)
class Log:
    """A validated log, sorted by date, with the implausible jumps it holds flagged."""

    source: str
    entries: tuple[LogEntry, ...]
    flags: tuple[str, ...] = field(default=())

    @property
    def start(self) -> date:
        return self.entries[0].day

    @property
    def end(self) -> date:
        return self.entries[-1].day

    def weights(self) -> list[LogEntry]:
        return [e for e in self.entries if e.weight_kg is not None]

    def thighs(self) -> list[LogEntry]:
        return [e for e in self.entries if e.thigh_cm is not None]

    def calories_days(self) -> list[LogEntry]:
        return [e for e in self.entries if e.calories is not None]

    def until(self, last: date) -> "Log":
        """The log's rows up to and including ``last`` (held-out checks)."""
        kept = tuple(e for e in self.entries if e.day <= last)
        return Log(self.source, kept, jump_flags(kept))


def _number(text: str) -> float | None:
    value = scalar(text)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _quantity(cells: dict[str, str], metric: str, imperial: str, factor: float,
              low: float, high: float, where: str) -> tuple[float | None, list[tuple[str, str]]]:
    """One quantity given in either unit, metric; the problems (column named) if any."""
    given = [c for c in (metric, imperial) if cells.get(c, "").strip()]
    if len(given) == 2:
        return None, [(f"{where}, column {imperial}",
                       f"give {metric} or {imperial}, not both")]
    if not given:
        return None, []
    column = given[0]
    value = _number(cells[column].strip())
    scale = 1.0 if column == metric else factor
    unit_low, unit_high = low / scale, high / scale
    allowed = f"a number from {unit_low:g} to {unit_high:g}"
    if value is None:
        return None, [(f"{where}, column {column}", f"{cells[column].strip()!r} is not a number; "
                                                      f"must be {allowed}")]
    metric_value = value * scale
    if not low <= metric_value <= high:
        return None, [(f"{where}, column {column}", f"{value:g} is out of range; must be {allowed}")]
    return metric_value, []


def parse_log_text(text: str, source: str, today: date | None = None) -> Log:
    """Validate a log's CSV text (see the module docstring); ``today`` (default: the system's
    date) is the last date a row may have."""
    today = today or date.today()
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(reader, None)
    if not header or not any(c.strip() for c in header):
        raise InputError(source, [("line 1", "the log is empty: it needs a header row "
                                             f"({', '.join(LOG_COLUMNS)})")])
    columns = [c.strip() for c in header]
    problems: list[tuple[str, str]] = []
    for i, column in enumerate(columns):
        if column not in LOG_COLUMNS:
            problems.append((f"line 1, column {column or i + 1}",
                             f"unknown column; columns are {', '.join(LOG_COLUMNS)}"))
        elif columns.index(column) != i:
            problems.append((f"line 1, column {column}", "column appears twice in the header"))
    if "date" not in columns:
        problems.append(("line 1, column date", "the header needs a date column"))
    if problems:
        raise InputError(source, problems)
    entries: list[LogEntry] = []
    seen: dict[date, int] = {}
    for cells_list in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells_list):
            continue
        where = f"line {line}"
        if len(cells_list) > len(columns):
            problems.append((where, f"row has {len(cells_list)} cells but the header has "
                                    f"{len(columns)} columns"))
            continue
        cells = dict(zip(columns, cells_list))
        row_problems: list[tuple[str, str]] = []
        text_date = cells.get("date", "").strip()
        day: date | None = None
        try:
            day = date.fromisoformat(text_date) if len(text_date) == 10 else None
        except ValueError:
            day = None
        if day is None:
            row_problems.append((f"{where}, column date",
                                 f"{text_date!r} is not a date written YYYY-MM-DD"))
        elif day > today:
            row_problems.append((f"{where}, column date",
                                 f"{day.isoformat()} is in the future (today is "
                                 f"{today.isoformat()})"))
        elif day in seen:
            row_problems.append((f"{where}, column date",
                                 f"{day.isoformat()} is given twice (lines {seen[day]} and {line})"))
        weight, bad = _quantity(cells, "weight_kg", "weight_lb", KG_PER_LB, *WEIGHT_KG_RANGE, where)
        row_problems += bad
        thigh, bad = _quantity(cells, "thigh_cm", "thigh_in", CM_PER_IN, *THIGH_CM_RANGE, where)
        row_problems += bad
        calories, bad = _quantity(cells, "calories", "", 1.0, 0.0, float(MAX_CALORIES), where)
        row_problems += bad
        note = cells.get("note", "").strip()
        if len(note) > NOTE_MAX_CHARS:
            row_problems.append((f"{where}, column note",
                                 f"longer than {NOTE_MAX_CHARS} characters"))
        if row_problems or day is None:
            problems += row_problems
            continue
        seen[day] = line
        entries.append(LogEntry(day=day, line=line, weight_kg=weight, thigh_cm=thigh,
                                calories=calories, note=note,
                                weight_unit="lb" if cells.get("weight_lb", "").strip() else "kg",
                                thigh_unit="in" if cells.get("thigh_in", "").strip() else "cm"))
    if problems:
        raise InputError(source, problems)
    if not entries:
        raise InputError(source, [("line 2", "the log has a header but no rows")])
    ordered = tuple(sorted(entries, key=lambda e: e.day))
    return Log(source, ordered, jump_flags(ordered))


def jump_flags(entries: tuple[LogEntry, ...]) -> tuple[str, ...]:
    """Implausible jumps between consecutive measurements, in words (kept in the fit)."""
    flags = []
    for name, unit, limit, per_days, values in (
        ("weight", "kg", JUMP_WEIGHT_KG_PER_DAY, 1,
         [(e, e.weight_kg, e.weight_unit) for e in entries if e.weight_kg is not None]),
        ("thigh", "cm", JUMP_THIGH_CM_PER_WEEK, DAYS_PER_WEEK,
         [(e, e.thigh_cm, e.thigh_unit) for e in entries if e.thigh_cm is not None]),
    ):
        for (e0, v0, _), (e1, v1, shown) in zip(values, values[1:]):
            periods = max((e1.day - e0.day).days / per_days, 1.0)
            if abs(v1 - v0) > limit * periods:  # type: ignore[operator]
                factor = {"lb": 1 / KG_PER_LB, "in": 1 / CM_PER_IN}.get(shown, 1.0)
                span = "a day" if per_days == 1 else "a week"
                flags.append(f"{e1.day.isoformat()} (line {e1.line}): {name} "
                             f"{v1 * factor:.1f} {shown} after {v0 * factor:.1f} {shown} on "
                             f"{e0.day.isoformat()}, more than {limit:g} {unit} in {span}: kept, "
                             "but check it")
    return tuple(flags)


def read_log(path: str | Path, today: date | None = None) -> Log:
    """Read and validate a log file (at most 1 MiB, UTF-8); InputError names file, line, column."""
    path = Path(path)
    source = str(path)
    text = read_text(path, "a year of daily rows is about 15 KB")
    try:
        return parse_log_text(text, source, today)
    except csv.Error as e:
        raise InputError(source, [("", f"cannot read the CSV log: {e}")]) from None
