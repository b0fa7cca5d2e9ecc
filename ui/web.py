"""The web process's ASGI app: the console (streamlit_app.py) and the HTTP API routes on one port (st.App)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.app.api import api_routes
from core.app.context import bootstrap

ROOT = Path(__file__).resolve().parent.parent


def create_app() -> st.App:
    """`python -m core web` serves this (uvicorn factory): settings and database as the CLI resolved them."""
    ctx = bootstrap(run_migrations=False)  # the CLI migrated before starting the server
    return st.App(str(ROOT / "streamlit_app.py"), routes=api_routes(lambda: ctx))
