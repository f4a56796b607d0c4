"""Benchmark ``legplan batch``: plans per second and peak memory on a generated roster.

    python benchmarks/batch.py              # 1,000 athletes, HTML, default --jobs (all cores)
    python benchmarks/batch.py --n 3000 --jobs 2 --format html,json

Generates a deterministic random CSV roster of realistic athletes (``benchmarks/athletes.py``)
in a temporary directory, runs the batch as ``legplan batch`` does (real solver and renderer),
and prints wall time, plans/s and memory. Memory is the resident set of the parent plus its worker processes, sampled every 0.1 s
with psutil when it is installed (it is not a legplan dependency), and read at 25 %, 50 % and 100 %
of the roster so you can see it stays flat as the roster grows. Without psutil only the peaks from
``resource.getrusage`` are printed (parent, and the largest worker).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # measure this checkout, not an installed copy

from benchmarks.athletes import write_roster  # noqa: E402
from planner.jobs.batch import default_jobs, parse_formats, run_batch  # noqa: E402


def maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


class Meter:
    """Progress stream that counts athletes and samples the memory of this process tree."""

    def __init__(self, total: int):
        self.total = total
        self.count = 0
        self.checkpoints = {max(1, total // 4), max(1, total // 2), total}
        self.at: dict[int, float] = {}
        self.peak_mb = 0.0
        self.start = time.perf_counter()
        try:
            import psutil
        except ImportError:
            self.process = None
        else:
            self.process = psutil.Process()
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()

    def tree_mb(self) -> float:
        if self.process is None:
            return maxrss_mb(resource.RUSAGE_SELF)
        total = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except Exception:  # a worker that just exited
                pass
        return total / 2**20

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, self.tree_mb())

    def stop(self) -> None:
        if self.process is not None:
            self._stop.set()
            self._thread.join()

    def write(self, text: str) -> int:
        for _ in range(text.count("\n")):
            self.count += 1
            if self.count in self.checkpoints:
                self.at[self.count] = self.tree_mb()
                elapsed = time.perf_counter() - self.start
                print(f"  {self.count:>6} athletes  {elapsed:7.1f} s  memory {self.at[self.count]:7.1f} MB",
                      flush=True)
        return len(text)

    def flush(self) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="athletes in the roster [1000]")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes [all cores]")
    parser.add_argument("--format", default="html", help="formats per athlete [html]")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    jobs = args.jobs or default_jobs()
    with tempfile.TemporaryDirectory(prefix="legplan-bench-") as tmp:
        roster = Path(tmp) / "roster.csv"
        write_roster(roster, args.n, args.seed)
        print(f"legplan batch: {args.n} generated athletes, --format {args.format}, --jobs {jobs}")
        meter = Meter(args.n)
        start = time.perf_counter()
        report = run_batch([roster], Path(tmp) / "out", parse_formats(args.format), jobs=jobs,
                           progress_stream=meter)
        wall = time.perf_counter() - start
        meter.stop()
    print(f"wall time        {wall:8.1f} s")
    print(f"plans/s          {report.planned / wall:8.2f}  ({report.planned} planned, "
          f"{report.failed} failed)")
    if meter.process is not None:
        print(f"peak memory      {meter.peak_mb:8.1f} MB  (parent + workers, sampled)")
    print(f"peak RSS parent  {maxrss_mb(resource.RUSAGE_SELF):8.1f} MB; "
          f"largest worker {maxrss_mb(resource.RUSAGE_CHILDREN):8.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
