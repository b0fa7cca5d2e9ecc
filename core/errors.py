"""The errors HossAgent raises on purpose: one base class, so a caller can tell them from bugs.

Each message is one line meant for the operator; routes map the kinds to HTTP statuses (404, 409, 422, 504).
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


class QueryTimeout(HossError, TimeoutError):
    """A read ran past its statement timeout and was cancelled by the database."""
