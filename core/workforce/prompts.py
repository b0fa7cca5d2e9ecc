"""One workflow step's prompt, the check of its artifact against the step's schema, and its mock artifact."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ValidationError

from core.llm.pricing import supports_structured_outputs
from core.llm.tasks import json_schema_format
from core.workforce.schemas import strict_schema
from core.workforce.template import RoleTemplate, Step

MOCK_LABEL = "[MOCK RESULT: no LLM was called]"
# Earlier artifacts are passed on whole up to this size each, so a long step cannot crowd out the instruction.
MAX_CONTEXT_CHARS = 6000
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n(?P<body>.*?)\n?```\s*$", re.DOTALL)


@dataclass(frozen=True)
class StepContext:
    """What every step's prompt is built from: the task, the customer, the worker, and the reviewer's note."""

    task_id: int
    description: str
    company: str
    plan: str
    notes: str
    worker: str
    tone: str
    review_note: str | None = None
    lessons: str = ""  # the labelled section of what we have learned about the customer (core.memory.prompt)


def system_prompt(template: RoleTemplate, ctx: StepContext) -> str:
    """The worker's standing instructions: who it is and how it writes."""
    return (f"You are {ctx.worker}, a {template.title} at HossAgent. {template.description} "
            f"Write in this tone: {ctx.tone}. Be concrete and specific to the customer; no preamble, no filler.")


def step_prompt(template: RoleTemplate, step: Step, ctx: StepContext, previous: list[tuple[str, str]]) -> str:
    """The user prompt of `step`: the role's instruction, the task, the customer, earlier artifacts, the note."""
    position = [s.name for s in template.steps].index(step.name) + 1
    parts = [f"Step {position} of {len(template.steps)}: {step.name}", f"Instruction: {step.instruction}",
             f"Task: {ctx.description}", f"Customer: {ctx.company} (plan: {ctx.plan})",
             f"Customer notes: {ctx.notes.strip() or 'none'}"]
    if ctx.lessons:
        parts.append(ctx.lessons)
    for name, artifact in previous:
        parts.append(f"--- Output of step {name} ---\n{artifact[:MAX_CONTEXT_CHARS]}")
    if ctx.review_note:
        parts.append(f"Reviewer's note (the previous version was sent back; address it): {ctx.review_note}")
    if step.schema is not None:
        parts.append("Answer with one JSON object only (no prose, no code fence) with these fields: "
                     f"{_fields(step.schema)}. Example: {json.dumps(step.example)}")
    else:
        parts.append("Answer in Markdown.")
    return "\n\n".join(parts)


@lru_cache(maxsize=64)
def _fields(schema: type[BaseModel]) -> str:
    """The schema's fields as JSON (computed once per model: it runs before every json step)."""
    return json.dumps(schema.model_json_schema()["properties"])


def response_format(step: Step, model: str) -> dict | None:
    """The step's schema as a strict json_schema response_format when `model` takes one; None for a markdown step
    or a model without Structured Outputs (the prompt-and-retry path)."""
    if step.schema is None or not supports_structured_outputs(model):
        return None
    return _strict_format(step.schema)


@lru_cache(maxsize=64)
def _strict_format(schema: type[BaseModel]) -> dict:
    return json_schema_format(schema.__name__, strict_schema(schema.model_json_schema()))


def retry_prompt(prompt: str, error: str) -> str:
    """The same prompt again with the validation error of the previous answer (the one JSON retry)."""
    return f"{prompt}\n\nYour previous answer was rejected: {error[:800]}\nAnswer again with only the JSON object."


class ArtifactInvalid(ValueError):
    """A `json` step's answer is not JSON or does not satisfy the step's schema; the message says where."""


def check_artifact(step: Step, text: str) -> str:
    """The artifact a step's answer makes: markdown as is; json parsed, validated, re-serialised. ArtifactInvalid."""
    text = text.strip()
    if step.schema is None:
        return text
    fenced = _FENCE.match(text)
    body = fenced.group("body") if fenced else text
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise ArtifactInvalid(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    try:
        model = step.schema.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:5])
        raise ArtifactInvalid(f"does not match the {step.name} schema: {problems}") from None
    return json.dumps(model.model_dump(), indent=2, ensure_ascii=False)


def mock_artifact(step: Step, ctx: StepContext) -> str:
    """A deterministic stand-in artifact, labelled so nobody mistakes it for real work (valid for json steps)."""
    if step.schema is not None:
        return json.dumps({"mock": MOCK_LABEL, **(step.example or {})}, indent=2)
    digest = int(hashlib.sha256(f"{ctx.task_id}:{step.name}:{ctx.description}".encode()).hexdigest()[:8], 16)
    focus = ("mid-market accounts", "self-serve onboarding", "partner channels", "pricing clarity")[digest % 4]
    note = f"\n\nAddresses the reviewer's note: {ctx.review_note}" if ctx.review_note else ""
    return (f"{MOCK_LABEL}\n\n## {step.name}: {ctx.description}\n\nFor {ctx.company} ({ctx.plan} plan): start with "
            f"{focus}, list the three closest competitors, and confirm priorities with the customer.{note}\n\n"
            "Set OPENAI_API_KEY for a real result.")
