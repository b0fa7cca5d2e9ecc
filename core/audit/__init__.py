"""The audit log: who changed what (log), its verification (chain: hash chain and anchored head), the keyed seal
of the head (seal), the witness file outside the database (witness), reading it (view), and its SQL (sql)."""

from core.audit.log import Actor, record_audit

__all__ = ["Actor", "record_audit"]
