"""The one typed settings object: every variable of SPEC §10, read and validated once."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.errors import InvalidInput


class ConfigError(InvalidInput):
    """A bad configuration value; the message is one line naming the variable."""


_MONTH_SECONDS = 31 * 86_400  # the longest sensible period; beyond it timers overflow, not wait
_MONTH_MINUTES = 31 * 24 * 60
_HTTP_URL_FIELDS = ("openai_base_url", "sendgrid_api_base", "stripe_api_base", "stripe_success_url", "stripe_cancel_url",
                    "stripe_portal_return_url", "slack_api_base", "hoss_public_url", "google_auth_url",
                    "google_token_url", "google_revoke_url", "google_api_base", "otel_exporter_otlp_endpoint",
                    "otel_exporter_otlp_traces_endpoint")


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL")
    return value


class Settings(BaseSettings):
    """HossAgent configuration. None is required: with none set, everything runs in mock/dry-run mode."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False, frozen=True,
        allow_inf_nan=False,  # `inf` or `nan` for an interval is a typo, not a very long wait
    )

    # Database
    database_url: str | None = Field(
        None, description="Postgres URL every process connects as: the runtime role, with DML only (see "
        "\"Database roles\"); unset means the embedded server, which sets up both roles itself.")
    hoss_migration_database_url: str | None = Field(
        None, description="Postgres URL of the role that owns the schema: migrations run as it, then grant "
        "DATABASE_URL's role its DML; unset, migrations run as DATABASE_URL (`doctor` then reports it).")
    hoss_data_dir: Path = Field(Path(".data"), description="Where the embedded Postgres keeps its data.")
    hoss_audit_witness_file: Path | None = Field(
        None, description="Where `audit verify` keeps its witness of the audit log's head, outside the database "
        "(sealed with HOSS_SECRET_KEY); unset means `audit_witness.json` under HOSS_DATA_DIR.")

    # LLM
    openai_api_key: SecretStr | None = Field(None, description="Enables real LLM calls; unset means mock mode.")
    openai_model: str = Field("gpt-4o-mini", description="Model for Ops tasks and drafting.")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (tests, proxies).")
    openai_timeout_seconds: float = Field(30.0, gt=0, le=600, description="Timeout of one LLM call.")
    openai_rpm: int | None = Field(None, gt=0, le=10**9, description="Client-side cap on LLM requests per minute.")
    openai_tpm: int | None = Field(None, gt=0, le=10**12, description="Client-side cap on LLM tokens per minute.")

    # Email
    bizdev_email_from: str | None = Field(None, description="From address of outbound email.")
    bizdev_smtp_host: str | None = Field(None, description="SMTP host; with SendGrid unset too, email is a dry run.")
    bizdev_smtp_port: int = Field(587, gt=0, lt=65536, description="SMTP port.")
    bizdev_smtp_user: str | None = Field(None, description="SMTP user name.")
    bizdev_smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    bizdev_smtp_ssl: bool = Field(False, description="Use implicit TLS (port 465 style) instead of STARTTLS.")
    sendgrid_api_key: SecretStr | None = Field(None, description="SendGrid API key (alternative to SMTP).")
    sendgrid_from_email: str | None = Field(None, description="SendGrid From address.")
    sendgrid_api_base: str = Field("https://api.sendgrid.com", description="SendGrid API base URL (tests).")

    # Slack / Stripe
    slack_webhook_url: SecretStr | None = Field(None, description="Slack incoming webhook URL.")
    slack_bot_token: SecretStr | None = Field(
        None, description="Bot token (xoxb-…) that posts proposals with Approve / Reject buttons (SPEC §14).")
    slack_signing_secret: SecretStr | None = Field(
        None, description="Verifies X-Slack-Signature on POST /api/slack/actions; unset, button clicks are refused.")
    slack_approval_channel: str | None = Field(None, description="Channel id the proposals are posted to.")
    slack_notify_min_urgency: Literal["low", "medium", "high", "critical"] = Field(
        "high", description="Proposals of this urgency or more are posted to Slack and emailed to approvers.")
    slack_api_base: str = Field("https://slack.com/api/", description="Slack Web API base URL (tests).")
    stripe_api_key: SecretStr | None = Field(None, description="Stripe secret key; unset skips checkout sessions.")
    stripe_webhook_secret: SecretStr | None = Field(None, description="Verifies Stripe-Signature on webhooks.")
    stripe_api_base: str | None = Field(None, description="Stripe API base URL (tests).")
    stripe_success_url: str = Field(
        "http://localhost:8501/?checkout=success", description="Where Stripe Checkout sends a payer after paying."
    )
    stripe_cancel_url: str = Field(
        "http://localhost:8501/?checkout=cancelled", description="Where Stripe Checkout sends a payer who cancels."
    )
    stripe_portal_return_url: str = Field(
        "http://localhost:8501/", description="Where Stripe's billing portal sends a customer back to."
    )

    # Google Workspace (SPEC §15)
    google_client_id: str | None = Field(None, description="OAuth client id; with the secret and HOSS_SECRET_KEY, enables Connect Google.")
    google_client_secret: SecretStr | None = Field(None, description="OAuth client secret of GOOGLE_CLIENT_ID.")
    google_auth_url: str = Field("https://accounts.google.com/o/oauth2/v2/auth", description="Google's consent page.")
    google_token_url: str = Field("https://oauth2.googleapis.com/token", description="Google's token endpoint (tests).")
    google_revoke_url: str = Field("https://oauth2.googleapis.com/revoke", description="Google's token revocation endpoint.")
    google_api_base: str | None = Field(None, description="One base URL for the Gmail and Sheets APIs (tests); unset, Google's own.")

    # Scheduler
    sched_bizdev_interval_minutes: float = Field(30, gt=0, le=_MONTH_MINUTES, description="BizDev agent period.")
    sched_onboarding_interval_minutes: float = Field(10, gt=0, le=_MONTH_MINUTES, description="Onboarding agent period.")
    sched_ops_interval_seconds: float = Field(120, gt=0, le=_MONTH_SECONDS, description="How often an idle Ops pool looks for work.")
    sched_billing_interval_minutes: float = Field(720, gt=0, le=_MONTH_MINUTES, description="Billing agent period.")
    sched_events_interval_seconds: float = Field(5, gt=0, le=_MONTH_SECONDS, description="Event processor period.")
    sched_executor_interval_seconds: float = Field(5, gt=0, le=_MONTH_SECONDS, description="Proposal executor period.")
    sched_tick_seconds: float = Field(
        2, gt=0, le=60, description="How often each scheduler job re-reads the agents registry and looks for due work."
    )
    sched_shutdown_grace_seconds: float = Field(
        25, ge=0, le=600, description="On SIGTERM, how long in-flight runs may finish before the scheduler exits."
    )

    hoss_heartbeat_seconds: float = Field(
        15, gt=0, le=3600, description="How often a process marks its runs alive; three missed beats mark a run abandoned."
    )

    # Event processor
    events_max_attempts: int = Field(5, ge=1, le=100, description="Attempts before a failed event is left failed.")
    events_retry_base_seconds: float = Field(30, ge=0, le=86_400, description="Backoff before retrying a failed event, doubled per attempt.")
    events_batch_size: int = Field(200, ge=1, le=100_000, description="Most events one processor run handles.")

    # Webhook ingest (group commit)
    webhook_batch_window_ms: float = Field(
        2, ge=0, le=1000, description="How long a Stripe event waits for others to share its transaction; 0 writes "
        "whatever has queued at once.")
    webhook_batch_max: int = Field(200, ge=1, le=10_000, description="Most Stripe events one transaction stores.")
    webhook_writers: int = Field(2, ge=1, le=64, description="Stripe event batches committing at once, each on a "
                                 "database connection of the web process's own.")

    # Ops
    ops_worker_count: int = Field(3, ge=1, le=256, description="Concurrent Ops tasks per process.")
    ops_max_attempts: int = Field(3, ge=1, le=100, description="Attempts before a task is failed.")
    ops_lease_seconds: float = Field(60, gt=0, le=86_400, description="Lease on a claimed task; lapsed leases are reclaimed.")
    ops_daily_budget_cents: int | None = Field(None, ge=0, le=10**13, description="Daily LLM spend cap; unset means none.")
    ops_max_cost_share_pct: int | None = Field(
        None, ge=0, le=100, description="Most a task's LLM cost may be, as a % of its reward (checked before each call); "
        "unset means no ceiling. The Customers page setting wins.")
    ops_max_output_tokens: int = Field(600, ge=16, le=16384, description="Output-token limit of one Ops LLM call (~400 words).")
    ops_backoff_base_seconds: float = Field(5, ge=0, le=86_400, description="First retry delay of a failed task; doubles per attempt.")
    ops_backoff_max_seconds: float = Field(900, ge=0, le=7 * 86_400, description="Cap on one retry delay of a failed task.")
    ops_async_commit: bool = Field(True, description="Pool slots commit without waiting for the WAL flush (faster; a Postgres crash may redo the last moment's tasks).")
    ops_shutdown_grace_seconds: float = Field(20, ge=0, le=600, description="How long a stopping pool waits for in-flight tasks.")

    # Inbox / executor
    proposal_expiry_hours: float = Field(72, gt=0, le=24 * 366, description="Pending proposals older than this expire.")
    executor_timeout_seconds: float = Field(20.0, gt=0, le=600, description="Timeout of one outside call (SMTP, Stripe, Slack).")
    executor_retry_attempts: int = Field(3, ge=1, le=10, description="Tries of one outside call on transient errors.")
    executor_retry_wait_seconds: float = Field(0.5, ge=0, le=60, description="First backoff between tries (doubles each time).")

    # Canvas
    canvas_statement_timeout_ms: int = Field(
        2000, ge=50, le=60000, description="Statement timeout of one canvas (analytics) query, in milliseconds."
    )
    canvas_row_cap: int = Field(1000, ge=1, le=100000, description="Most rows one canvas query returns.")
    canvas_fiscal_year_start_month: int = Field(
        1, ge=1, le=12, description="Month (1–12) the fiscal year starts in: what \"this fiscal year\" means on the canvas."
    )

    # Console / API
    hoss_api_token: SecretStr | None = Field(
        None, description="The integration token of the HTTP API: it reads and proposes, never decides or counts as "
        "a person. Operators get their own with `operator token NAME`.")
    hoss_api_tokens: SecretStr | None = Field(
        None, description="More API tokens, each an active operator's: `token=name,token2=name2` (decisions are "
        "theirs).")
    hoss_operator_token: SecretStr | None = Field(
        None, description="The CLI acts as the operator whose API token this is; unset, it acts as `cli`, the "
        "install's owner.")
    hoss_console_password: SecretStr | None = Field(
        None, description="Password of a one-person install's sign-in (the owner); once an operator has a password "
        "of their own (`operator passwd NAME`), each signs in with theirs.")
    hoss_secret_key: SecretStr | None = Field(
        None, description="Seals the audit witness (HMAC, in Python: the key never reaches the database; at least "
        "16 characters, the same wherever `audit verify` runs) and encrypts stored Google tokens; unset, the "
        "witness is unsealed (whoever can write it and the database could rewrite both) and Connect Google is off."
    )
    hoss_public_url: str = Field(
        "http://localhost:8501",
        description="Where browsers reach `web`/`api`: email decision links and the Google OAuth callback are built on it.")
    hoss_trust_forwarded_for: bool = Field(
        False, description="Count sign-in attempts by X-Forwarded-For's first address (only behind your own proxy)."
    )
    hoss_web_port: int = Field(8501, gt=0, lt=65536, description="Port of `web`, `api` and `console` (`--port` wins).")
    hoss_web_host: str = Field(
        "127.0.0.1", min_length=1, max_length=253, pattern=r"^[A-Za-z0-9._:-]+$",
        description="Address `web`, `api` and `console` bind to (`--host` wins); `0.0.0.0` serves every interface.",
    )
    hoss_timezone: str = Field("UTC", description="IANA time zone the console shows times in (e.g. Europe/Berlin).")
    hoss_log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.")
    hoss_log_format: Literal["text", "json"] = Field("text", description="`json`: one JSON object per log line.")

    # Operations: metrics and error reporting
    metrics_statement_timeout_ms: int = Field(
        5000, ge=50, le=60000, description="Statement timeout of the queries behind one `GET /metrics` scrape."
    )
    sentry_dsn: SecretStr | None = Field(
        None, description="Sentry DSN; when set, errors from every process go to Sentry (secrets scrubbed)."
    )
    sentry_environment: str = Field(
        "production", min_length=1, max_length=64, description="Environment name on Sentry events."
    )

    # Tracing: OpenTelemetry over OTLP/HTTP (SPEC §22), the standard OTEL_* variables
    otel_exporter_otlp_endpoint: str | None = Field(
        None, description="OTLP/HTTP base URL (`/v1/traces` is appended); set, every task, step, LLM call and "
        "decision is exported as a span (see \"Traces\"); unset, tracing is off.")
    otel_exporter_otlp_traces_endpoint: str | None = Field(
        None, description="Full OTLP/HTTP traces URL, used as is (wins over OTEL_EXPORTER_OTLP_ENDPOINT).")
    otel_exporter_otlp_headers: SecretStr | None = Field(
        None, description="Headers of every export, `key=value,key2=value2` (values URL-encoded, e.g. "
        "`Authorization=Basic%20...`).")
    otel_exporter_otlp_timeout: int = Field(
        10_000, gt=0, le=600_000, description="Timeout of one export, in milliseconds.")
    otel_service_name: str = Field(
        "hossagent", min_length=1, max_length=128, description="`service.name` of the exported spans.")
    otel_instrumentation_genai_capture_message_content: bool = Field(
        False, description="Put prompt and response text on LLM call spans (off: token counts and cost only).")

    @field_validator(
        "openai_api_key", "stripe_api_key", "stripe_webhook_secret", "slack_webhook_url",
        "sendgrid_api_key", "bizdev_smtp_password", "hoss_api_token", "hoss_api_tokens", "hoss_operator_token",
        "hoss_console_password",
        "sentry_dsn", "hoss_secret_key", "slack_bot_token", "slack_signing_secret", "google_client_secret",
        "otel_exporter_otlp_headers",
        mode="before",
    )
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("hoss_secret_key")
    @classmethod
    def _secret_key_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters")
        return value

    @field_validator(
        "database_url", "hoss_migration_database_url", "hoss_audit_witness_file", "openai_base_url",
        "bizdev_email_from", "bizdev_smtp_host", "bizdev_smtp_user",
        "sendgrid_from_email", "stripe_api_base", "ops_daily_budget_cents", "ops_max_cost_share_pct", "openai_rpm",
        "openai_tpm", "slack_approval_channel",
        "google_client_id", "google_api_base", "otel_exporter_otlp_endpoint", "otel_exporter_otlp_traces_endpoint",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("database_url", "hoss_migration_database_url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator(*_HTTP_URL_FIELDS)
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_http_url(value)

    @field_validator("slack_webhook_url")
    @classmethod
    def _secret_http_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _check_http_url(value.get_secret_value())
        return value

    @field_validator("otel_exporter_otlp_headers")
    @classmethod
    def _otlp_headers(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and any("=" not in item for item in value.get_secret_value().split(",") if item.strip()):
            raise ValueError("each header must be key=value, separated by commas")
        return value

    @field_validator("hoss_api_tokens")
    @classmethod
    def _token_map(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_token_map(value.get_secret_value())
        return value

    @field_validator("sentry_dsn")
    @classmethod
    def _sentry_dsn_parses(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from sentry_sdk.utils import BadDsn, Dsn  # only when a DSN is set: most processes never import sentry

            try:
                Dsn(value.get_secret_value())
            except BadDsn as exc:
                raise ValueError(f"not a Sentry DSN ({exc})") from None
        return value

    @field_validator("hoss_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone such as UTC or Europe/Berlin") from None
        return value

    @property
    def llm_mode(self) -> Literal["openai", "mock"]:
        """`openai` when a key is set, else `mock`."""
        return "openai" if self.openai_api_key else "mock"

    def secret(self, name: str) -> str | None:
        """The plain value of a secret setting, or None."""
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else None


def parse_token_map(raw: str) -> dict[str, str]:
    """HOSS_API_TOKENS as {token: operator name}; ValueError naming the expected form."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        token, sep, name = item.partition("=")
        if not sep or len(token.strip()) < 16 or not name.strip():
            raise ValueError("each entry must be token=name with a token of 16 or more characters")
        pairs[token.strip()] = name.strip()
    return pairs


def load_settings(**overrides: object) -> Settings:
    """Read the environment (and .env) once; raise ConfigError with one line naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else "configuration"
        # Secrets, and a database URL (it may carry a password), are never echoed back.
        shown = "" if field in SECRET_FIELDS or field.endswith("database_url") else f" (got {err.get('input')!r})"
        raise ConfigError(f"Invalid {field.upper()}: {err['msg'].removeprefix('Value error, ')}{shown}") from None


# The settings typed SecretStr: never shown in an error, never sent to Sentry (core.app.sentry).
SECRET_FIELDS = frozenset(
    name for name, info in Settings.model_fields.items() if "SecretStr" in str(info.annotation)
)


def settings_table() -> str:
    """The README's configuration table, generated from the Settings fields (kept true by a test)."""
    lines = ["| variable | default | what it does |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        default = info.default
        shown = "—" if default is None or name in SECRET_FIELDS else f"`{default}`"
        lines.append(f"| `{name.upper()}` | {shown} | {info.description} |")
    return "\n".join(lines)
