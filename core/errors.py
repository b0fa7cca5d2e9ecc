"""The errors HossAgent raises on purpose: one base class, so a caller can tell them from bugs.

Each message is one line meant for the operator; routes map the kinds to HTTP statuses (403, 404, 409, 422, 504).
"""

from __future__ import annotations


class HossError(Exception):
    """Base of every error the domain raises deliberately; the message is one line for the operator."""


class NotFound(HossError, LookupError):
    """No row with that id (or name)."""


class IllegalTransition(HossError, ValueError):
    """The entity is not in a status that may move to the requested one."""


class InvalidInput(HossError, ValueError):
    """A value the domain refuses (a bad setting, filter, payload or parameter); the message says why."""


class Forbidden(HossError, PermissionError):
    """The acting operator's role may not take this action (core.approvals.permissions); the message says which."""


class QueryTimeout(HossError, TimeoutError):
    """A read ran past its statement timeout and was cancelled by the database."""


def one_line(exc: BaseException, limit: int = 300) -> str:
    """`Type: first line of the message`, at most `limit` characters: what error columns and run rows keep.

    Driver errors carry the SQL, its parameters and hints on later lines; those go to the log only.
    """
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text[:limit]
