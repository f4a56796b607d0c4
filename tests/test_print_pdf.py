"""Printing in a real headless browser (Debian's chromium, ``--print-to-pdf``): every sample
profile's plan — a block — prints on exactly two A4 pages and two Letter pages (the sheet with
the current week, then the block); a plan without weeks (a scored week) on exactly one."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from render_plans import best_plan, built_in_profiles, profiles_for_print

from planner.model.plan import MAX_WEEKS, DayPlan, Plan, PlanInput, Session
from planner.report.render import date_span, render
from planner.science.block import block_input
from planner.science.scoring import score

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}  # our option → the name pdfinfo prints


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def print_to_pdf(browser: str, html: Path, pdf: Path, profile_dir: Path) -> None:
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile_dir}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert pdf.exists() and pdf.stat().st_size > 0, f"no PDF from {browser}: {done.stderr[-2000:]}"


def pdf_pages(pdf: Path) -> tuple[int, str]:
    """(page count, page-size line) from pdfinfo, or (count of /Type /Page objects, "")."""
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)
        return pages, size
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes())), ""


def pdf_text(pdf: Path, page: int | None = None) -> str | None:
    """The PDF's text (one ``page`` only, when given), or None without pdftotext."""
    if not shutil.which("pdftotext"):
        return None
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.fixture(scope="module")
def browser() -> str:
    path = find_browser()
    if path is None:
        pytest.skip(f"no headless browser found on PATH (looked for {', '.join(BROWSERS)}); "
                    "install Debian's chromium to run the print-to-PDF test")
    return path


def crowded_plan() -> Plan:
    """A worst case for the page: two sessions on one day, a long explanation, imperial units."""
    profile = next(p for p in built_in_profiles() if p.units == "imperial")
    profile = profile.model_copy(update={"availability": {"mon": 120, "wed": 60, "sat": 120}})
    days = [
        DayPlan(day="mon", sessions=[Session(kind="sprints", minutes=38, reps=10),
                                     Session(kind="long_run", minutes=60)]),
        DayPlan(day="wed", sessions=[Session(kind="squats_lunges", minutes=55, sets=18,
                                            load="goblet")]),
        DayPlan(day="sat", sessions=[Session(kind="hill_repeats", minutes=45, reps=12),
                                     Session(kind="long_run", minutes=70)]),
    ]
    plan = score(profile, PlanInput(calories_per_day=2200, days=days))
    why = [f"Reason {i}: sprints on Mon and Sat because they are your only long days and hard "
           f"days can't touch; squats on Wed keep 48 h from both." for i in range(1, 9)]
    return plan.model_copy(update={"explanation": why})


def longest_block() -> Plan:
    """A worst case for the second page: a 52-week block of the crowded week, with dates."""
    week = crowded_plan()
    profile = next(p for p in built_in_profiles() if p.units == "imperial")
    profile = profile.model_copy(update={"availability": {"mon": 120, "wed": 60, "sat": 120}})
    working = PlanInput(calories_per_day=week.calories_per_day, days=week.days)
    plan = score(profile, block_input(profile, working, MAX_WEEKS, date(2026, 1, 1)))
    return plan.model_copy(update={"explanation": week.explanation})


def plans_to_print() -> list[tuple[str, Plan]]:
    plans = [(p.name, best_plan(p)) for p in profiles_for_print()]
    return plans + [("crowded week", crowded_plan()), ("52-week block", longest_block())]


@pytest.fixture(scope="module")
def plans() -> list[tuple[str, Plan]]:
    return plans_to_print()


@pytest.mark.parametrize("page_size", sorted(PAGE_SIZES))
def test_every_block_prints_on_two_pages_and_a_week_on_one(browser, plans, page_size, tmp_path):
    assert sum(1 for _, plan in plans if plan.weeks) >= 2
    assert sum(1 for _, plan in plans if not plan.weeks) >= 1
    problems = []
    for index, (name, plan) in enumerate(plans):
        html = tmp_path / f"plan{index}.html"
        pdf = tmp_path / f"plan{index}.pdf"
        html.write_text(render(plan, "html", page_size=page_size), encoding="utf-8")
        print_to_pdf(browser, html, pdf, tmp_path / "chromium-profile")
        pages, size = pdf_pages(pdf)
        want = 2 if plan.weeks else 1
        if pages != want:
            problems.append(f"{name}: {pages} pages, not {want}")
        if size:
            assert f"({PAGE_SIZES[page_size]})" in size, f"{name}: printed on {size}"
        text = pdf_text(pdf)
        if text is not None:  # the page holds the plan, not a blank or an error page
            assert plan.athlete in text and "Sunday" in text and "Goal" in text, name
            if plan.weeks:  # the second page holds the block, to its last week
                second = pdf_text(pdf, page=2) or ""
                assert "THE BLOCK, WEEK BY WEEK" in second.upper(), name
                last = plan.weeks[-1]  # page 1 says "of N" too: the row must be on page 2
                assert re.search(rf"^\s*{last.week}\b", second, re.M), name
                if last.start_date is not None:
                    assert date_span(last.start_date) in second, name
    assert not problems, f"plans that do not print on their pages ({page_size}): {problems}"
