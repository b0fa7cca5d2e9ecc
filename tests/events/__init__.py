"""Tests of core.events (see the package's docstring)."""
