"""Versioned worker instructions (SPEC §20): tone, model and step prompts overriding the template's, one row per
version in worker_versions, never changed; the worker runs the version its settings name.

`agents.settings` carries the live copy the claim reads (tone, model, step_prompts, version); only `_apply`
writes it, always from a version row, so the two cannot disagree. Every change is permission-checked and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.errors import InvalidInput, NotFound
from core.workforce.roles import role_template
from db.models import Agent, WorkerVersion

MAX_STEP_PROMPT_CHARS = 2000


@dataclass(frozen=True)
class Instructions:
    """One version of a worker's instructions; `step_prompts` are (step name, instruction) overriding the template."""

    worker: str
    version: int
    tone: str
    model: str
    step_prompts: tuple[tuple[str, str], ...]
    note: str
    created_by: str
    created_at: datetime | None

    def describe(self) -> str:
        """One line: version, tone, model and which steps it rewrites."""
        steps = f"; rewrites {', '.join(n for n, _ in self.step_prompts)}" if self.step_prompts else ""
        return f"version {self.version}: tone {self.tone!r}, model {self.model}{steps}"


def _instructions(row: WorkerVersion) -> Instructions:
    return Instructions(row.agent, row.version, row.tone, row.model, tuple(sorted((row.step_prompts or {}).items())),
                        row.note, row.created_by, row.created_at)


def check_text(label: str, value: str, limit: int, *, lines: bool = False) -> str:
    """`value` stripped, 1-`limit` characters with no control character (newlines and tabs too when `lines`), else
    InvalidInput naming `label`."""
    value = value.strip()
    allowed = "\n\t" if lines else ""
    if not value or len(value) > limit or any(ord(c) < 32 and c not in allowed for c in value):
        raise InvalidInput(f"{label} must be 1-{limit} printable characters")
    return value


def lock_worker(session: Session, name: str) -> Agent:
    """The hired worker `name`'s row, locked for update; NotFound when there is none."""
    row = session.execute(select(Agent).where(Agent.name == name, Agent.kind == "worker")
                          .with_for_update()).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no worker named {name!r}")
    return row


def _apply(session: Session, row: Agent, v: WorkerVersion) -> None:
    """Point the worker at `v`: its live settings become the version's instructions."""
    settings: dict[str, Any] = {**(row.settings or {}), "tone": v.tone, "model": v.model,
                                "step_prompts": dict(v.step_prompts or {}), "version": v.version}
    session.execute(update(Agent).where(Agent.id == row.id).values(settings=settings))
    session.expire(row)  # later reads in this transaction see the new settings


def first_version(session: Session, name: str, tone: str, model: str, actor: Actor) -> None:
    """A newly hired worker's version 1 (its hire's tone and model), applied; no commit (the hire's transaction)."""
    row = lock_worker(session, name)
    v = WorkerVersion(agent=name, version=1, tone=tone, model=model, step_prompts={}, note="as hired",
                      created_by=actor.id)
    session.add(v)
    session.flush()
    _apply(session, row, v)


def current_instructions(session: Session, name: str) -> Instructions:
    """The version the worker runs now; NotFound for an unknown worker."""
    row = session.execute(select(Agent).where(Agent.name == name, Agent.kind == "worker")).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no worker named {name!r}")
    settings = row.settings or {}
    v = session.execute(select(WorkerVersion).where(WorkerVersion.agent == name, WorkerVersion.version == int(
        settings.get("version") or 1))).scalar_one_or_none()
    if v is None:  # a worker written without the versions (by SQL): its live settings are its version 0
        return Instructions(name, 0, str(settings.get("tone", "")), str(settings.get("model", "")),
                            tuple(sorted((settings.get("step_prompts") or {}).items())), "", "", None)
    return _instructions(v)


def get_version(session: Session, name: str, version: int) -> Instructions:
    """One version of a worker's instructions; NotFound when it has none of that number."""
    v = session.execute(select(WorkerVersion).where(WorkerVersion.agent == name,
                                                    WorkerVersion.version == version)).scalar_one_or_none()
    if v is None:
        raise NotFound(f"{name} has no version {version}; `worker versions {name}` lists them")
    return _instructions(v)


def list_versions(session: Session, name: str) -> list[Instructions]:
    """Every version of a worker's instructions, newest first; NotFound for an unknown worker."""
    current_instructions(session, name)
    rows = session.execute(select(WorkerVersion).where(WorkerVersion.agent == name)
                           .order_by(WorkerVersion.version.desc())).scalars().all()
    return [_instructions(r) for r in rows]


def new_version(session: Session, name: str, actor: Actor, *, tone: str | None = None, model: str | None = None,
                step_prompts: dict[str, str] | None = None, note: str = "") -> tuple[Instructions, Instructions]:
    """A new version from the current one with the given changes, made current; audited; no commit. (old, new).

    A step prompt names a step of the worker's role (an empty text restores the template's); InvalidInput when
    nothing changes or a value is bad.
    """
    check(session, actor, "manage_workforce")
    row = lock_worker(session, name)
    old = current_instructions(session, name)
    prompts = dict(old.step_prompts)
    steps = role_template(row.role or "").step_names()
    for step, instruction in (step_prompts or {}).items():
        if step not in steps:
            raise InvalidInput(f"{name}'s role has no step {step!r}; its steps are {', '.join(steps)}")
        if instruction.strip():
            prompts[step] = check_text(f"the {step} prompt", instruction, MAX_STEP_PROMPT_CHARS, lines=True)
        else:
            prompts.pop(step, None)
    new_tone = check_text("tone", tone, 200, lines=True) if tone is not None else old.tone
    new_model = check_text("model", model, 100, lines=True) if model is not None else old.model
    if (new_tone, new_model, tuple(sorted(prompts.items()))) == (old.tone, old.model, old.step_prompts):
        raise InvalidInput(f"nothing changes: {name} already runs {old.describe()}")
    number = int(session.execute(select(func.max(WorkerVersion.version))
                                 .where(WorkerVersion.agent == name)).scalar_one() or 0) + 1
    v = WorkerVersion(agent=name, version=number, tone=new_tone, model=new_model, step_prompts=prompts,
                      note=note.strip()[:500], created_by=actor.id)
    session.add(v)
    session.flush()
    _apply(session, row, v)
    new = _instructions(v)
    record_audit(session, actor, "agent", name, None, None, {"action": "new_version", "from_version": old.version,
                 "version": number, "tone": new_tone, "model": new_model, "steps": sorted(prompts)})
    return old, new


def rollback(session: Session, name: str, version: int, actor: Actor) -> tuple[int, Instructions]:
    """Point the worker back at an earlier (or any existing) version; audited; no commit. (previous number, now)."""
    check(session, actor, "manage_workforce")
    row = lock_worker(session, name)
    previous = int((row.settings or {}).get("version") or 1)
    v = session.execute(select(WorkerVersion).where(WorkerVersion.agent == name,
                                                    WorkerVersion.version == version)).scalar_one_or_none()
    if v is None:
        raise NotFound(f"{name} has no version {version}; `worker versions {name}` lists them")
    _apply(session, row, v)
    record_audit(session, actor, "agent", name, None, None,
                 {"action": "rollback", "from_version": previous, "version": version})
    return previous, _instructions(v)
