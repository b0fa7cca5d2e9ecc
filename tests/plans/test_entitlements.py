"""Entitlements: a plan's monthly cap holds tasks (never drops them), under concurrency too, and releases them."""

from __future__ import annotations

import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.config.context import AppContext
from core.plans.catalogue import change_customer_plan, update_plan
from core.plans.entitlements import release_all_held
from core.plans.tick import plans_tick
from core.workforce.intake import add_task
from tests.plans.plans_data import OPERATOR, add, make_customer, set_cap, statuses, upgrade_proposals


def test_starter_with_cap_three_and_five_tasks_makes_three_pending_two_held_one_upgrade(session: Session) -> None:
    set_cap(session, "starter", 3)
    cid = make_customer(session)
    add(session, cid, 5)
    assert statuses(session, cid) == ["pending"] * 3 + ["held"] * 2
    proposals = upgrade_proposals(session)
    assert len(proposals) == 1 and proposals[0][0].startswith("Upgrade")
    assert proposals[0][1]["checkout"]["plan"] == "pro" and proposals[0][1]["checkout"]["mode"] == "subscription"
    reasons = session.execute(text("SELECT held_reason FROM tasks WHERE status = 'held'")).scalars().all()
    assert all("starter plan's cap: 3 of 3" in r for r in reasons)


def test_twenty_concurrent_creations_with_three_slots_left_make_exactly_three_pending(ctx: AppContext) -> None:
    with ctx.sessions() as session:
        set_cap(session, "starter", 5)
        cid = make_customer(session)
        add(session, cid, 2)  # 3 slots left
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def create(i: int) -> None:
        try:
            with ctx.sessions() as own:
                barrier.wait()
                add_task(own, customer_id=cid, description=f"Concurrent {i}", reward_cents=50, actor=OPERATOR)
                own.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with ctx.sessions() as session:
        found = statuses(session, cid)
        assert found.count("pending") == 5 and found.count("held") == 17
        assert len(upgrade_proposals(session)) == 1


def test_plan_change_releases_held_tasks_oldest_first_up_to_the_new_cap(session: Session) -> None:
    set_cap(session, "starter", 1)
    set_cap(session, "pro", 3)
    cid = make_customer(session)
    ids = add(session, cid, 5)
    released = change_customer_plan(session, cid, "pro", OPERATOR, source="operator")
    session.commit()
    assert released == tuple(ids[1:3])
    assert statuses(session, cid) == ["pending", "pending", "pending", "held", "held"]
    history = session.execute(text("SELECT from_plan, to_plan, source FROM plan_changes")).one()
    assert tuple(history) == ("starter", "pro", "operator")


def test_raising_a_plans_cap_releases_its_customers_held_tasks(session: Session) -> None:
    set_cap(session, "starter", 1)
    cid = make_customer(session)
    add(session, cid, 3)
    assert update_plan(session, "starter", monthly_task_cap=None, monthly_price_cents=4900, stripe_price_id=None,
                       actor=OPERATOR) == 2
    session.commit()
    assert statuses(session, cid) == ["pending"] * 3
    audit = session.execute(text("SELECT metadata FROM audit_log WHERE entity = 'plan'")).scalar_one()
    assert audit["from"]["monthly_task_cap"] == 1 and audit["to"]["monthly_task_cap"] is None


def test_a_new_month_releases_held_tasks_on_the_first_tick(session: Session) -> None:
    set_cap(session, "starter", 2)
    cid = make_customer(session)
    add(session, cid, 4)
    # Last month's admissions no longer count: the month turned.
    session.execute(text("UPDATE tasks SET admitted_at = admitted_at - interval '40 days' WHERE status = 'pending'"))
    session.commit()
    assert plans_tick(session).released == 2  # the scheduler's plans job
    assert statuses(session, cid) == ["pending"] * 4
    assert release_all_held(session) == 0


def test_unlimited_plan_never_holds(session: Session) -> None:
    cid = make_customer(session, plan="enterprise")
    add(session, cid, 30)
    assert set(statuses(session, cid)) == {"pending"} and upgrade_proposals(session) == []
