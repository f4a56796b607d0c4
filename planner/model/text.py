"""Free text from input files (an athlete's name): printable, never blank.

A name reaches the terminal, Markdown, HTML, calendars and ``summary.csv``; a control character
(ESC, BEL, NUL, a newline) or a bidirectional override would act on those instead of being shown,
so free-text fields reject them (``FreeText``), and error messages escape them
(``escape_unprintable``) because they may quote what the file said.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# Beyond the control characters (category Cc: C0, DEL, C1): line and paragraph separators, and the
# bidirectional embeddings, overrides and isolates that reorder what a terminal or page shows.
_INVISIBLE_ORDER = frozenset(
    "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)


def is_unprintable(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in _INVISIBLE_ORDER


def find_unprintable(text: str) -> int | None:
    """Index of the first control or text-direction character in ``text`` (None: none)."""
    for i, ch in enumerate(text):
        if is_unprintable(ch):
            return i
    return None


def escape_unprintable(text: str) -> str:
    """``text`` with every control or text-direction character written as ``\\x1b`` / ``\\u202e``."""
    if find_unprintable(text) is None:
        return text
    return "".join(ch.encode("unicode_escape").decode("ascii") if is_unprintable(ch) else ch
                   for ch in text)


def _printable(text: str) -> str:
    i = find_unprintable(text)
    if i is not None:
        ch = text[i]
        name = unicodedata.name(ch, "a control character")
        raise ValueError(f"must be printable text: character {i + 1} is U+{ord(ch):04X} "
                         f"({name.lower()}); control characters and line breaks are not allowed")
    if not text.strip():
        raise ValueError("must not be blank")
    return text


FreeText = Annotated[str, AfterValidator(_printable)]
