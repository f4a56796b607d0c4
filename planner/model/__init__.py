"""Contracts, the bottom layer: the profile, the plan and its JSON, the session catalogue, what-if
and seek results, units, errors and atomic files. Imports nothing else from ``planner``."""
