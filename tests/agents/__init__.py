"""Tests of core.agents (see the package's docstring)."""
