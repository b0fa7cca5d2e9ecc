"""Deterministic trace ids: a Stripe event's ingest, processing and the proposals it drafts share one trace."""

from __future__ import annotations

import hashlib
from contextvars import ContextVar

# (trace id, span id) the next root span takes instead of random ones (core.tracing.spans.event_root).
_forced: ContextVar[tuple[int, int] | None] = ContextVar("hoss_forced_span_ids", default=None)


def event_ids(source: str, external_id: str) -> tuple[int, int]:
    """The (trace id, span id) of an outside event's ingest span: the same for every process that sees it."""
    digest = hashlib.sha256(f"{source}:{external_id}".encode()).digest()
    trace_id = int.from_bytes(digest[:16], "big") or 1  # zero is the invalid id
    span_id = int.from_bytes(digest[16:24], "big") or 1
    return trace_id, span_id


def forced() -> ContextVar[tuple[int, int] | None]:
    """The context variable the id generator reads (set only around starting one root span)."""
    return _forced


def id_generator():  # noqa: ANN201 - an opentelemetry IdGenerator, imported only when tracing is on
    """Random ids, except for a root span started while `forced()` holds a pair."""
    from opentelemetry.sdk.trace.id_generator import RandomIdGenerator

    class _EventIds(RandomIdGenerator):
        def generate_trace_id(self) -> int:
            pair = _forced.get()
            return pair[0] if pair else super().generate_trace_id()

        def generate_span_id(self) -> int:
            pair = _forced.get()
            return pair[1] if pair else super().generate_span_id()

    return _EventIds()
