"""onboarding agent (SPEC §3). PLACEHOLDER: being built; replaced before this lands."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.runs import AgentResult
from core.settings import Settings


def run_onboarding_agent(session: Session, settings: Settings, *, trigger: str = "manual") -> AgentResult:
    raise NotImplementedError
