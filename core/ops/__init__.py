"""The Ops machinery: task claims and leases (claims), the worker pool (pool), one task's run (worker), the budget."""
