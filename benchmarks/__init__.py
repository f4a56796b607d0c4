"""Benchmarks, and the generators they share with the tests (``athletes``, ``oracle``).

Run a benchmark as a script (``python benchmarks/solve.py``); it imports this checkout's
``planner``. The tests import ``benchmarks.athletes`` and ``benchmarks.oracle`` (pytest puts the
repository root on ``sys.path``); nothing here imports from ``tests/`` or needs the test extras.
"""
