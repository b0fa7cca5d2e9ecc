"""Workforce (SPEC §12): the roster with each worker's record, hiring from a role template, pause/resume/fire."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import HossError
from core.evals.instructions import edit_and_evaluate
from core.evals.run import run_eval
from core.evals.views import recent_evals, recent_words, version_figures, worker_evals
from core.money.cents import dollars
from core.workforce.hiring import edit_worker, hire, list_workers, parse_hours, set_worker_status
from core.workforce.roles import all_roles, role_template
from core.workforce.undo import recently_fired, undo_firing
from core.workforce.versions import current_instructions, list_versions, rollback
from core.workforce.views import recent_worker_tasks, worker_stats
from ui.confirm import confirmed
from ui.context import app_context, current_actor
from ui.give_task import give_task_form
from ui.permits import permit
from ui.safe import md_escape

ctx = app_context()
st.title("Workforce")
st.caption("Workers hired from role templates. Each task a worker takes runs as its role's workflow, step by "
           "step; work of a worker with review waits for you in the task view before it is done and delivered.")
if message := st.session_state.pop("workforce_flash", None):
    st.text(message)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


with ctx.sessions() as session:
    workers = list_workers(session, include_fired=True)
    stats = {s.name: s for s in worker_stats(session)}
    evals = worker_evals(session)
roster = pd.DataFrame([{
    "name": w.name, "role": w.role, "status": w.status, "hours": w.hours_text,
    "review": "yes" if w.review_required else "no", "model": w.model, "done": stats[w.name].done,
    "revision rate": _pct(stats[w.name].revision_rate), "approved as is": _pct(stats[w.name].approved_as_is_rate),
    "last eval": evals[w.name][0].summary() if w.name in evals else "not evaluated",
    "eval cost per case": dollars(evals[w.name][0].cost_per_case_cents) if w.name in evals else "–",
    "recent evals": recent_words(evals.get(w.name, [])),
    "cost": dollars(stats[w.name].cost_cents), "earned": dollars(stats[w.name].earned_cents),
    "margin": dollars(stats[w.name].margin_cents),
    "median time to done": "–" if stats[w.name].median_minutes_to_done is None
    else f"{stats[w.name].median_minutes_to_done:.0f} min",
} for w in workers if w.name in stats])
st.subheader("Roster")
if roster.empty:
    st.text("Nobody hired yet: hire a worker below.")
else:
    st.dataframe(roster, hide_index=True, width="stretch")


_SAME_ROLE = "the least loaded worker of its role"


def _set_status(to: str) -> None:
    name = st.session_state.get("workforce_worker")
    heir = st.session_state.get("workforce_heir", _SAME_ROLE)
    try:
        with ctx.sessions() as session:
            old = set_worker_status(session, name, to, current_actor(),
                                    hand_to=None if to != "fired" or heir == _SAME_ROLE else heir)
            session.commit()
        said = {"paused": "paused", "active": "resumed", "fired": "fired"}[to]
        st.session_state["workforce_flash"] = (f"{name} is already {to}." if old == to else
                                               f"{name} {said} (was {old})." + (
                                                   " You can undo the firing for 10 minutes." if to == "fired" else ""))
    except HossError as exc:
        st.session_state["workforce_flash"] = f"Not done: {exc}"


def _save(change, said, refused: str) -> None:  # noqa: ANN001 - change(session) -> result; said(result) -> str
    """One audited change in its own transaction: on success flash `said(result)` and rerun, else say why not."""
    try:
        with ctx.sessions() as session:
            result = change(session)
            session.commit()
    except HossError as exc:
        st.text(f"{refused}: {exc}")
        return
    st.session_state["workforce_flash"] = said(result)
    st.rerun()


def instructions_section(name: str) -> None:
    """The worker's instruction versions side by side (eval pass rate and cost, revision and approved-as-is rates),
    a new version evaluated at once, an eval on demand, and the rollback."""
    with ctx.sessions() as session:
        current = current_instructions(session, name)
        versions = list_versions(session, name)
        figures = version_figures(session, name, versions[:4])
        recent = recent_evals(session, name)
    st.text(f"{name} runs version {current.version}. Recent evals, oldest to newest: {recent_words(recent)}.")
    if figures:
        table = pd.DataFrame({f"version {f.instructions.version}" + (" (current)" if f.instructions.version ==
                                                                     current.version else ""): f.rows()
                              for f in figures}).drop(index="version")
        st.dataframe(table, width="stretch", key="versions_table")
    template = role_template(next(w.role for w in workers if w.name == name))
    evaluating, changing = permit("run_eval"), permit("manage_workforce")
    with st.form(f"instructions_{name}"):
        tone = st.text_input("Tone", value=current.tone, key=f"ins_tone_{name}")
        model = st.text_input("Model", value=current.model, key=f"ins_model_{name}")
        overrides = dict(current.step_prompts)
        prompts = {s.name: st.text_area(f"Step {s.name} (empty: the template's)", value=overrides.get(s.name, ""),
                                        placeholder=s.instruction, key=f"ins_step_{name}_{s.name}")
                   for s in template.steps}
        cases = st.number_input("Golden cases to run", min_value=1, max_value=50, value=3, key=f"ins_cases_{name}")
        if st.form_submit_button("Save as a new version and run its eval", disabled=changing.disabled
                                 or evaluating.disabled, help=changing.help or evaluating.help):
            changed = {k: v for k, v in prompts.items() if v.strip() != overrides.get(k, "")}
            _save(lambda session: edit_and_evaluate(session, ctx.settings, name, current_actor(),
                                                    tone=tone if tone.strip() != current.tone else None,
                                                    model=model if model.strip() != current.model else None,
                                                    step_prompts=changed, cases=int(cases)),
                  lambda comparison: "\n".join([*comparison.report.lines(), *comparison.lines()]), "Not saved")
    c1, c2, c3 = st.columns([2, 2, 2])
    eval_cases = c1.number_input("Cases", min_value=1, max_value=50, value=3, key=f"eval_cases_{name}")
    if c1.button("Run its eval now", key=f"eval_run_{name}", disabled=evaluating.disabled, help=evaluating.help):
        _save(lambda session: run_eval(session, ctx.settings, None, current_actor(), worker=name,
                                       cases=int(eval_cases)), lambda report: "\n".join(report.lines()), "Not run")
    others = [v.version for v in versions if v.version != current.version]
    if others:
        back = c2.selectbox("Roll back to", others, key=f"rollback_to_{name}", format_func=lambda n: f"version {n}")
        if c3.button("Roll back", key=f"rollback_{name}", disabled=changing.disabled, help=changing.help):
            _save(lambda session: rollback(session, name, int(back), current_actor()),
                  lambda result: f"{name} is back on {result[1].describe()} (was version {result[0]}).",
                  "Not rolled back")


active = [w.name for w in workers if w.status != "fired"]
with ctx.sessions() as session:
    undoable = recently_fired(session)
for fired in undoable:
    u1, u2 = st.columns([4, 1])
    u1.text(f"{fired} was fired in the last 10 minutes.")
    if u2.button(f"Undo firing {fired}", key=f"undo_fire_{fired}", disabled=permit("manage_workforce").disabled,
                 help=permit("manage_workforce").help):
        _save(lambda session, name=fired: undo_firing(session, name, current_actor()), lambda said: said,
              "Not undone")
if active:
    # Pills, not select boxes: the roster is in view at one click.
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    c1.pills("Worker", active, default=active[0], required=True, key="workforce_worker")
    staffing = permit("manage_workforce")
    c2.button("Pause", key="workforce_pause", on_click=_set_status, args=("paused",), disabled=staffing.disabled,
              help=staffing.help)
    c3.button("Resume", key="workforce_resume", on_click=_set_status, args=("active",), disabled=staffing.disabled,
              help=staffing.help)
    picked = st.session_state.get("workforce_worker", active[0])
    if confirmed("workforce_fire", "Fire", f"Fire {picked}? It stops working for good, and its pending tasks go to "
                 f"{st.session_state.get('workforce_heir', _SAME_ROLE)}. You can undo this for 10 minutes.",
                 f"Yes, fire {picked}", where=c4, disabled=staffing.disabled, help=staffing.help):
        _set_status("fired")
        st.rerun()
    if staffing.help:
        st.caption(staffing.help)
    others = [n for n in active if n != st.session_state.get("workforce_worker", active[0])]
    st.pills("Firing hands its pending tasks to", [_SAME_ROLE, *others], default=_SAME_ROLE, required=True,
             key="workforce_heir")

    chosen = next(w for w in workers if w.name == st.session_state.get("workforce_worker", active[0]))
    # Lazy, as the Hire box below: its form is built and sent only when opened.
    edit_box = st.expander(f"Edit {chosen.name}", key="workforce_edit_box", on_change="rerun")
    if edit_box.open:
        with edit_box, st.form(f"edit_{chosen.name}"):
            st.caption("Tone, model and step prompts are versioned: change them under Instructions and evals, "
                       "where the new version is evaluated before you keep it.")
            hours = st.text_input("Working hours", value=chosen.hours_text, key=f"edit_hours_{chosen.name}")
            review = st.checkbox("Review its work", value=chosen.review_required, key=f"edit_review_{chosen.name}")
            editing = permit("manage_workforce")
            if st.form_submit_button("Save changes", disabled=editing.disabled, help=editing.help):
                _save(lambda session: edit_worker(session, chosen.name, current_actor(), hours=parse_hours(hours),
                                                  review=review),
                      lambda _: f"Saved {chosen.name}.", "Not saved")
    # Lazy, as Edit: the versions, their evals and the form are read and built only when opened.
    versions_box = st.expander(f"Instructions and evals of {chosen.name}", key="workforce_versions_box",
                               on_change="rerun")
    if versions_box.open:
        with versions_box:
            instructions_section(chosen.name)
    # Lazy, as Edit: the customers and the form are read and built only when opened.
    give_box = st.expander(f"Give {chosen.name} a task", key="workforce_give_box", on_change="rerun")
    if give_box.open:
        with give_box:
            give_task_form(f"worker_{chosen.name}", worker=chosen.name)


def hire_section() -> None:
    """A role template's description and steps, and the form that hires a worker from it."""
    roles = [t.role for t in all_roles()]
    role = st.selectbox("Role template", roles, key="hire_role",
                        format_func=lambda r: f"{role_template(r).title} ({r})")
    template = role_template(role)
    st.text(f"{template.description}\n{template.human_minutes} minutes of a person's work per task · may propose: "
            f"{', '.join(template.permissions)} · a revision re-runs from {template.revise_from}")
    for i, step in enumerate(template.steps, start=1):
        st.markdown(f"**{i}. {md_escape(step.name)}** ({step.artifact}) — {md_escape(step.instruction)}")
    with st.form("hire_form"):
        name = st.text_input("Name", key="hire_name")
        tone = st.text_input("Tone", value=template.default_tone, key=f"hire_tone_{role}")
        model = st.text_input("Model", value=template.default_model, key=f"hire_model_{role}")
        hours = st.text_input("Working hours", value="always", key="hire_hours",
                              help='e.g. "mon-fri 09:00-17:00 Europe/Berlin"; a night shift such as '
                                   '"mon-fri 22:00-06:00 UTC" ends the next morning')
        review = st.checkbox("Review its work before it is done", value=template.review_by_default,
                             key=f"hire_review_{role}")
        hiring = permit("manage_workforce")
        if st.form_submit_button("Hire", type="primary", disabled=hiring.disabled, help=hiring.help):
            _save(lambda session: hire(session, role, name, current_actor(), tone=tone, model=model,
                                       hours=parse_hours(hours), review=review),
                  lambda worker: f"Hired {worker.name} as {worker.role}.", "Not hired")


hire_box = st.expander("Hire a worker from a role template", key="workforce_hire_box", on_change="rerun")
if hire_box.open:
    with hire_box:
        hire_section()

def recent_tasks_section() -> None:
    """The workers' newest tasks, each linked to its task view."""
    with ctx.sessions() as session:
        tasks = recent_worker_tasks(session)
    if not tasks:
        st.text("No worker tasks yet.")
        return
    df = pd.DataFrame(tasks)
    df["cost"] = df.pop("cost_cents").map(dollars)
    df["reward"] = df.pop("reward_cents").map(dollars)
    st.dataframe(df, hide_index=True, width="stretch",
                 column_config={"view": st.column_config.LinkColumn("view", display_text="open")})


# Lazy, like Edit and Hire: a second table cost every cold load of the page about a tenth of a hello-world page
# (issue 16); the roster above says what each worker has done.
recent_box = st.expander("Recent worker tasks", key="workforce_recent_box", on_change="rerun")
if recent_box.open:
    with recent_box:
        recent_tasks_section()
