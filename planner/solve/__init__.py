"""The solver: the prepared instance, the objective terms and their surrogate, the CP-SAT model
and its search. May import ``planner.science`` and ``planner.model``."""
