"""Ctrl-C and SIGTERM at any moment of a legplan run: exit 130 / 143, one line, no traceback.

Each moment is reached deterministically, never by timing: the child process sends the signal to
itself from a hook that runs at that moment (while ``planner.cli`` is being imported, while a
command runs, while the interpreter tears down after the run), so these tests do not depend on
how fast the machine is. The batch's own signal tests (workers, double Ctrl-C) are in
test_batch.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner import cli

ROOT = Path(__file__).resolve().parent.parent
DANA = str(ROOT / "sample_profiles" / "dana_reyes.yaml")

# Sends SIGNAL to this process when the module WHEN starts to be imported.
KICK_ON_IMPORT = """
import os, signal, sys
class Kick:
    def find_spec(self, name, path=None, target=None):
        if name == {when!r}:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.{signal})
        return None
sys.meta_path.insert(0, Kick())
"""


def run_child(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def assert_clean(result: subprocess.CompletedProcess[str], code: int, line: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == line


@pytest.mark.parametrize("when", ["click", "pydantic", "planner.model.profile"])
def test_ctrl_c_while_the_cli_is_still_importing_exits_130(when):
    """``from planner.cli import main`` takes a few hundred ms; a Ctrl-C then used to print a
    KeyboardInterrupt traceback and kill python by SIGINT."""
    code = KICK_ON_IMPORT.format(when=when, signal="SIGINT") + \
        "from planner.cli import main; main()"
    assert_clean(run_child(code, "validate", DANA), 130, "legplan: interrupted")


def test_a_library_importing_the_cli_gets_its_ctrl_c_back():
    """Held back while the module loads, the Ctrl-C reaches the importer as KeyboardInterrupt;
    once loaded, the module leaves Ctrl-C and SIGTERM to Python."""
    code = KICK_ON_IMPORT.format(when="pydantic", signal="SIGINT") + """
try:
    import planner.cli
except KeyboardInterrupt:
    print("caught")
import planner.cli, signal
assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
print("default handlers")
"""
    result = run_child(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["caught", "default", "handlers"]


@pytest.mark.parametrize("signame, code, line", [
    ("SIGINT", 130, "legplan: interrupted"),
    ("SIGTERM", 143, "legplan: terminated"),
])
def test_a_signal_while_a_command_runs_exits_128_plus_the_signal(signame, code, line):
    """Click's standalone mode made Ctrl-C "Aborted!" and exit 1; SIGTERM killed the process."""
    child = f"""
import os, signal
from planner import cli
from planner.model.profile import load_profile
def load_and_signal(path):
    os.kill(os.getpid(), signal.{signame})
    return load_profile(path)
cli.load_profile = load_and_signal
cli.main()
"""
    assert_clean(run_child(child, "plan", DANA), code, line)


def test_ctrl_c_while_the_interpreter_tears_down_after_the_run_keeps_its_exit_code():
    """After the run (tearing down OR-Tools and numpy takes 0.1-0.3 s) Python has put back the
    default Ctrl-C action, which killed the process by SIGINT: now the run's exit code stands."""
    child = """
import os, signal
class SignalAtTeardown:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
kick = SignalAtTeardown()  # __main__'s globals are cleared after Python's signal handling ends
from planner.cli import main
main()
"""
    result = run_child(child, "validate", DANA)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"OK {DANA}\n"


def test_ctrl_c_in_process_is_130_and_the_handlers_are_put_back(monkeypatch):
    """``main.main()`` (click's API, as CliRunner calls it) maps Ctrl-C to 130 too, and puts the
    caller's handlers back afterwards."""
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    real = cli.load_profile

    def load_and_interrupt(path):
        os.kill(os.getpid(), signal.SIGINT)
        return real(path)

    monkeypatch.setattr(cli, "load_profile", load_and_interrupt)
    result = CliRunner().invoke(cli.main, ["plan", DANA])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == "legplan: interrupted"
    assert "Aborted!" not in result.output
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


# --- stdout that cannot be written: a full disk, a closed pipe ------------------------------------

OUTPUT_COMMANDS = {
    "help": ["--help"],
    "version": ["--version"],
    "plan": ["plan", DANA],
    "schema": ["schema", "plan"],
    "validate": ["validate", DANA],
    "batch": ["batch", DANA, "--jobs", "1", "--out"],  # the test adds the directory
}
needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def run_with_stdout(args: list[str], stdout, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if args[0] == "batch":
        args = [*args, str(tmp_path / "out")]
    return subprocess.run([sys.executable, "-c", "from planner.cli import main; main()", *args],
                          stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)


@needs_dev_full
@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_stdout_on_a_full_disk_is_one_line_and_exit_1(command, tmp_path):
    with open("/dev/full", "w") as full:
        result = run_with_stdout(OUTPUT_COMMANDS[command], full, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == \
        "legplan: cannot write to standard output: No space left on device"


@pytest.mark.parametrize("command", sorted(OUTPUT_COMMANDS))
def test_stdout_a_closed_pipe_exits_141_quietly(command, tmp_path):
    """As ``legplan … | head -0``: the reader is gone before anything is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = run_with_stdout(OUTPUT_COMMANDS[command], write_end, tmp_path)
    finally:
        os.close(write_end)
    assert result.returncode == 141, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert "BrokenPipe" not in result.stderr
    if command == "batch":  # only its closing line was lost: every plan was written
        assert (tmp_path / "out" / "summary.csv").is_file()


@needs_dev_full
def test_stderr_that_cannot_be_written_keeps_the_exit_code(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()",
                                 "validate", str(bad)], stdout=subprocess.PIPE, stderr=full,
                                text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                timeout=120)
    assert result.returncode == 2


@needs_dev_full
def test_batch_progress_on_a_full_disk_does_not_stop_the_run(tmp_path):
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-c", "from planner.cli import main; main()",
                                 "batch", DANA, "--jobs", "1", "--out", str(tmp_path / "out")],
                                stdout=subprocess.PIPE, stderr=full, text=True, cwd=ROOT,
                                env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert result.returncode == 0
    assert result.stdout.startswith("1 of 1 athletes planned")


def test_only_the_first_signal_raises_so_nothing_interrupts_the_clean_up():
    signals = cli._Signals()
    assert signals.install()
    try:
        with pytest.raises(cli.Terminated):
            signal.raise_signal(signal.SIGTERM)
        signal.raise_signal(signal.SIGINT)  # a second one (a double Ctrl-C) only counts
        assert (signals.first, signals.count, signals.exit_code()) == (signal.SIGTERM, 2, 143)
    finally:
        signals.restore()


def test_cp_sat_leaves_ctrl_c_to_the_program():
    """CP-SAT catches SIGINT during a solve unless told not to: an inline batch (--jobs 1) then
    went on with a cut-short solve instead of stopping."""
    pytest.importorskip("ortools")
    from planner.solve.instance import SolverParams
    from planner.solve.solver import _solver

    for goal in ("bulkier", "leaner", "maintain", "closest"):
        assert _solver(SolverParams(), goal).parameters.catch_sigint_signal is False
