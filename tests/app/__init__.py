"""Tests of core.app (see the package's docstring)."""
