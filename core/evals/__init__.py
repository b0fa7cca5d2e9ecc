"""Golden-set evals of role templates and hired workers (SPEC §20): running, storing and reading them."""
