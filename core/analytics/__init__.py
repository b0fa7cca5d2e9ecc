"""The canvas analytics: a whitelist of named, parameterised, read-only queries (SPEC §5.3)."""

from core.analytics.params import GRAINS, INVOICE_FILTERS, PERIODS, Params, Window, resolve_window
from core.analytics.registry import WHITELIST, AnalyticsFunction, ChartSpec, help_lines
from core.analytics.runner import (
    READER_ROLE,
    AnalyticsError,
    AnalyticsResult,
    AnalyticsTimeout,
    enter_read_only,
    run_analytics,
    validate_params,
)

__all__ = [
    "GRAINS", "INVOICE_FILTERS", "PERIODS", "READER_ROLE", "WHITELIST", "AnalyticsError", "AnalyticsFunction",
    "AnalyticsResult", "AnalyticsTimeout", "ChartSpec", "Params", "Window", "enter_read_only", "help_lines", "resolve_window",
    "run_analytics", "validate_params",
]
