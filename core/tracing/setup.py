"""Tracing set up once per process from the settings: an OTLP/HTTP exporter when an endpoint is set, else nothing."""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any
from urllib.parse import unquote, urlsplit

from core.config.settings import Settings
from core.tracing import spans

log = logging.getLogger("hoss.tracing")

_provider: Any = None
_lock = threading.Lock()


def traces_endpoint(settings: Settings) -> str | None:
    """Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces."""
    if settings.otel_exporter_otlp_traces_endpoint:
        return settings.otel_exporter_otlp_traces_endpoint
    base = settings.otel_exporter_otlp_endpoint
    return None if base is None else base.rstrip("/") + "/v1/traces"


def export_headers(settings: Settings) -> dict[str, str]:
    """OTEL_EXPORTER_OTLP_HEADERS as a dict: `key=value` pairs, comma-separated, values URL-decoded."""
    raw = settings.secret("otel_exporter_otlp_headers") or ""
    pairs = (item.split("=", 1) for item in raw.split(",") if item.strip())
    return {key.strip().lower(): unquote(value.strip()) for key, value in pairs}


def setup_tracing(settings: Settings) -> bool:
    """Install the exporter once per process when an endpoint is set (flushed at exit); True when tracing is on."""
    global _provider
    endpoint = traces_endpoint(settings)
    if endpoint is None:
        return False
    with _lock:
        if _provider is not None:
            return True
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        from core.tracing.ids import id_generator

        provider = TracerProvider(resource=Resource.create({"service.name": settings.otel_service_name}),
                                  id_generator=id_generator(), shutdown_on_exit=False)
        exporter = OTLPSpanExporter(endpoint=endpoint, headers=export_headers(settings),
                                    timeout=settings.otel_exporter_otlp_timeout / 1000)
        provider.add_span_processor(BatchSpanProcessor(exporter))
        _provider = provider
        spans.install(provider.get_tracer("hossagent"),
                      capture_content=settings.otel_instrumentation_genai_capture_message_content)
        atexit.register(shutdown_tracing)
    log.info("tracing on: spans go to %s", urlsplit(endpoint).hostname)  # never the headers: they carry credentials
    return True


def shutdown_tracing() -> None:
    """Export what is buffered and stop tracing (a no-op when it is off); safe to call more than once."""
    global _provider
    with _lock:
        provider, _provider = _provider, None
        spans.install(None, capture_content=False)
    if provider is not None:
        provider.shutdown()
