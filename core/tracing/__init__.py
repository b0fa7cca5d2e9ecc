"""OpenTelemetry traces over OTLP/HTTP (SPEC §22): set up once per process, spans that cost nothing when off."""
