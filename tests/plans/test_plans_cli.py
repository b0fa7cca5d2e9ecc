"""`python -m core plans|customer`: plan edits and plan changes from the shell; bad input is one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.plans.plans_data import add, make_customer, set_cap

ROOT = Path(__file__).resolve().parents[2]


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DATABASE_URL"))}
    env["DATABASE_URL"] = db_url
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_customer_plan_from_the_shell_releases_held_tasks_and_plans_set_edits_a_plan(session: Session,
                                                                                   db_url: str) -> None:
    set_cap(session, "starter", 1)
    cid = make_customer(session)
    add(session, cid, 3)
    proc = _cli(db_url, "customer", "plan", str(cid), "pro")
    assert proc.returncode == 0, proc.stderr
    assert "2 held task(s) released" in proc.stdout
    proc = _cli(db_url, "plans", "set", "pro", "--price-id", "price_pro_1")
    assert proc.returncode == 0 and "Stripe price price_pro_1" in proc.stdout
    session.rollback()
    assert session.execute(text("SELECT stripe_price_id FROM plans WHERE name = 'pro'")).scalar_one() == "price_pro_1"


def test_an_unknown_plan_is_one_line_and_exit_2(session: Session, db_url: str) -> None:
    proc = _cli(db_url, "plans", "set", "platinum", "--cap", "9")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0 and "no plan 'platinum'" in proc.stderr
