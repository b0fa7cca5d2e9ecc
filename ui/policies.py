"""The approval-policy editor the Agents page embeds: one row per action type."""

from __future__ import annotations

import streamlit as st

from core.approvals.policies import POLICY_MODES, PolicyError, list_policies, set_policy
from core.config.cents import cents_from_dollars, to_dollars
from core.config.context import AppContext
from ui.context import current_actor

_LABELS = {"manual": "manual (operator approves)", "auto": "auto (policy approves)",
           "auto_below": "auto below an amount"}


def render_policy_settings(ctx: AppContext) -> None:
    """Show and edit the approval policy of every action type (stored in `settings`, audited)."""
    with ctx.sessions() as session:
        policies = list_policies(session)
    for policy in policies:
        with st.container(border=True):
            name, mode_col, limit_col, save_col = st.columns([2, 3, 2, 1], vertical_alignment="bottom")
            name.text(policy.action_type)
            mode = mode_col.selectbox("Policy", POLICY_MODES, index=POLICY_MODES.index(policy.mode),
                                      format_func=_LABELS.get, key=f"policy_mode_{policy.action_type}")
            dollars = limit_col.number_input(
                "Limit (USD)", min_value=0.0, step=10.0, value=to_dollars(policy.limit_cents or 0),
                disabled=mode != "auto_below", key=f"policy_limit_{policy.action_type}")
            if save_col.button("Save", key=f"policy_save_{policy.action_type}"):
                limit = cents_from_dollars(dollars) if mode == "auto_below" else None
                with ctx.sessions() as session:
                    try:
                        saved = set_policy(session, policy.action_type, mode, limit, current_actor())
                        session.commit()
                    except PolicyError as exc:
                        st.error(str(exc))
                    else:
                        st.text(f"Saved: {saved.describe()}")
