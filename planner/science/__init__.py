"""The science: the effect model, goals, guardrails and plan-shape rules, and scoring a plan.
May import ``planner.model`` only."""
