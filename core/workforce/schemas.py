"""The shapes a `json` step's output must satisfy (pydantic), one model per kind of structured artifact."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

# Keywords strict Structured Outputs refuses or ignores; the artifact check (pydantic) still enforces them.
_NOT_STRICT = frozenset({"default", "minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum",
                         "exclusiveMinimum", "exclusiveMaximum", "pattern", "format"})


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a JSON schema that strict mode accepts: every object closed (additionalProperties false) with every
    property required, recursively (nested objects, arrays, $defs, anyOf); range keywords left to the check."""
    if isinstance(schema, list):
        return [strict_schema(item) for item in schema]  # type: ignore[return-value]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _NOT_STRICT:
            continue
        if key in ("properties", "$defs"):
            out[key] = {name: strict_schema(sub) for name, sub in value.items()}
        elif isinstance(value, (dict, list)):
            out[key] = strict_schema(value)
        else:
            out[key] = value
    if out.get("type") == "object" or "properties" in out:
        out["additionalProperties"] = False
        out["required"] = list(out.get("properties", {}))
    return out


class ResearchPlan(BaseModel):
    """research-analyst · plan: the questions to answer and where the answers come from."""

    objective: str = Field(min_length=1)
    questions: list[str] = Field(min_length=2, max_length=8)
    sources: list[str] = Field(min_length=1)
    out_of_scope: list[str] = Field(default_factory=list)


class SelfCheck(BaseModel):
    """A reviewer's verdict on a draft: issues found and whether it is ready to send."""

    ready: bool
    score: int = Field(ge=1, le=5)
    issues: list[str] = Field(default_factory=list)
    fixes: list[str] = Field(default_factory=list)


class Brief(BaseModel):
    """copywriter · brief: audience, message and the constraints of one piece of copy."""

    audience: str = Field(min_length=1)
    key_message: str = Field(min_length=1)
    proof_points: list[str] = Field(min_length=1)
    call_to_action: str = Field(min_length=1)
    length_words: int = Field(ge=20, le=2000)


class Prospect(BaseModel):
    """One prospect an SDR would contact."""

    company: str = Field(min_length=1)
    role: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class ProspectList(BaseModel):
    """sdr · prospects: who to write to and why now."""

    ideal_customer: str = Field(min_length=1)
    prospects: list[Prospect] = Field(min_length=1, max_length=20)


class Triage(BaseModel):
    """support-triage · classify: what the request is and how urgent."""

    category: Literal["bug", "billing", "how-to", "feature-request", "account", "other"]
    urgency: Literal["low", "medium", "high", "critical"]
    summary: str = Field(min_length=1)
    needs_human: bool
    missing_information: list[str] = Field(default_factory=list)


class LedgerLine(BaseModel):
    """One categorised money line."""

    description: str = Field(min_length=1)
    amount_cents: int
    category: str = Field(min_length=1)
    direction: Literal["in", "out"]


class Categorised(BaseModel):
    """bookkeeper · categorise: every line with a category, and what could not be placed."""

    lines: list[LedgerLine] = Field(min_length=1)
    unclear: list[str] = Field(default_factory=list)


class Findings(BaseModel):
    """qa-reviewer · inspect: what was checked and what is wrong, worst first."""

    checked: list[str] = Field(min_length=1)
    defects: list[str] = Field(default_factory=list)
    severity: Literal["none", "minor", "major", "blocking"]
