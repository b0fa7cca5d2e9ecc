"""What a role template is (SPEC §12): its workflow steps and the defaults of a hired worker.

The six templates are in catalogue.py; look one up by name with core.workforce.roles.role_template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

ArtifactKind = Literal["markdown", "json"]


@dataclass(frozen=True)
class Step:
    """One workflow step: one LLM call whose output (`markdown`, or `json` satisfying `schema`) is its artifact."""

    name: str
    instruction: str
    artifact: ArtifactKind = "markdown"
    schema: type[BaseModel] | None = None
    example: dict[str, Any] | None = None  # a valid instance: shown in the prompt, and the mock artifact's shape

    def __post_init__(self) -> None:
        if (self.artifact == "json") != (self.schema is not None):
            raise ValueError(f"step {self.name}: a json artifact needs a schema, a markdown one none")
        if self.schema is not None:
            self.schema.model_validate(self.example or {})  # the example must itself be valid


@dataclass(frozen=True)
class RoleTemplate:
    """A role one hires from: defaults for the worker and its workflow (2–5 steps)."""

    role: str
    title: str
    description: str
    steps: tuple[Step, ...]
    human_minutes: int
    default_tone: str
    default_model: str
    review_by_default: bool
    permissions: tuple[str, ...]  # the action types its work may propose
    revise_from: str  # the step a revision restarts at (never the first of a 3+ step workflow)
    starter_keywords: tuple[str, ...] = field(default=())  # Onboarding: starter tasks with these words go here
    deliverable: str | None = None  # the step whose artifact reaches the customer (default: the last)

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if not 2 <= len(names) <= 5 or len(set(names)) != len(names):
            raise ValueError(f"role {self.role}: 2-5 uniquely named steps")
        if self.revise_from not in names or (len(names) >= 3 and names.index(self.revise_from) == 0):
            raise ValueError(f"role {self.role}: revise_from must be a later step")

    @property
    def deliverable_index(self) -> int:
        """The index of the step whose artifact is the task's result (result_summary, the delivery)."""
        return [s.name for s in self.steps].index(self.deliverable) if self.deliverable else len(self.steps) - 1

    @property
    def revise_index(self) -> int:
        """The index of `revise_from` in the workflow."""
        return [s.name for s in self.steps].index(self.revise_from)

    def step_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.steps)
