"""The audit log: who changed what (log), its verification (chain: hash chain and anchored head), the witness of
the head outside the database (witness) and its keyed seal (seal), reading it (view), and its SQL (sql)."""

from core.audit.log import Actor, record_audit

__all__ = ["Actor", "record_audit"]
