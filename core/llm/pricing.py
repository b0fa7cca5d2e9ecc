"""LLM prices: what one call cost, in whole cents, from the model and the token usage the response reported."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

# US cents per 1,000,000 tokens (input, output), from OpenAI's public pricing page as of 2026-11-21.
# Dated snapshots ("gpt-4o-mini-2024-07-18") match their family by the longest prefix.
PRICES_CENTS_PER_MTOK: dict[str, tuple[Decimal, Decimal]] = {
    "gpt-4o-mini": (Decimal("15"), Decimal("60")),
    "gpt-4o": (Decimal("250"), Decimal("1000")),
    "gpt-4.1-nano": (Decimal("10"), Decimal("40")),
    "gpt-4.1-mini": (Decimal("40"), Decimal("160")),
    "gpt-4.1": (Decimal("200"), Decimal("800")),
    "gpt-5-nano": (Decimal("5"), Decimal("40")),
    "gpt-5-mini": (Decimal("25"), Decimal("200")),
    "gpt-5": (Decimal("125"), Decimal("1000")),
    "o4-mini": (Decimal("110"), Decimal("440")),
    "gpt-3.5-turbo": (Decimal("50"), Decimal("150")),
}
# An unknown model is priced like the dearest general model in the table, so spend is never under-reported.
UNKNOWN_MODEL_PRICE: tuple[Decimal, Decimal] = (Decimal("250"), Decimal("1000"))
# When a response carries no usage: a flat charge that bounds one ~400-word call on any model above.
FLAT_FALLBACK_CENTS = 2
MOCK_COST_CENTS = 0
# The model families that take a strict `json_schema` response_format (OpenAI's Structured Outputs); a json step on
# any other model asks for JSON in its prompt and retries once on a parse error. Matched like prices (by family).
STRUCTURED_OUTPUT_FAMILIES: tuple[str, ...] = ("gpt-4o-mini", "gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano",
                                               "gpt-5", "gpt-5-mini", "gpt-5-nano", "o4-mini")

_MILLION = Decimal(1_000_000)


def _family(model: str, families) -> str:  # noqa: ANN001 - any iterable of family names
    """The longest family `model` belongs to ("gpt-4o-mini-2024-07-18" → "gpt-4o-mini"), else ""."""
    name = (model or "").strip().lower()
    best = ""
    for family in families:
        if (name == family or name.startswith(family + "-")) and len(family) > len(best):
            best = family
    return best


def price_for(model: str) -> tuple[Decimal, Decimal]:
    """(input, output) cents per million tokens for `model`; the longest matching family, else the unknown price."""
    best = _family(model, PRICES_CENTS_PER_MTOK)
    return PRICES_CENTS_PER_MTOK[best] if best else UNKNOWN_MODEL_PRICE


def supports_structured_outputs(model: str) -> bool:
    """Whether `model` takes a strict json_schema response_format (its family is in STRUCTURED_OUTPUT_FAMILIES)."""
    return bool(_family(model, STRUCTURED_OUTPUT_FAMILIES))


def cost_cents(model: str, input_tokens: int | None, output_tokens: int | None) -> int:
    """Whole cents for one call, rounded up; the flat fallback when usage is missing."""
    if input_tokens is None or output_tokens is None:
        return FLAT_FALLBACK_CENTS
    price_in, price_out = price_for(model)
    exact = (Decimal(max(input_tokens, 0)) * price_in + Decimal(max(output_tokens, 0)) * price_out) / _MILLION
    return int(exact.to_integral_value(rounding=ROUND_CEILING))
