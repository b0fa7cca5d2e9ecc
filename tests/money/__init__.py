"""Tests of core.money (see the package's docstring)."""
