"""The built-in agents (SPEC §3) and what runs them: plain functions taking a session and settings and
returning an AgentResult (runs), the registry of their names and schedules, per-agent locks, and the runner."""

from core.agents.registry import AGENT_NAMES
from core.agents.runner import RUNNERS, run_named_agent

__all__ = ["AGENT_NAMES", "RUNNERS", "run_named_agent"]
