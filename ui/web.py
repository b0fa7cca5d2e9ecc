"""The web process's ASGI apps: the console (streamlit_app.py) with the HTTP API routes on one port, or alone.

Both carry core.app.api.TokenGuard, so Streamlit's own /_stcore/metrics answers only with the API bearer token.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from core.app.api import TokenGuard, api_routes
from core.app.context import bootstrap
from core.config.context import AppContext

ROOT = Path(__file__).resolve().parent.parent


def create_app() -> st.App:
    """`python -m core web` serves this (uvicorn factory): settings and database as the CLI resolved them."""
    return _app(with_api=True)


def create_console_app() -> st.App:
    """`python -m core console` serves this: the console without the API routes."""
    return _app(with_api=False)


def _app(*, with_api: bool) -> st.App:
    ctx = bootstrap(run_migrations=False)  # the CLI migrated before starting the server

    def provider() -> AppContext:
        return ctx

    return st.App(str(ROOT / "streamlit_app.py"), routes=api_routes(provider) if with_api else [],
                  middleware=[Middleware(TokenGuard, provider=provider)])
