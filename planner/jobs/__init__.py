"""Jobs: planning one athlete, what-ifs, goal-seeking and batch rosters. May import every layer
below (report, solve, science, model); only the CLI imports them."""
