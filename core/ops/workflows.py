"""What a claimed task runs (SPEC §18): its worker's role workflow, or the Ops prompt as a one-step workflow.

A `Workflow` is all the runner needs to know about a task's work: its steps, each step's prompt and mock
artifact, the system prompt, the model and which step's artifact is the result. The runner (core.ops.runner)
runs every task's workflow the same way, so the Ops prompt's task is priced, limited, called, checkpointed and
finished exactly as a hired worker's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from core.llm.tasks import SYSTEM_PROMPT
from core.memory.prompt import lessons_section
from core.ops.claims import Claim
from core.workforce.prompts import MOCK_LABEL, StepContext, mock_artifact, step_prompt, system_prompt
from core.workforce.roles import role_template
from core.workforce.template import Step

MOCK_NOTICE = "OPENAI_API_KEY not set, using mock summary."
# The Ops prompt's one step: the whole task in one call (its prompt is build_prompt's, not this instruction).
OPS_STEP = Step("result", "Deliver the task's result in at most 400 words.")


@dataclass(frozen=True)
class Workflow:
    """A task's work as steps: `prompt(step, previous artifacts)` and `mock(step)` make each step's input and its
    stand-in; `by` names who works it in report lines ("" for the Ops prompt)."""

    steps: tuple[Step, ...]
    deliverable_index: int
    system: str
    model: str
    prompt: Callable[[Step, list[tuple[str, str]]], str]
    mock: Callable[[Step], str]
    by: str = ""
    lesson_ids: tuple[int, ...] = ()  # the customer lessons every step's prompt carries (recorded on each step)


def build_prompt(claim: Claim, lessons: str = "") -> str:
    """The task description plus the customer's company, plan and notes, and what we have learned about it."""
    notes = claim.notes.strip() or "none"
    learned = f"{lessons}\n" if lessons else ""
    return (f"Task: {claim.description}\nCustomer: {claim.company} (plan: {claim.plan})\n"
            f"Customer notes: {notes}\n{learned}Deliver the result in at most 400 words.")


def mock_summary(claim: Claim) -> str:
    """A deterministic stand-in result, labelled so nobody mistakes it for real work."""
    digest = int(hashlib.sha256(f"{claim.task_id}:{claim.description}".encode()).hexdigest()[:8], 16)
    focus = ("mid-market accounts", "self-serve onboarding", "partner channels", "pricing clarity")[digest % 4]
    return (f"{MOCK_LABEL} {claim.description}. For {claim.company} ({claim.plan} plan): start with {focus}, "
            "list the three closest competitors, and confirm priorities with the customer. "
            "Set OPENAI_API_KEY for a real result.")


def workflow_for(claim: Claim, default_model: str) -> Workflow:
    """The claim's workflow: its worker's role template, or the Ops prompt's one step; InvalidInput for a worker
    whose role is unknown."""
    lessons, lesson_ids = lessons_section(claim.lessons)
    if claim.agent is None:
        return Workflow((OPS_STEP,), 0, SYSTEM_PROMPT, default_model,
                        lambda _step, _previous: build_prompt(claim, lessons), lambda _step: mock_summary(claim),
                        lesson_ids=lesson_ids)
    template = role_template(claim.role or "")
    if claim.step_prompts:  # the worker's version overrides some steps' instructions (SPEC §20)
        overrides = dict(claim.step_prompts)
        template = replace(template, steps=tuple(replace(s, instruction=overrides.get(s.name, s.instruction))
                                                 for s in template.steps))
    ctx = StepContext(claim.task_id, claim.description, claim.company, claim.plan, claim.notes, claim.agent,
                      claim.tone or template.default_tone, claim.review_note, lessons)
    return Workflow(template.steps, template.deliverable_index, system_prompt(template, ctx),
                    claim.model or default_model,
                    lambda step, previous: step_prompt(template, step, ctx, previous),
                    lambda step: mock_artifact(step, ctx),
                    by=f" by {claim.agent} ({template.role}, {len(template.steps)} steps)", lesson_ids=lesson_ids)
