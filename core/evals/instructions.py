"""Changing a worker's instructions (SPEC §20): the new version is made current, its eval runs at once, and the
old and new versions come back side by side for the operator to keep or roll back (core.workforce.versions)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from core.audit import Actor
from core.config.settings import Settings
from core.evals.run import EvalReport, run_eval
from core.evals.views import VersionFigures, version_figures
from core.ops.runner import TaskRunner
from core.workforce.versions import new_version


@dataclass(frozen=True)
class Comparison:
    """The old and the new version after an edit, each with its eval, and the new version's eval run."""

    old: VersionFigures
    new: VersionFigures
    report: EvalReport

    def lines(self) -> list[str]:
        """The two versions side by side in words, then how to keep or roll back."""
        old, new = self.old.rows(), self.new.rows()
        width = max(len(k) for k in old)
        out = [f"{'':{width}}  {'old':28}  new"]
        out += [f"{k:{width}}  {old[k][:28]:28}  {new[k]}" for k in old]
        name = self.new.instructions.worker
        out.append(f"{name} now runs version {new['version']}. Keep it (nothing to do), or roll back with "
                   f"`python -m core worker rollback {name} {old['version']}`.")
        return out


def edit_and_evaluate(session: Session, settings: Settings, name: str, actor: Actor, *, tone: str | None = None,
                      model: str | None = None, step_prompts: dict[str, str] | None = None,
                      cases: int | None = None, runner: TaskRunner | None = None) -> Comparison:
    """A new version of `name`'s instructions (committed), its eval (and the old version's when it has none, on the
    same cases), and both side by side. InvalidInput / Forbidden as new_version and run_eval."""
    old, new = new_version(session, name, actor, tone=tone, model=model, step_prompts=step_prompts, note="edited")
    session.commit()
    runner = runner or TaskRunner(settings)
    before = version_figures(session, name, [old])[0]
    if before.eval is None and old.version > 0:  # version 0: a worker written without versions, no row to run
        run_eval(session, settings, None, actor, worker=name, version=old.version, cases=cases, runner=runner)
    report = run_eval(session, settings, None, actor, worker=name, version=new.version, cases=cases, runner=runner)
    old_figures, new_figures = version_figures(session, name, [old, new])
    return Comparison(old_figures, new_figures, report)
