"""The audit log: who changed what (log), its tamper-evident hash chain (chain), and reading it (view)."""

from core.audit.log import Actor, record_audit

__all__ = ["Actor", "record_audit"]
