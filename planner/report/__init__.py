"""Reports: the explanation of a plan and the Markdown/HTML renderers (templates in
``templates/``). May import ``planner.solve``, ``planner.science`` and ``planner.model``."""
