"""The approval-policy editor the Agents page embeds: one row per action type (mode, limit, approvers,
two-person threshold, SLA and escalation; SPEC §4, §14)."""

from __future__ import annotations

import streamlit as st

from core.approvals.policies import APPROVING_ROLES, POLICY_MODES, TIMEOUT_ACTIONS, PolicyError, list_policies, update_policy
from core.config.context import AppContext
from core.errors import Forbidden
from core.money.cents import cents_from_dollars, to_dollars
from ui.context import current_actor
from ui.permits import permit

_LABELS = {"manual": "manual (operator approves)", "auto": "auto (policy approves)",
           "auto_below": "auto below an amount"}


def render_policy_settings(ctx: AppContext) -> None:
    """Show and edit the approval policy of every action type (stored in `settings`, audited)."""
    with ctx.sessions() as session:
        policies = list_policies(session)
    may = permit("change_policy")
    if may.help:
        st.caption(may.help)
    for policy in policies:
        at = policy.action_type
        with st.container(border=True):
            name, mode_col, limit_col, save_col = st.columns([2, 3, 2, 1], vertical_alignment="bottom")
            name.text(at)
            mode = mode_col.selectbox("Policy", POLICY_MODES, index=POLICY_MODES.index(policy.mode),
                                      format_func=_LABELS.get, key=f"policy_mode_{at}")
            dollars = limit_col.number_input(
                "Limit (USD)", min_value=0.0, step=10.0, value=to_dollars(policy.limit_cents or 0),
                disabled=mode != "auto_below", key=f"policy_limit_{at}")
            with st.container():  # not an expander: the page's expanders are its agents
                a, b = st.columns(2)
                approvers = a.multiselect("Approving roles", APPROVING_ROLES, default=list(policy.approvers),
                                          key=f"policy_approvers_{at}")
                two = b.number_input("Two operators from (USD; blank: never)", min_value=0.0, step=10.0,
                                     value=None if policy.two_person_above_cents is None
                                     else to_dollars(policy.two_person_above_cents), key=f"policy_two_{at}")
                c, d, e = st.columns(3)
                sla = c.number_input("SLA (minutes; blank: none)", min_value=1, step=5, value=policy.sla_minutes,
                                     key=f"policy_sla_{at}")
                timeout = d.selectbox("On timeout", TIMEOUT_ACTIONS, index=TIMEOUT_ACTIONS.index(policy.on_timeout),
                                      key=f"policy_timeout_{at}")
                escalate = e.number_input("Escalate after (minutes; blank: never)", min_value=1, step=5,
                                          value=policy.escalate_after_minutes, key=f"policy_escalate_{at}")
            if save_col.button("Save", key=f"policy_save_{at}", disabled=may.disabled, help=may.help):
                changes = {
                    "mode": mode, "limit_cents": cents_from_dollars(dollars) if mode == "auto_below" else None,
                    "approvers": tuple(approvers), "two_person_above_cents": None if two is None else cents_from_dollars(two),
                    "sla_minutes": None if sla is None else int(sla), "escalate_after_minutes": None if escalate is None
                    else int(escalate),
                }
                if sla is not None:
                    changes["on_timeout"] = timeout
                with ctx.sessions() as session:
                    try:
                        saved = update_policy(session, at, current_actor(), **changes)
                        session.commit()
                    except (PolicyError, Forbidden) as exc:
                        st.error(str(exc))
                    else:
                        st.text(f"Saved: {saved.describe()}")
