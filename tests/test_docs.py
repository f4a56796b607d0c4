"""The documents travel with the code (sqlite-utils' test_docs style).

- every ``.md`` file that code, tests, benchmarks or templates cite (in a Python file: in its
  docstrings and comments, not in string data such as an output file name) exists in this
  repository (resolved from the repository root or from ``docs/``), and a cited section exists:
  ``docs/design.md "Goals"`` names a heading, ``docs/science.md §5`` a numbered section;
- every relative link in the README and in ``docs/`` reaches a file, and its ``#anchor`` a
  heading; every ``planner/…``, ``tests/…`` path they mention exists;
- every command ``legplan --help`` lists is in the README.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
CODE_DIRS = ("planner", "tests", "benchmarks", "templates")
CODE_SUFFIXES = {".py", ".j2", ".css", ".md", ".txt", ".toml", ".cfg"}
# a path ending in .md, not part of a longer name such as plan.md.j2
MD_REF = re.compile(r"(?<![\w./-])([\w./-]*\w\.md)(?!\.?\w)")
DESIGN_SECTION = re.compile(r'docs/design\.md "([^"]+)"')
SCIENCE_SECTION = re.compile(r"docs/science\.md (?:§|section )(\d+[a-z]?)")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
REPO_PATH = re.compile(r"(?<![\w./-])((?:planner|tests|benchmarks|templates|sample_profiles)/[\w./-]*\w)")


def code_files() -> list[Path]:
    return sorted(p for d in CODE_DIRS for p in (ROOT / d).rglob("*")
                  if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts)


def prose(path: Path) -> str:
    """What a file says to its reader: a Python file's docstrings and comments, any other file
    whole."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return text
    nodes = [n for n in ast.walk(ast.parse(text))
             if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    docstrings = [ast.get_docstring(n, clean=False) or "" for n in nodes]
    comments = [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline)
                if t.type == tokenize.COMMENT]
    return "\n".join(docstrings + comments)


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def missing_md_refs(text: str) -> list[str]:
    """The ``.md`` paths cited in ``text`` that exist neither from the root nor from docs/."""
    return [ref for ref in MD_REF.findall(text)
            if not (ROOT / ref).is_file() and not (DOCS / ref).is_file()]


def headings(path: Path) -> list[str]:
    """Markdown headings of a file, without the leading #s (fenced code skipped)."""
    found, fenced = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            found.append(line.lstrip("#").strip())
    return found


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


# ---------------------------------------------------------------------------------------------
# Code cites documents that exist
# ---------------------------------------------------------------------------------------------
def test_the_checker_finds_a_missing_document(tmp_path):
    missing = "NO_SUCH_FILE" + ".md"
    assert missing_md_refs(f"see {missing} and docs/science.md §2") == [missing]
    assert missing_md_refs("templates plan.md.j2 and docs/design.md.") == []
    module = tmp_path / "module.py"
    module.write_text(f'"""Cites {missing}."""\nOUT = "week.md"  # and docs/design.md\n')
    assert missing_md_refs(prose(module)) == [missing]


@pytest.mark.parametrize("path", code_files(), ids=rel)
def test_cited_documents_exist(path: Path):
    assert missing_md_refs(prose(path)) == []


def test_cited_design_sections_exist():
    sections = set(headings(DOCS / "design.md"))
    cited = {(rel(p), s) for p in code_files()
             for s in DESIGN_SECTION.findall(prose(p))}
    assert cited, "no file cites a section of docs/design.md: is the pattern out of date?"
    assert sorted((f, s) for f, s in cited if s not in sections) == []


def test_cited_science_sections_exist():
    numbers = {h.split(".", 1)[0] for h in headings(DOCS / "science.md")
               if re.match(r"\d+[a-z]?\. ", h)}
    cited = {(rel(p), n) for p in code_files()
             for n in SCIENCE_SECTION.findall(prose(p))}
    assert cited, "no file cites a section of docs/science.md: is the pattern out of date?"
    assert sorted((f, n) for f, n in cited if n not in numbers) == []


# ---------------------------------------------------------------------------------------------
# The documents' own links and paths
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", doc_files(), ids=rel)
def test_relative_links_reach_a_file_and_a_heading(path: Path):
    broken = []
    for target in MD_LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif fragment and linked.suffix == ".md" and fragment not in map(anchor, headings(linked)):
            broken.append(f"{target}: no such heading")
    assert broken == []


@pytest.mark.parametrize("path", doc_files(), ids=rel)
def test_repository_paths_mentioned_exist(path: Path):
    paths = set(REPO_PATH.findall(path.read_text(encoding="utf-8")))
    assert sorted(p for p in paths if not (ROOT / p).exists()) == []


# ---------------------------------------------------------------------------------------------
# Every command is documented
# ---------------------------------------------------------------------------------------------
def cli_commands() -> list[str]:
    """The command names ``legplan --help`` lists under "Commands:"."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listing = result.output.split("Commands:", 1)[1]
    return [line.split()[0] for line in listing.splitlines() if line.startswith("  ")]


def test_help_lists_commands():
    assert {"plan", "score", "batch"} <= set(cli_commands())


@pytest.mark.parametrize("command", cli_commands())
def test_every_command_is_in_the_readme(command: str):
    assert f"legplan {command}" in (ROOT / "README.md").read_text(encoding="utf-8")
