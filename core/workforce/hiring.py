"""Hiring, editing, pausing and firing workers (SPEC §12): `agents` rows of kind `worker`, every change audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from core.approvals.acting import check
from core.audit import Actor, record_audit
from core.config.store import validate_cents
from core.errors import InvalidInput, NotFound
from core.workforce import sql
from core.workforce.roles import role_template
from core.workforce.template import RoleTemplate
from core.workforce.versions import check_text, first_version, lock_worker, new_version
from db.models import Agent

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # ISO weekday n is DAYS[n - 1]
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9 ._-]{0,39}")
_HOURS = re.compile(r"(?P<days>[a-z,-]+)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})\s+(?P<tz>\S+)")
ALWAYS = ("always", "24/7", "")


@dataclass(frozen=True)
class Hours:
    """Working hours: ISO weekdays, a [start, end) local window (an end before the start runs past midnight
    into the next day), and the IANA zone it is read in."""

    days: tuple[int, ...]
    start: time
    end: time
    tz: str

    def describe(self) -> str:
        """The --hours form back: `mon-fri 09:00-17:00 Europe/Berlin`."""
        return f"{_describe_days(self.days)} {self.start:%H:%M}-{self.end:%H:%M} {self.tz}"


@dataclass(frozen=True)
class Worker:
    """One hired worker as the roster shows it."""

    name: str
    role: str
    status: str  # active | paused | fired
    tone: str
    model: str
    hours: Hours | None
    review_required: bool
    human_minutes: int | None
    monthly_budget_cents: int | None
    permissions: tuple[str, ...]

    @property
    def hours_text(self) -> str:
        return self.hours.describe() if self.hours else "always"


def parse_hours(value: str) -> Hours | None:
    """`mon-fri 09:00-17:00 Europe/Berlin` (days as ranges or commas); `always` is None. InvalidInput otherwise."""
    text = " ".join(value.strip().lower().split())
    if text in ALWAYS:
        return None
    match = _HOURS.fullmatch(text)
    if match is None:
        raise InvalidInput(f"cannot read hours {value!r}; write e.g. \"mon-fri 09:00-17:00 Europe/Berlin\"")
    days = _parse_days(match["days"], value)
    start, end = _parse_time(match["start"], value), _parse_time(match["end"], value)
    if start == end:
        raise InvalidInput(f"hours {value!r}: the start and the end must differ (an end before the start is a "
                           "night shift that starts on the listed days)")
    tz = value.strip().split()[-1]  # the zone as written: IANA names are case-sensitive
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown timezone {tz!r}; use an IANA name such as Europe/Berlin or UTC") from None
    return Hours(days, start, end, tz)


def _parse_days(text: str, raw: str) -> tuple[int, ...]:
    days: set[int] = set()
    for part in text.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise InvalidInput(f"hours {raw!r}: days are mon..sun, as ranges (mon-fri) or lists (mon,wed)")
        a, b = DAYS.index(first), DAYS.index(last or first)
        days.update(range(a + 1, b + 2) if a <= b else [*range(a + 1, 8), *range(1, b + 2)])
    return tuple(sorted(days))


def _parse_time(text: str, raw: str) -> time:
    hour, minute = (int(x) for x in text.split(":"))
    if hour == 24 and minute == 0:
        return time(23, 59, 59)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise InvalidInput(f"hours {raw!r}: {text} is not a time of day")
    return time(hour, minute)


def _describe_days(days: tuple[int, ...]) -> str:
    if len(days) > 2 and list(days) == list(range(days[0], days[-1] + 1)):
        return f"{DAYS[days[0] - 1]}-{DAYS[days[-1] - 1]}"
    return ",".join(DAYS[d - 1] for d in days)


def _hours_values(hours: Hours | None) -> dict[str, Any]:
    if hours is None:
        return {"hours_days": None, "hours_start": None, "hours_end": None, "hours_tz": None}
    return {"hours_days": list(hours.days), "hours_start": hours.start, "hours_end": hours.end, "hours_tz": hours.tz}


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"worker name {name!r}: 1-40 characters, starting with a letter (letters, digits, "
                           "space . _ -)")
    return name


def hire(session: Session, role: str, name: str, actor: Actor, *, tone: str | None = None, model: str | None = None,
         hours: Hours | None = None, review: bool | None = None, monthly_budget_cents: int | None = None) -> Worker:
    """Hire a worker from `role`'s template (its defaults unless given); audited; no commit.

    InvalidInput for an unknown role, a bad or taken name, a negative budget.
    """
    check(session, actor, "manage_workforce")
    template = role_template(role)
    name = _check_name(name)
    validate_cents(monthly_budget_cents, field="the monthly budget")
    settings = {"tone": check_text("tone", tone or template.default_tone, 200),
                "model": check_text("model", model or template.default_model, 100),
                "permissions": list(template.permissions)}
    review_required = template.review_by_default if review is None else review
    inserted = session.execute(
        insert(Agent).values(
            name=name, kind="worker", role=template.role, description=template.description,
            human_minutes=template.human_minutes, monthly_budget_cents=monthly_budget_cents,
            review_required=review_required, settings=settings, capabilities=list(template.permissions),
            execution_method="core.ops.runner", **_hours_values(hours),
        ).on_conflict_do_nothing(index_elements=["name"]).returning(Agent.id)
    ).scalar_one_or_none()
    if inserted is None:
        raise InvalidInput(f"the name {name!r} is taken; choose another")
    first_version(session, name, settings["tone"], settings["model"], actor)
    record_audit(session, actor, "agent", name, None, "active",
                 {"action": "hire", "role": template.role, **settings, "review_required": review_required,
                  "hours": hours.describe() if hours else "always", "monthly_budget_cents": monthly_budget_cents})
    return get_worker(session, name)


def _status(row: Agent) -> str:
    return "fired" if row.fired_at is not None else ("active" if row.enabled else "paused")


def set_worker_status(session: Session, name: str, to: str, actor: Actor, *, hand_to: str | None = None) -> str:
    """Pause (`paused`), resume (`active`) or fire (`fired`, for good) a worker; audited; no commit. Old status.

    A fired worker's pending tasks go to `hand_to`, else to the active worker of the same role with the fewest
    open tasks; with neither, firing is refused (InvalidInput) so that no task is left unclaimable.
    """
    check(session, actor, "manage_workforce")
    row = lock_worker(session, name)
    old = _status(row)
    if old == "fired":
        raise InvalidInput(f"{name} was fired; undo the firing (possible for 10 minutes after it) or hire a new worker")
    if to not in ("active", "paused", "fired"):
        raise InvalidInput(f"a worker is active, paused or fired (got {to!r})")
    if hand_to is not None and to != "fired":
        raise InvalidInput(f"only firing hands a worker's tasks over (got a worker to hand to when {to})")
    if old == to:
        return old
    values: dict[str, Any] = {"enabled": to == "active"}
    if to == "fired":
        values["fired_at"] = func.now()
        _hand_over_pending(session, row, actor, hand_to)
    session.execute(update(Agent).where(Agent.id == row.id).values(**values))
    record_audit(session, actor, "agent", name, old, to, {"action": {"paused": "pause", "active": "resume",
                                                                   "fired": "fire"}[to]})
    return old


def _hand_over_pending(session: Session, row: Agent, actor: Actor, hand_to: str | None) -> None:
    if hand_to is not None:
        heir = lock_worker(session, hand_to)
        if heir.id == row.id or _status(heir) == "fired":
            raise InvalidInput(f"{hand_to} cannot take over {row.name}'s tasks: name another hired worker")
        to = heir.name
    else:
        to = session.execute(sql.LEAST_LOADED_PEER, {"role": row.role, "name": row.name}).scalar_one_or_none()
    if to is None:
        pending = session.execute(sql.PENDING_COUNT, {"agent": row.name}).scalar_one()
        if pending:
            raise InvalidInput(f"{row.name} has {pending} pending task(s) and no other active {row.role} to take "
                               "them: hire one first, or name the worker to hand them to")
        return
    for task_id in session.execute(sql.HAND_OVER_PENDING, {"from_agent": row.name, "to_agent": to}).scalars():
        record_audit(session, actor, "task", task_id, None, None,
                     {"action": "reassign", "from_agent": row.name, "to_agent": to, "reason": f"{row.name} was fired"})


def edit_worker(session: Session, name: str, actor: Actor, *, tone: str | None = None, model: str | None = None,
                hours: Hours | None | str = "keep", review: bool | None = None,
                monthly_budget_cents: int | None = None) -> Worker:
    """Change a worker's tone, model, hours (None = always), review or budget; audited with old and new; no commit.

    A new tone or model is a new version of its instructions (core.workforce.versions); the same ones change nothing.
    """
    check(session, actor, "manage_workforce")
    row = lock_worker(session, name)
    before = get_worker(session, name)
    values: dict[str, Any] = {}
    tone = None if tone is None or tone.strip() == before.tone else tone
    model = None if model is None or model.strip() == before.model else model
    if tone is not None or model is not None:
        new_version(session, name, actor, tone=tone, model=model, note="edited")
    if hours != "keep":
        values.update(_hours_values(hours if isinstance(hours, Hours) else None))
    if review is not None:
        values["review_required"] = review
    if monthly_budget_cents is not None:
        values["monthly_budget_cents"] = validate_cents(monthly_budget_cents, field="the monthly budget")
    if values:
        session.execute(update(Agent).where(Agent.id == row.id).values(**values))
    after = get_worker(session, name)
    record_audit(session, actor, "agent", name, before.status, after.status,
                 {"action": "edit", "old": _audit_view(before), "new": _audit_view(after)})
    return after


def _audit_view(w: Worker) -> dict[str, Any]:
    return {"tone": w.tone, "model": w.model, "hours": w.hours_text, "review_required": w.review_required,
            "monthly_budget_cents": w.monthly_budget_cents}


def _worker(row: Agent) -> Worker:
    hours = None
    if row.hours_tz is not None and row.hours_days and row.hours_start and row.hours_end:
        hours = Hours(tuple(row.hours_days), row.hours_start, row.hours_end, row.hours_tz)
    s = row.settings or {}
    return Worker(row.name, row.role or "", _status(row), str(s.get("tone", "")), str(s.get("model", "")), hours,
                  row.review_required, row.human_minutes, row.monthly_budget_cents,
                  tuple(s.get("permissions", ())))


def get_worker(session: Session, name: str) -> Worker:
    """One worker by name; NotFound otherwise."""
    row = session.execute(select(Agent).where(Agent.name == name, Agent.kind == "worker")).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no worker named {name!r}")
    return _worker(row)


def list_workers(session: Session, *, include_fired: bool = False) -> list[Worker]:
    """The roster, by name (fired workers only when asked)."""
    stmt = select(Agent).where(Agent.kind == "worker").order_by(Agent.name)
    if not include_fired:
        stmt = stmt.where(Agent.fired_at.is_(None))
    return [_worker(r) for r in session.execute(stmt).scalars()]


def worker_for_role(session: Session, template: RoleTemplate) -> str | None:
    """The active worker of `template`'s role hired first, or None (Onboarding's assignment)."""
    return session.execute(
        select(Agent.name).where(Agent.kind == "worker", Agent.role == template.role, Agent.enabled,
                                 Agent.fired_at.is_(None)).order_by(Agent.id).limit(1)
    ).scalar_one_or_none()


def on_duty(hours: Hours | None, now: datetime) -> bool:
    """Whether `now` is inside `hours` (the same rule as the claim's SQL; for pages and messages)."""
    if hours is None:
        return True
    local = now.astimezone(ZoneInfo(hours.tz))
    clock = local.time().replace(tzinfo=None)
    if hours.start < hours.end:
        return local.isoweekday() in hours.days and hours.start <= clock < hours.end
    # A night shift: from the start on a listed day until the end on the next day.
    yesterday = (local - timedelta(days=1)).isoweekday()
    return (local.isoweekday() in hours.days and clock >= hours.start) or (yesterday in hours.days and clock < hours.end)


def next_on_duty(hours: Hours | None, now: datetime) -> datetime:
    """The first minute from `now` on which a worker with `hours` is on duty (`now` itself when it is on duty)."""
    if on_duty(hours, now):
        return now
    at = now.replace(second=0, microsecond=0)
    for _ in range(8 * 24 * 4):  # a week and a day, by quarter hours: every shift starts on one
        at += timedelta(minutes=15 - at.minute % 15)
        if on_duty(hours, at):
            return at
    return now
