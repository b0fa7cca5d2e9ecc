"""Typed SQLAlchemy models for every table of SPEC §2, one module per concept; invariants live there as constraints.

Importing this package registers every table on `Base.metadata` (Alembic's autogenerate compares against it);
a new concept's module is added to the imports below.
"""

from db.base import Base
from db.models.agents import Agent, AgentRun, SchedulerSlot
from db.models.app import CanvasTaskCreatedDaily, CanvasTaskDoneDaily, CanvasTaskDurationDaily, Setting, SigninAttempt
from db.models.approvals import ActionProposal, Execution
from db.models.audit import AuditAnchor, AuditLog
from db.models.business import Customer, Invoice, Lead, Task
from db.models.events import Event, GraphStep
from db.models.integrations import Integration, OAuthState
from db.models.memory import CustomerLesson
from db.models.money import LedgerEntry
from db.models.operators import Approval, Operator, UsedLinkNonce
from db.models.plans import Plan, PlanChange
from db.models.workforce import EvalResult, EvalRun, TaskStep, WorkerVersion

__all__ = [
    "ActionProposal", "Agent", "AgentRun", "Approval", "AuditAnchor", "AuditLog", "Base", "CanvasTaskCreatedDaily",
    "CanvasTaskDoneDaily", "CanvasTaskDurationDaily", "Customer", "CustomerLesson", "Event", "Execution", "GraphStep", "Integration",
    "Invoice", "Lead", "LedgerEntry", "OAuthState", "Operator", "Plan", "PlanChange", "SchedulerSlot", "Setting",
    "SigninAttempt", "Task", "TaskStep", "UsedLinkNonce", "EvalResult", "EvalRun", "WorkerVersion",
]
