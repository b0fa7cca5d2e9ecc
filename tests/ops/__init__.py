"""Tests of core.ops (see the package's docstring)."""
