"""Tests of core.analytics (see the package's docstring)."""
