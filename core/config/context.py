"""The app context: what every process hands its agents, jobs and routes (made by core.app.context.bootstrap)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.config.settings import Settings


@dataclass(frozen=True)
class AppContext:
    """What every process needs: validated settings and a migrated database."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
