"""The Ops task LLM client: one chat completion through the official `openai` client, errors sorted for retry."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import openai
from openai.types.chat import ChatCompletion

from core.config.settings import Settings

SYSTEM_PROMPT = (
    "You are HossAgent's research worker. Write a concise, concrete business deliverable of at most "
    "400 words for the customer named in the task. Plain text, short paragraphs, no preamble."
)


@dataclass(frozen=True)
class LLMReply:
    """The text of one completion and the usage the response reported (None when it reported none)."""

    text: str
    model: str
    input_tokens: int | None
    output_tokens: int | None


class LLMError(Exception):
    """The call failed in a way that counts as an attempt (bad request, server error, empty answer)."""


class TransientLLMError(LLMError):
    """Rate limited or timed out: back off without burning an attempt. `retry_after` in seconds when known."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_clients: dict[tuple[str, str | None, float], openai.OpenAI] = {}
_clients_lock = threading.Lock()


def task_client(settings: Settings) -> openai.OpenAI:
    """A process-wide client per (key, base URL, timeout): one connection pool shared by every worker."""
    key = settings.secret("openai_api_key") or ""
    ident = (key, settings.openai_base_url, settings.openai_timeout_seconds)
    with _clients_lock:
        client = _clients.get(ident)
        if client is None:
            # max_retries=0: the pool owns retries (backoff via run_after), so one task is one HTTP call.
            client = openai.OpenAI(
                api_key=key, base_url=settings.openai_base_url,
                timeout=settings.openai_timeout_seconds, max_retries=0,
            )
            _clients[ident] = client
        return client


def json_schema_format(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The strict Structured Outputs `response_format` for `schema` (already strict: see strict_schema)."""
    return {"type": "json_schema", "json_schema": {"name": name[:64], "strict": True, "schema": schema}}


def complete(client: openai.OpenAI, *, model: str, prompt: str, max_tokens: int,
             system: str = SYSTEM_PROMPT, response_format: dict[str, Any] | None = None) -> LLMReply:
    """One chat completion (with `response_format` when given); raise TransientLLMError (429, timeout, connection)
    or LLMError (anything else)."""
    body: dict[str, Any] = {
        "model": model, "max_tokens": max_tokens,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}]}
    if response_format is not None:
        body["response_format"] = response_format
    try:
        # The client's documented raw request with the typed response: the same URL, auth, timeout and errors as
        # `chat.completions.create`, without its params transform, which is the identity for plain-string messages
        # and a third of a call's CPU (docs/decisions.md; every Ops slot makes one call per workflow step).
        response = client.post("/chat/completions", cast_to=ChatCompletion, body=body)
    except openai.RateLimitError as exc:
        raise TransientLLMError(f"rate limited (429): {_short(exc)}", _retry_after(exc)) from None
    except (openai.APITimeoutError, openai.APIConnectionError) as exc:
        raise TransientLLMError(f"{type(exc).__name__}: {_short(exc)}") from None
    except openai.APIStatusError as exc:
        raise LLMError(f"HTTP {exc.status_code}: {_short(exc)}") from None
    except openai.OpenAIError as exc:
        raise LLMError(f"{type(exc).__name__}: {_short(exc)}") from None
    if not response.choices or not (response.choices[0].message.content or "").strip():
        raise LLMError("the model returned no text")
    usage = response.usage
    return LLMReply(
        text=response.choices[0].message.content.strip(),
        model=response.model or model,
        input_tokens=usage.prompt_tokens if usage else None,
        output_tokens=usage.completion_tokens if usage else None,
    )


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def _retry_after(exc: openai.APIStatusError) -> float | None:
    try:
        value = exc.response.headers.get("retry-after")
        return max(float(value), 0.0) if value is not None else None
    except (AttributeError, ValueError):
        return None
