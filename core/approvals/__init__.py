"""Approvals (SPEC §4): proposals, their policies, the inbox queries and the executor of approved side effects."""
