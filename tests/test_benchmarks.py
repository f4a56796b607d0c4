"""The benchmarks run without the test extras, and share one athlete generator with the tests."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.athletes import oracle_profile, oracle_profile_fields, write_roster

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = sorted((ROOT / "benchmarks").glob("*.py"))
TEST_ONLY = {"pytest", "hypothesis", "markdown_it", "importlinter", "tests"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_benchmark_imports_the_tests_or_the_test_extras():
    for path in BENCHMARKS:
        assert not imported_modules(path) & TEST_ONLY, path.name
        assert '"tests"' not in path.read_text(encoding="utf-8"), path.name  # no sys.path trick


def test_benchmarks_solve_runs_without_the_test_extras():
    """``python benchmarks/solve.py`` imported tests/test_solver_oracle.py, hence pytest."""
    blocker = ("import sys, runpy\n"
               "for name in ('pytest', 'hypothesis', '_pytest'):\n"
               "    sys.modules[name] = None  # as if the test extras were not installed\n"
               "sys.argv = ['benchmarks/solve.py', '--repeat', '1', '--samples', '2',\n"
               "            '--generated', '1', '--oracle', '1']\n"
               "runpy.run_path('benchmarks/solve.py', run_name='__main__')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", blocker], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stderr
    assert "reduced oracle instances: 1" in result.stdout


def test_the_generated_athletes_are_the_ones_the_settings_were_measured_on(tmp_path):
    """Moving the generators changed no athlete: the seed-2024 roster and the oracle instances
    are byte-identical to the ones benchmarks/batch.py and the oracle test generated before."""
    roster = tmp_path / "roster.csv"
    write_roster(roster, 1000, seed=2024)
    assert hashlib.sha256(roster.read_bytes()).hexdigest() == \
        "971fbf7341a8a36892e979cf2f4b290450269bda7ce179b21c6dde6ec41f5879"
    fields = json.dumps([oracle_profile_fields(seed) for seed in range(24)], sort_keys=True)
    assert hashlib.sha256(fields.encode()).hexdigest() == ORACLE_FIELDS_SHA256
    assert oracle_profile(0).name == "oracle-0"


ORACLE_FIELDS_SHA256 = "aefeed148ac13774b668e527209409331571ef0f02accfbffc1b8d2f2967616a"


def test_benchmarks_calibrate_runs_and_prints_its_figures(monkeypatch, capsys, tmp_path):
    """The calibrate benchmark runs against the current API (one sample athlete, one repeat: a
    smoke run, no timing is checked)."""
    from benchmarks import calibrate as bench

    (tmp_path / "dana_reyes.yaml").write_bytes((ROOT / "sample_profiles" / "dana_reyes.yaml")
                                               .read_bytes())
    monkeypatch.setattr(bench, "SAMPLES", tmp_path)
    monkeypatch.setattr(bench, "REPEAT", 1)
    monkeypatch.setattr(bench, "BAND_RUNS", 1)
    bench.main()
    out = capsys.readouterr().out
    assert "calibrate fit" in out and "bands per plan (1 sample athletes" in out
