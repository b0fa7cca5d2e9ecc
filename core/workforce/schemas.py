"""The shapes a `json` step's output must satisfy (pydantic), one model per kind of structured artifact."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


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
