"""Errors the CLI turns into exit codes (see docs/design.md "Exit codes": 2 bad input, 3 no safe plan)."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: names the file, the field and what is allowed. The CLI exits 2."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems  # (field path, message)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"{self.source}: invalid input"]
        lines += [f"  - {where}: {message}" for where, message in self._where()]
        return "\n".join(lines)

    def one_line(self) -> str:
        """The problems on one line (a batch's summary): ``source: field: message; …``."""
        return f"{self.source}: " + "; ".join(f"{w}: {m}" for w, m in self._where())

    def _where(self) -> list[tuple[str, str]]:
        return [(field or "(document)", message) for field, message in self.problems]


class NoSafePlanError(Exception):
    """No plan satisfies the hard rules at all. The CLI exits 3 and names the rules."""

    def __init__(self, athlete: str, conflicting_rules: list[str], detail: str = ""):
        self.athlete = athlete
        self.conflicting_rules = conflicting_rules
        self.detail = detail
        rules = ", ".join(conflicting_rules) or "unknown"
        msg = f"{athlete}: no safe plan exists; these rules conflict: {rules}"
        if detail:
            msg += f" ({detail})"
        super().__init__(msg)


class SolverStoppedError(Exception):
    """The solver hit its work limit before finding any plan (not proof that none exists).
    The CLI exits 1; a batch records it as a failure that ``--resume`` retries."""
