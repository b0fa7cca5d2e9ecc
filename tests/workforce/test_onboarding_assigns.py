"""Onboarding gives each starter task to a worker by role (SPEC §12)."""

from __future__ import annotations

from sqlalchemy import text

from core.agents.onboarding import onboard_lead


def test_starter_tasks_go_to_the_research_analyst_and_the_copywriter(session):
    lead = session.execute(text("INSERT INTO leads (company, email, status) VALUES ('Zahn', 'z@zahn.test', "
                                "'responded') RETURNING id")).scalar_one()
    done = onboard_lead(session, lead, "Zahn", "z@zahn.test")
    session.commit()
    rows = session.execute(text("SELECT description, agent FROM tasks ORDER BY id")).all()
    expected = {"Initial market research for Zahn": "Rhea", "Competitive landscape review for Zahn": "Rhea",
                "Draft executive summary for Zahn": "Corin"}
    assert len(rows) == len(done.task_ids) and all(expected[d] == a for d, a in rows)
