"""Tests of core.approvals (see the package's docstring)."""
