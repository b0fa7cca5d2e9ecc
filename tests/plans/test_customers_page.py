"""The Customers page under AppTest: usage, held, money per customer; detail actions; plans editable; hostile text."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from streamlit.testing.v1 import AppTest

from core.errors import InvalidInput
from core.plans.catalogue import create_plan
from tests.console.test_hostile_text import PAYLOADS, rendered_markup
from tests.console_support import run_page, select_rows, use_database
from tests.plans.plans_data import OPERATOR, add, make_customer, set_cap

PAGE = "pages/customers.py"
EVIL = "<script>alert(1)</script> [click](http://evil.test)"
HINT = ("Click a customer's row to see its tasks, invoices and plan history, and to change its plan or budget.")


def run_clicked(row: int, state: dict[str, object] | None = None) -> AppTest:
    """The page after a click on the customers table's `row` (AppTest sets the selection as a browser does)."""
    return select_rows(run_page(PAGE, state=state), row)


@pytest.fixture
def page_db(monkeypatch, db_url, session):
    set_cap(session, "starter", 2)
    cid = make_customer(session, EVIL, email="ap@evil.test", stripe_customer_id="cus_evil")
    add(session, cid, 3)
    yield from use_database(monkeypatch, db_url)


def test_the_page_shows_each_customers_plan_usage_and_held_tasks(page_db) -> None:
    at = run_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    row = table.iloc[0]
    assert (row["customer"], row["plan"], row["used"], row["held"], row["usage"]) == (EVIL, "starter", "2 / 2", 1, 1.0)


def test_hostile_customer_names_render_as_text(page_db) -> None:
    at = run_clicked(0)
    for kind, body, _ in rendered_markup(at):
        assert not any(p in body for p in PAYLOADS), f"raw payload inside a {kind}"
    assert any(EVIL in t.value for t in at.text)


def test_send_billing_portal_link_drafts_one_email_proposal(page_db, session) -> None:
    at = run_clicked(0, {"customers_actions_box": True})
    at.button(key="customers_portal").click().run()
    assert not at.exception
    row = session.execute(text("SELECT action_type, title, payload FROM action_proposals "
                               "WHERE dedupe_key LIKE 'plans:portal:%'")).one()
    assert row.action_type == "email" and row.payload["billing_portal"]["stripe_customer_id"] == "cus_evil"


def test_changing_the_plan_from_the_page_releases_held_tasks(page_db, session) -> None:
    at = run_clicked(0, {"customers_actions_box": True})
    at.selectbox(key="customers_new_plan").set_value("pro").run()
    at.button(key="customers_change_plan").click().run()
    assert not at.exception
    held = session.execute(text("SELECT count(*) FROM tasks WHERE status = 'held'")).scalar_one()
    assert held == 0 and session.execute(text("SELECT plan FROM customers")).scalar_one() == "pro"


def test_a_plan_edit_on_the_page_is_saved_and_audited(page_db, session) -> None:
    at = run_page(PAGE, state={"customers_plans_box": True})
    form_inputs = [t for t in at.text_input if t.label.startswith("Monthly task cap")]
    form_inputs[0].set_value("3")
    at.button[[b.label for b in at.button].index("Save plan")].click().run()
    assert not at.exception
    assert session.execute(text("SELECT monthly_task_cap FROM plans WHERE name = 'starter'")).scalar_one() == 3
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'plan'")).scalar_one() == 1


def test_a_hostile_plan_name_is_refused_by_the_catalogue_and_the_schema(session) -> None:
    with pytest.raises(InvalidInput, match="plan name"):
        create_plan(session, "<script>x</script>", monthly_task_cap=1, monthly_price_cents=0, stripe_price_id=None,
                    actor=OPERATOR)
    with pytest.raises(IntegrityError, match="ck_plans_name_slug"):
        session.execute(text("INSERT INTO plans (name) VALUES ('<b>pro</b>')"))


def test_a_customer_link_opens_that_customers_detail(page_db, session) -> None:
    from core.console.control_room import list_customers
    from tests.console_support import page_path

    other = make_customer(session, "Second Customer GmbH", email="ops@second.test")
    session.commit()
    view = next(r["view"] for r in list_customers(session).rows if r["id"] == other)
    assert view == f"customers?customer={other}"
    at = AppTest.from_file(str(page_path(PAGE)), default_timeout=20)
    at.query_params["customer"] = str(other)
    at.run()
    assert not at.exception
    assert any(t.value.startswith(f"#{other} Second Customer GmbH") for t in at.text)


def test_a_hostile_customer_link_opens_no_detail(page_db) -> None:
    from tests.console_support import page_path

    at = AppTest.from_file(str(page_path(PAGE)), default_timeout=20)
    at.query_params["customer"] = "٣<script>"
    at.run()
    assert not at.exception and HINT in [c.value for c in at.caption] and not at.tabs


def test_the_plans_table_shows_each_cap_as_text_beside_unlimited(page_db) -> None:
    at = run_page(PAGE, state={"customers_plans_box": True})
    plans = next(d.value for d in at.dataframe if "monthly task cap" in d.value.columns)
    caps = dict(zip(plans["plan"], plans["monthly task cap"], strict=True))
    assert caps["starter"] == "2" and "unlimited" in caps.values()  # one type: Arrow cannot mix them


def test_plans_and_budgets_are_read_and_sent_only_when_opened(page_db) -> None:
    closed = run_page(PAGE)
    opened = run_page(PAGE, state={"customers_plans_box": True, "customers_budgets_box": True})
    assert not closed.exception and not opened.exception
    assert not any(b.label in ("Save plan", "Save settings") for b in closed.button)
    assert {"Save plan", "Add plan", "Save settings"} <= {b.label for b in opened.button}


def test_the_detail_waits_for_a_click_and_shows_the_row_clicked(page_db, session) -> None:
    other = make_customer(session, "Second Customer GmbH", email="ops@second.test")
    session.commit()
    at = run_page(PAGE)
    assert not at.exception and HINT in [c.value for c in at.caption] and len(at.dataframe) == 1
    row = list(at.dataframe[0].value["id"]).index(other)
    at = run_clicked(row)
    assert any(t.value.startswith(f"#{other} Second Customer GmbH") for t in at.text)
    assert [t.label for t in at.tabs] == ["Tasks", "Invoices", "Plan history", "What we have learned", "Give a task"]


def test_a_click_stays_on_its_customer_when_a_new_customer_shifts_the_rows(page_db, session) -> None:
    at = run_clicked(0)
    assert any(EVIL in t.value for t in at.text)
    make_customer(session, "Aardvark Ltd", email="a@aardvark.test")  # the rows are no longer those clicked on
    session.commit()
    at.run()
    assert not at.exception and HINT in [c.value for c in at.caption]
    assert not any("Aardvark" in t.value for t in at.text)


def test_a_customers_changes_are_built_only_when_their_box_is_opened(page_db) -> None:
    closed = run_clicked(0)
    opened = run_clicked(0, {"customers_actions_box": True})
    assert not closed.exception and not opened.exception
    assert not {"Change plan", "Save budget"} & {b.label for b in closed.button}
    assert not closed.text_input and opened.text_input
    assert {"Send billing portal link", "Change plan", "Save budget"} <= {b.label for b in opened.button}


def test_a_customer_without_stripe_says_why_it_has_no_billing_portal_link(page_db, session) -> None:
    session.execute(text("UPDATE customers SET stripe_customer_id = NULL"))
    session.commit()
    at = run_clicked(0, {"customers_actions_box": True})
    button = at.button(key="customers_portal")
    assert button.disabled and "no Stripe customer" in (button.proto.help or "")
    assert any("no Stripe customer" in c.value for c in at.caption)
