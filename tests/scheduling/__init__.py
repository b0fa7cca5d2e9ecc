"""Tests of core.scheduling (see the package's docstring)."""
