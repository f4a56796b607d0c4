"""Rendering: the Markdown and HTML plans show the week, targets, prediction and goal status
exactly as the Plan JSON holds them, in the profile's units, escaped, deterministic, offline."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from render_plans import built_in_profiles, scored_plan

from planner.model.plan import DayPlan, Plan, PlanInput, Session
from planner.model.profile import CM_PER_IN, DAYS, KG_PER_LB, Profile
from planner.report.render import likelihood, render, sample_weeks, signed
from planner.science.scoring import score

DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# ---------------------------------------------------------------------------------------------
# A small DOM from the standard library's html.parser
# ---------------------------------------------------------------------------------------------
VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list["Node | str"] = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join(" ".join(parts).split())

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list["Node"]:
        return [n for n in self.walk()
                if (tag is None or n.tag == tag)
                and (cls is None or cls in n.attrs.get("class", "").split())
                and all(n.attrs.get(k) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> "Node":
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}> in the document"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        raise AssertionError(f"</{tag}> closes nothing")

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_html(text: str) -> TreeBuilder:
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    assert len(builder.stack) == 1, f"unclosed elements: {[n.tag for n in builder.stack[1:]]}"
    return builder


# ---------------------------------------------------------------------------------------------
# Markdown via markdown-it-py
# ---------------------------------------------------------------------------------------------
def md_tables(text: str) -> dict[str, list[list[str]]]:
    """Each GFM table keyed by the heading above it: rows of cell texts (header row first)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: dict[str, list[list[str]]] = {}
    heading, rows, row, in_heading = "", None, None, False
    for tok in tokens:
        if tok.type == "heading_open":
            in_heading = True
        elif tok.type == "inline" and in_heading:
            heading, in_heading = tok.content, False
        elif tok.type == "table_open":
            rows = []
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline" and row is not None:
            row.append("".join(c.content for c in tok.children or []))
        elif tok.type == "tr_close":
            rows.append(row)
            row = None
        elif tok.type == "table_close":
            tables[heading] = rows
    return tables


def md_html(text: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(text)


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def profiles() -> dict[str, Profile]:
    return {p.goal: p for p in built_in_profiles()}


@pytest.fixture(scope="module")
def bulkier(profiles) -> Plan:
    return scored_plan(profiles["bulkier"])


@pytest.fixture(scope="module")
def imperial(profiles) -> Plan:
    plan = scored_plan(profiles["leaner"])
    assert plan.units == "imperial"
    return plan


@pytest.fixture(scope="module")
def double_day(profiles) -> Plan:
    """Monday holds two sessions; a long explanation; one guardrail broken."""
    profile = profiles["bulkier"].model_copy(update={"availability": {"mon": 120, "sat": 90}})
    days = [DayPlan(day="mon", sessions=[Session(kind="sprints", minutes=35, reps=8),
                                         Session(kind="long_run", minutes=50)]),
            DayPlan(day="sat", sessions=[Session(kind="squats_lunges", minutes=40, sets=10,
                                                 load="barbell")])]
    return score(profile, PlanInput(calories_per_day=2300, days=days))


def plan_json(plan: Plan) -> dict:
    return json.loads(render(plan, "json"))


def change(value: float, decimals: int, unit: str) -> str:
    """``+1.1 cm``; a change that rounds to zero has no sign."""
    text = f"{value:+.{decimals}f}"
    return f"{text.lstrip('+-') if float(text) == 0 else text} {unit}"


def cm(value: float, imperial: bool) -> str:
    return change(value / CM_PER_IN, 2, "in") if imperial else change(value, 1, "cm")


def kg(value: float, imperial: bool, decimals: int) -> str:
    return change(value / KG_PER_LB, decimals, "lb") if imperial else change(value, decimals, "kg")


def expected_changes(data: dict) -> dict[str, str]:
    """The prediction's changes formatted from the JSON, independently of the renderer."""
    p, imp = data["projection"], data["units"] == "imperial"
    return {
        "Thigh circumference": cm(p["thigh_circumference_cm_change"], imp),
        "Leg muscle": kg(p["leg_muscle_kg_change"], imp, 2),
        "Leg fat": kg(p["leg_fat_kg_change"], imp, 2),
        "Body weight": kg(p["body_weight_kg_change"], imp, 1),
    }


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
def test_html_is_a_standalone_document_with_viewport_lang_and_title(bulkier):
    doc = parse_html(render(bulkier, "html"))
    assert doc.doctype.lower() == "doctype html"
    assert doc.root.find("html").attrs["lang"] == "en"
    assert "width=device-width" in doc.root.find("meta", name="viewport").attrs["content"]
    assert bulkier.athlete in doc.root.find("title").text()
    style = doc.root.find("style").text()
    assert "@media print" in style and "@page { size: A4; margin: 12mm; }" in style


def test_html_week_lists_seven_days_in_order_with_each_session_dose_and_rest(bulkier):
    data = plan_json(bulkier)
    doc = parse_html(render(bulkier, "html"))
    rows = doc.root.find("table", cls="week-table").find("tbody").find_all("tr")
    days_in_order = list(dict.fromkeys(r.attrs["data-day"] for r in rows))
    assert days_in_order == list(DAYS)
    for day, name in zip(data["days"], DAY_NAMES):
        day_rows = [r for r in rows if r.attrs["data-day"] == day["day"]]
        assert day_rows[0].find("th").text() == name
        if not day["sessions"]:
            assert [r.find("td", cls="kind").text() for r in day_rows] == ["Rest"]
            continue
        assert len(day_rows) == len(day["sessions"])
        for row, session in zip(day_rows, day["sessions"]):
            assert row.find("td", cls="dose").text() == session["description"]
            assert row.find("td", cls="num").text() == f"{session['minutes']} min"


@pytest.mark.parametrize("runs, names", [
    ((50, 120, 40), ["Easy run", "Long run", "Easy run"]),  # the week's longest run of 60+
    ((50, 50), ["Easy run", "Easy run"]),  # no run of 60 min: no long run
    ((90, 90, 30), ["Long run", "Long run", "Easy run"]),  # two of the longest length
])
def test_runs_are_named_long_or_easy_by_the_weeks_longest(runs, names):
    from planner.report.render import week_rows
    days = [DayPlan(day=day, sessions=[Session(kind="long_run", minutes=m)])
            for day, m in zip(("mon", "wed", "sat"), runs)]
    labels = [r["sessions"][0]["label"] for r in week_rows(days) if r["sessions"]]
    assert labels == names


def test_html_day_with_two_sessions_spans_two_rows(double_day):
    doc = parse_html(render(double_day, "html"))
    monday = doc.root.find_all("tr", **{"data-day": "mon"})
    assert len(monday) == 2
    assert monday[0].find("th").attrs["rowspan"] == "2"
    assert [r.find("td", cls="kind").text() for r in monday] == ["Sprints", "Easy run"]  # 50 min


def test_html_targets_match_json(bulkier):
    data = plan_json(bulkier)
    doc = parse_html(render(bulkier, "html"))
    assert doc.root.find(id="calories").text() == f"{data['calories_per_day']:,} kcal"
    assert doc.root.find(id="protein").text() == f"{data['protein_g_per_day']} g"


@pytest.mark.parametrize("which", ["bulkier", "imperial"])
def test_html_prediction_changes_match_json(which, request):
    plan = request.getfixturevalue(which)
    data = plan_json(plan)
    doc = parse_html(render(plan, "html"))
    rows = doc.root.find("table", cls="pred-table").find("tbody").find_all("tr")
    shown = {r.find("th").text(): r.find("td", cls="change").text() for r in rows}
    assert shown == expected_changes(data)


def test_imperial_plan_shows_inches_and_pounds_only(imperial):
    data = plan_json(imperial)
    doc = parse_html(render(imperial, "html"))
    table = doc.root.find("table", cls="pred-table").text()
    assert " in" in table and " lb" in table
    assert " cm" not in table and " kg" not in table
    start_thigh = data["projection"]["weekly"][0]["thigh_circumference_cm"] / CM_PER_IN
    assert f"{start_thigh:.1f} in" in table
    assert "(in)" in doc.root.find(id="chart").find("h2").text()


def test_html_goal_status_says_reached_or_shortfall_and_earliest_week(bulkier):
    data = plan_json(bulkier)
    doc = parse_html(render(bulkier, "html"))
    status = doc.root.find(id="goal-status").text()
    if data["goal_reached"]:
        assert status.startswith("✓ Goal reached")
    else:
        assert "Goal not reached" in status
        assert f"{data['goal_status']['shortfall_cm']:.1f} cm short" in status
        assert f"week {data['goal_status']['earliest_week']}" in status


def test_goal_not_reached_ever_says_no_week_reaches_it(bulkier):
    never = bulkier.model_copy(update={
        "goal_reached": False,
        "goal_status": bulkier.goal_status.model_copy(
            update={"shortfall_cm": 0.64, "earliest_week": None,
                    "unmet": ["thigh change +0.36 cm is not ≥ +1.00 cm"]})})
    html = parse_html(render(never, "html")).root.find(id="goal-status").text()
    assert "Goal not reached in 12 weeks: thigh" in html
    assert "0.6 cm short" in html
    assert "does not reach the goal by week 52" in html
    md = render(never, "md")
    assert "0.6 cm short" in md and "does not reach the goal by week 52" in md


def test_goal_reached_is_said_plainly(bulkier):
    reached = bulkier.model_copy(update={
        "goal_reached": True,
        "goal_status": bulkier.goal_status.model_copy(
            update={"shortfall_cm": 0.0, "earliest_week": 9, "unmet": []})})
    thigh = cm(bulkier.projection.thigh_circumference_cm_change, False)
    status = parse_html(render(reached, "html")).root.find(id="goal-status").text()
    chance = likelihood(reached.goal_status.probability)
    assert status == (f"✓ Goal reached: thigh {thigh} by week 12; chance it is reached: {chance} "
                      "The goal is first met in week 9.")
    assert f"Goal reached: thigh {thigh} by week 12" in render(reached, "md")


def test_maintain_goal_status_names_the_band(profiles):
    plan = scored_plan(profiles["maintain"])
    missed = plan.model_copy(update={
        "goal_reached": False,
        "goal_status": plan.goal_status.model_copy(update={"shortfall_cm": 0.3, "unmet": []})})
    status = parse_html(render(missed, "html")).root.find(id="goal-status").text()
    assert "0.3 cm outside the ±0.5 cm band" in status


def test_html_explanation_guardrails_and_safety_are_shown_as_given(double_day):
    doc = parse_html(render(double_day, "html"))
    why = [li.text() for li in doc.root.find(id="why").find_all("li")]
    assert why == double_day.explanation
    items = doc.root.find(id="guardrails").find_all("li")
    assert len(items) == len(double_day.guardrails)
    for item, rule in zip(items, double_day.guardrails):
        assert item.find(cls="guard-detail").text() == rule.detail
        assert item.find(cls="mark").text() == ("✓" if rule.ok else "✗")
    assert "not medical advice" in doc.root.find(id="safety").text()


def test_html_chart_has_one_point_per_week_inside_the_plot(bulkier):
    doc = parse_html(render(bulkier, "html"))
    svg = doc.root.find("svg")
    width, height = (float(v) for v in svg.attrs["viewbox"].split()[2:])  # names lowercased
    points = [tuple(map(float, p.split(","))) for p in svg.find("polyline").attrs["points"].split()]
    assert len(points) == bulkier.horizon_weeks + 1
    xs = [x for x, _ in points]
    assert xs == sorted(xs)
    assert all(0 < x < width and 0 < y < height for x, y in points)
    thigh = [w.thigh_circumference_cm for w in bulkier.projection.weekly]
    ys = [y for _, y in points]  # SVG y grows downwards: a rising thigh is a falling y
    assert (ys[-1] < ys[0]) == (thigh[-1] > thigh[0])


def test_html_needs_no_network_and_no_javascript(double_day):
    html = render(double_day, "html")
    assert "http://" not in html and "https://" not in html
    doc = parse_html(html)
    assert not doc.root.find_all("script") and not doc.root.find_all("link")
    assert not [n for n in doc.root.walk() if "src" in n.attrs or "href" in n.attrs]
    assert not [n for n in doc.root.walk() if any(a.startswith("on") for a in n.attrs)]


# ---------------------------------------------------------------------------------------------
# Escaping
# ---------------------------------------------------------------------------------------------
SCRIPT_NAME = "<script>alert(1)</script>"


def test_html_escapes_the_athlete_name(bulkier):
    plan = bulkier.model_copy(update={"athlete": SCRIPT_NAME})
    html = render(plan, "html")
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = parse_html(html)
    assert doc.root.find(id="athlete").text() == SCRIPT_NAME
    assert doc.root.find("title").text() == f"Weekly leg plan: {SCRIPT_NAME}"
    assert not doc.root.find_all("script")


def test_markdown_escapes_the_athlete_name(bulkier):
    plan = bulkier.model_copy(update={"athlete": SCRIPT_NAME})
    html = md_html(render(plan, "md"))
    assert "<script" not in html
    assert "Weekly leg plan: &lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_escapes_pipes_and_markup_in_text(bulkier):
    rule = bulkier.guardrails[0].model_copy(update={"detail": "x | y"})
    plan = bulkier.model_copy(update={"athlete": "*Dana* [x](y)",
                                      "guardrails": [rule, *bulkier.guardrails[1:]]})
    text = render(plan, "md")
    rows = md_tables(text)["Guardrails checked"]
    assert rows[1] == ["✓" if rule.ok else "✗", rule.name[:1].upper() + rule.name[1:], "x | y"]
    html = md_html(text)
    assert "<em>" not in html and "<a " not in html and "*Dana* [x](y)" in html


# ---------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------
def test_markdown_week_is_a_table_of_seven_day_rows_matching_json(double_day):
    data = plan_json(double_day)
    tables = md_tables(render(double_day, "md"))
    header, *rows = tables["The week"]
    assert header == ["Day", "Session", "Dose", "Time"]
    assert [r[0] for r in rows] == DAY_NAMES
    for row, day in zip(rows, data["days"]):
        if not day["sessions"]:
            assert row[1] == "Rest"
        for session in day["sessions"]:
            assert session["description"] in row[2]
        assert row[3] == (f"{sum(s['minutes'] for s in day['sessions'])} min"
                          if day["sessions"] else "")
    assert rows[0][1] == "Sprints + Easy run"


@pytest.mark.parametrize("which", ["bulkier", "imperial"])
def test_markdown_targets_and_prediction_match_json(which, request):
    plan = request.getfixturevalue(which)
    data = plan_json(plan)
    tables = md_tables(render(plan, "md"))
    targets = dict(tables["Daily targets"][1:])
    assert targets == {"Calories": f"{data['calories_per_day']:,} kcal",
                       "Protein": f"{data['protein_g_per_day']} g"}
    changes = {row[0]: row[3] for row in tables[f"Predicted by week {data['horizon_weeks']}"][1:]}
    assert changes == expected_changes(data)


def test_markdown_text_chart_thins_long_horizons_but_keeps_first_and_last_week(profiles):
    plan = scored_plan(profiles["leaner"].model_copy(update={"horizon_weeks": 52}))
    rows = md_tables(render(plan, "md"))["Thigh circumference, week by week"][1:]
    weeks = [int(r[0]) for r in rows]
    assert weeks[0] == 0 and weeks[-1] == 52 and len(weeks) <= 14
    assert weeks == sample_weeks(52)
    assert len(rows[-1][6]) == 20  # the biggest change gets the full bar


def test_markdown_goal_status_and_explanation(bulkier):
    text = render(bulkier, "md")
    word = "Goal reached" if bulkier.goal_reached else "Goal not reached"
    assert f"**{word}" in text
    for line in bulkier.explanation:
        assert md_html(line).strip()[3:-4] in md_html(text)


# ---------------------------------------------------------------------------------------------
# Contract of render()
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_rendering_is_byte_identical_for_the_same_plan(double_day, fmt):
    again = Plan.model_validate_json(double_day.to_json())
    assert render(double_day, fmt) == render(again, fmt)
    assert render(double_day, fmt) == render(double_day, fmt)


def test_rendering_does_not_print_solver_wall_time(bulkier):
    from planner.model.plan import SolverInfo
    a = bulkier.model_copy(update={"solver": SolverInfo(status="OPTIMAL", wall_ms=12.5)})
    b = bulkier.model_copy(update={"solver": SolverInfo(status="OPTIMAL", wall_ms=987.0)})
    for fmt in ("md", "html"):
        assert render(a, fmt) == render(b, fmt)
        assert "OPTIMAL" in render(a, fmt)


def test_json_format_is_the_canonical_plan_json(bulkier):
    assert render(bulkier, "json") == bulkier.to_json()


def test_unknown_format_and_page_size_are_refused(bulkier):
    with pytest.raises(ValueError, match="unknown format"):
        render(bulkier, "pdf")
    with pytest.raises(ValueError, match="unknown page size"):
        render(bulkier, "html", page_size="A5")


def test_letter_page_size_switches_the_page_rule(bulkier):
    assert "@page { size: Letter; margin: 12mm; }" in render(bulkier, "html", page_size="Letter")


def test_templates_do_no_arithmetic():
    for path in TEMPLATES.glob("*.j2"):
        for expression in re.findall(r"\{[{%](.*?)[%}]\}", path.read_text(encoding="utf-8")):
            unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "''", expression)
            assert not re.search(r"[\w)\]]\s*[-+*/%]\s*[\w(]", unquoted), (path.name, expression)


@pytest.mark.parametrize("value, expected", [(1.06, "+1.1 cm"), (-0.04, "0.0 cm"),
                                             (-0.36, "-0.4 cm"), (0.0, "0.0 cm")])
def test_signed_changes_never_print_minus_zero(value, expected):
    assert signed(value, 1, "cm") == expected


def test_a_crowded_page_switches_to_the_compact_print_style(bulkier, double_day):
    short = bulkier.model_copy(update={
        "explanation": bulkier.explanation[:3],
        "guardrails": [g.model_copy(update={"ok": True}) for g in bulkier.guardrails]})
    assert 'class="print-normal"' in render(short, "html")
    crowded = double_day.model_copy(update={"explanation": ["A long reason. " * 10] * 8})
    assert 'class="print-compact"' in render(crowded, "html")
