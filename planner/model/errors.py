"""Errors the CLI turns into exit codes (see docs/design.md "Exit codes": 2 bad input, 3 no safe plan)."""

from __future__ import annotations

from planner.model.text import escape_unprintable

MAX_SHOWN = 10  # problems shown; the rest are counted ("… and 199,990 more problems")


class InputError(Exception):
    """Bad input: names the file, the field and what is allowed. The CLI exits 2."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems  # (field path, message)
        super().__init__(self.render())

    def render(self) -> str:
        """The file, then one line per problem (the first ``MAX_SHOWN``, then a count)."""
        lines = [f"{escape_unprintable(self.source)}: invalid input"]
        lines += [f"  - {where}: {message}" for where, message in self._where()]
        if self._more():
            lines.append(f"  {self._more_text()}")
        return "\n".join(lines)

    def one_line(self) -> str:
        """The problems on one line (a batch's summary): ``source: field: message; …``."""
        more = f"; {self._more_text()}" if self._more() else ""
        return (f"{escape_unprintable(self.source)}: "
                + "; ".join(f"{w}: {m}" for w, m in self._where()) + more)

    def _more(self) -> int:
        return max(0, len(self.problems) - MAX_SHOWN)

    def _more_text(self) -> str:
        n = self._more()
        return f"… and {n:,} more problem{'s' if n != 1 else ''}"

    def _where(self) -> list[tuple[str, str]]:
        """The problems shown, with any control character a file put in them escaped."""
        return [(escape_unprintable(field) or "(document)", escape_unprintable(message))
                for field, message in self.problems[:MAX_SHOWN]]


class NoSafePlanError(Exception):
    """No plan satisfies the hard rules at all. The CLI exits 3 and names the rules."""

    def __init__(self, athlete: str, conflicting_rules: list[str], detail: str = "",
                 fix: str = ""):
        self.athlete = athlete
        self.conflicting_rules = conflicting_rules
        self.detail = detail
        self.fix = fix  # the smallest profile change that makes a plan possible, checked by solving
        rules = ", ".join(conflicting_rules) or "unknown"
        msg = f"{athlete}: no safe plan exists; these rules conflict: {rules}"
        if detail:
            msg += f" ({detail})"
        if fix:
            msg += f". A plan is possible if you {fix}"
        super().__init__(msg)


class SolverStoppedError(Exception):
    """The solver hit its work limit before finding any plan (not proof that none exists).
    The CLI exits 1; a batch records it as a failure that ``--resume`` retries."""
