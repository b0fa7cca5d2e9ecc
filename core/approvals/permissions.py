"""Who may do what (SPEC §19): the one permission table, role × action, that every surface checks.

A page hides or disables what the signed-in operator may not do and says why (`refusal`); the server refuses it
regardless of the page (`require`), on every surface: console buttons, the CLI, the API, Slack clicks and email
links. A viewer sees and never acts. The shared `HOSS_API_TOKEN` is the integration identity: it reads and
proposes (adds tasks, drafts), and never decides or counts as a person.
"""

from __future__ import annotations

from typing import Literal, get_args

from core.errors import Forbidden

Role = Literal["owner", "approver", "viewer", "integration"]
Action = Literal[
    "run_agent",  # Run buttons, `run-agent`, POST /api/agents/…/run, retries of failed work
    "run_eval",  # run a role's golden set (`eval`, the Workforce page): real LLM spend, no customer work
    "add_task",  # give a worker or the Ops prompt a task (console form, `task add`, POST /api/tasks)
    "decide_proposal",  # approve, reject, revise a proposal (Inbox, `decide`, the API, Slack, email links)
    "review_task",  # approve, request changes, discard a task in review
    "manage_workforce",  # hire, edit, pause, resume, fire a worker
    "manage_memory",  # add, edit, forget what we have learned about a customer (a review note remembered too)
    "change_policy",  # approval policies
    "change_plan",  # plans, entitlements, customer budgets and delivery settings
    "change_settings",  # operator-editable settings (budgets, cash balance, ROI rate)
    "manage_operators",  # add, deactivate operators, set passwords, issue tokens
    "connect_google",  # connect or disconnect Google Workspace
]
ROLES: tuple[Role, ...] = get_args(Role)
ACTIONS: tuple[Action, ...] = get_args(Action)

# The table. Anything not listed is refused.
ALLOWED: dict[Role, frozenset[Action]] = {
    "owner": frozenset(ACTIONS),
    "approver": frozenset({"run_agent", "run_eval", "add_task", "decide_proposal", "review_task",
                           "manage_memory"}),
    "viewer": frozenset(),
    "integration": frozenset({"add_task"}),
}

_WORDS: dict[Action, str] = {
    "run_agent": "run agents", "run_eval": "run evals", "add_task": "give tasks", "decide_proposal": "decide proposals",
    "review_task": "review tasks", "manage_workforce": "hire, pause or fire workers",
    "manage_memory": "change what we have learned about a customer",
    "change_policy": "change approval policies", "change_plan": "change plans and customer settings",
    "change_settings": "change settings", "manage_operators": "manage operators",
    "connect_google": "connect Google",
}


def allowed(role: str, action: Action) -> bool:
    """Whether `role` may take `action` (an unknown role may take none)."""
    return action in ALLOWED.get(role, frozenset())  # type: ignore[call-overload]


def refusal(role: str, action: Action) -> str | None:
    """None when `role` may take `action`; else the sentence a page shows beside the disabled control."""
    if allowed(role, action):
        return None
    who = {"viewer": "A viewer", "integration": "The integration token"}.get(role, f"The {role} role")
    return f"{who} cannot {_WORDS[action]}; an owner can change your role."


def require(role: str, action: Action) -> None:
    """Refuse (Forbidden, one line) unless `role` may take `action`: the server-side check of every surface."""
    reason = refusal(role, action)
    if reason is not None:
        raise Forbidden(reason)
