"""The layers are checked: import-linter's layers contract in pyproject.toml (cli > jobs > report >
solve > science > model) holds for this checkout, and it does fail on an import that points up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lint(root: Path) -> subprocess.CompletedProcess:
    """lint-imports in ``root`` (a fresh process, so it imports that tree's ``planner``)."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True, no_logo=True))")
    return subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(root), "PATH": ""})


def test_every_import_points_down_the_layers():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_pointing_up_breaks_the_contract(tmp_path):
    shutil.copytree(ROOT / "planner", tmp_path / "planner",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "planner" / "model" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom planner.solve import solver  # noqa\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "planner.model.errors -> planner.solve.solver" in result.stdout
