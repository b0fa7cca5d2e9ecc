"""Short LLM text drafting (emails, reasoning) through the official openai client; callers fall back on error."""

from __future__ import annotations

import openai
from openai import OpenAI

from core.config.settings import Settings
from core.llm import pricing
from core.tracing import spans

# Drafting is best-effort: one retry, then the caller's deterministic template takes over.
_MAX_RETRIES = 1


class LLMTextError(RuntimeError):
    """The LLM gave no usable text; the message is short and never contains a secret."""


def complete_text(settings: Settings, system: str, user: str, *, max_tokens: int = 300) -> str:
    """Return the model's reply to (system, user), capped at `max_tokens`; raise LLMTextError on any failure."""
    api_key = settings.secret("openai_api_key")
    if not api_key:
        raise LLMTextError("OPENAI_API_KEY not set")
    with spans.chat(settings.openai_model, max_tokens, system, user) as span:
        try:
            with OpenAI(
                api_key=api_key,
                base_url=settings.openai_base_url,
                timeout=settings.openai_timeout_seconds,
                max_retries=_MAX_RETRIES,
            ) as client:
                response = client.chat.completions.create(
                    model=settings.openai_model,
                    messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                    max_tokens=max_tokens,
                )
        except openai.APIStatusError as exc:
            raise LLMTextError(f"OpenAI answered HTTP {exc.status_code}") from None
        except openai.APIError as exc:  # timeouts, connection errors, malformed replies
            raise LLMTextError(f"OpenAI call failed ({type(exc).__name__})") from None
        text = (response.choices[0].message.content or "").strip() if response.choices else ""
        if span.is_recording():
            usage, model = response.usage, response.model or settings.openai_model
            tokens_in, tokens_out = (usage.prompt_tokens, usage.completion_tokens) if usage else (None, None)
            spans.chat_reply(span, model, tokens_in, tokens_out, pricing.cost_cents(model, tokens_in, tokens_out),
                             text)
    if not text:
        raise LLMTextError("OpenAI returned an empty reply")
    return text
