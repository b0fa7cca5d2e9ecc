"""The web process's ASGI apps: the console (streamlit_app.py) with the HTTP API routes on one port, or alone.

Both carry core.app.api.TokenGuard, so Streamlit's own /_stcore/metrics answers only with the API bearer token,
ui.shell.ShellBase, so a page opened by its URL connects at the first try, and ui.assets.MemoryBundles in front,
so Streamlit's hashed bundles are sent from memory.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import config, file_util

from core.app.api import TokenGuard, api_routes
from core.app.context import bootstrap
from core.config.context import AppContext
from ui.assets import MemoryBundles
from ui.shell import ShellBase
from ui.warm import warm_and_freeze

ROOT = Path(__file__).resolve().parent.parent


def create_app() -> MemoryBundles:
    """`python -m core web` serves this (uvicorn factory): settings and database as the CLI resolved them."""
    return _app(with_api=True)


def create_console_app() -> MemoryBundles:
    """`python -m core console` serves this: the console without the API routes."""
    return _app(with_api=False)


def _app(*, with_api: bool) -> MemoryBundles:
    ctx = bootstrap(run_migrations=False)  # the CLI migrated before starting the server
    # Streamlit gives uvicorn's access logger a handler of its own (again whenever it reads its config), after
    # uvicorn removed its own for access_log=False: without this each of a page load's ~270 bundle requests is
    # logged (~55 ms of the event loop per load, and noise in the log). Errors still log through uvicorn.error.
    logging.getLogger("uvicorn.access").disabled = True

    def provider() -> AppContext:
        return ctx

    app = st.App(str(ROOT / "streamlit_app.py"), routes=api_routes(provider) if with_api else [],
                 middleware=[Middleware(TokenGuard, provider=provider)])
    warm_and_freeze(ROOT)  # the pages' modules load now, not on a visitor's first load, and leave the full GCs
    static = Path(file_util.get_static_dir())
    shell = ShellBase(app, (static / "index.html").read_bytes(), config.get_option("server.baseUrlPath") or "")
    return MemoryBundles(shell, static)
