"""CLI verbs of the plans (SPEC §13): `plans list|set`, `customer plan|portal|budget|usage`."""

from __future__ import annotations

import argparse

from core.app.cli import app_context, command, disposed, id_arg
from core.app.cli_identity import cli_actor
from core.errors import InvalidInput


def add_parsers(sub) -> None:  # noqa: ANN001 - argparse's private subparsers action
    p = sub.add_parser("plans", help="list the plans, or edit one (audited)")
    p.add_argument("action", choices=("list", "set"))
    p.add_argument("name", nargs="?", help="the plan to edit (set)")
    p.add_argument("--cap", help="monthly task cap, or 'unlimited'")
    p.add_argument("--price-cents", type=int, help="monthly price in cents")
    p.add_argument("--price-id", help="Stripe price id ('' clears it)")
    p = sub.add_parser("customer", help="a customer's plan: change it, send the billing portal, set its LLM budget")
    p.add_argument("action", choices=("plan", "portal", "budget", "usage"))
    p.add_argument("id", type=id_arg("customer"), nargs="?", help="customer id (all customers for usage)")
    p.add_argument("value", nargs="?", help="plan name (plan), cents or 'none' (budget)")


def _cap(raw: str | None, current: int | None) -> int | None:
    if raw is None:
        return current
    if raw.strip().lower() in ("unlimited", "none", ""):
        return None
    if not raw.strip().isdigit():
        raise InvalidInput(f"--cap must be a whole number or 'unlimited' (got {raw!r})")
    return int(raw)


@command("plans")
def cmd_plans(args: argparse.Namespace) -> int:
    """List the plans, or edit one: cap, price, Stripe price id."""
    from core.money.cents import dollars
    from core.plans.catalogue import list_plans, update_plan

    ctx = app_context()
    with disposed(ctx), ctx.sessions() as session:  # a refusal leaves no pooled connection to the GC
        plans = {p.name: p for p in list_plans(session)}
        if args.action == "set":
            if not args.name:
                raise InvalidInput("plans set needs a plan name")
            if args.name not in plans:
                raise InvalidInput(f"no plan {args.name!r}; plans are {', '.join(plans)}")
            cur = plans[args.name]
            released = update_plan(
                session, args.name, monthly_task_cap=_cap(args.cap, cur.monthly_task_cap),
                monthly_price_cents=cur.monthly_price_cents if args.price_cents is None else args.price_cents,
                stripe_price_id=cur.stripe_price_id if args.price_id is None else args.price_id,
                actor=cli_actor(ctx))
            session.commit()
            print(f"plan {args.name} saved; {released} held task(s) released")
            plans = {p.name: p for p in list_plans(session)}
    for p in plans.values():
        cap = "unlimited" if p.monthly_task_cap is None else f"{p.monthly_task_cap} tasks/month"
        print(f"{p.name}: {cap}, {dollars(p.monthly_price_cents)}/month, Stripe price {p.stripe_price_id or 'unset'}, "
              f"{p.customers} customer(s)")
    return 0


@command("customer")
def cmd_customer(args: argparse.Namespace) -> int:
    """Change a customer's plan, propose its billing portal link, set its monthly LLM budget, or show usage."""
    from core.plans.budgets import set_customer_budget
    from core.plans.catalogue import change_customer_plan
    from core.plans.portal import propose_billing_portal
    from core.plans.roi import plan_usage_rows

    if args.action != "usage" and args.id is None:
        raise InvalidInput(f"customer {args.action} needs a customer id")
    ctx = app_context()
    actor = cli_actor(ctx)
    with disposed(ctx), ctx.sessions() as session:
        if args.action == "plan":
            if not args.value:
                raise InvalidInput("customer plan needs a plan name")
            released = change_customer_plan(session, args.id, args.value, actor, source="operator")
            session.commit()
            print(f"customer {args.id} on {args.value}; {len(released)} held task(s) released")
        elif args.action == "portal":
            pid = propose_billing_portal(session, args.id, actor)
            session.commit()
            print(f"proposal {pid}: billing portal email for customer {args.id} is in the inbox")
        elif args.action == "budget":
            raw = (args.value or "").strip().lower()
            if raw not in ("none", "") and not raw.isdigit():
                raise InvalidInput("customer budget takes cents (a whole number) or 'none'")
            cents = None if raw in ("none", "") else int(raw)
            set_customer_budget(session, args.id, cents, actor)
            session.commit()
            print(f"customer {args.id}: monthly LLM budget {'none' if cents is None else f'{cents} cents'}")
        else:
            for r in plan_usage_rows(session):
                if args.id is None or r["customer_id"] == args.id:
                    cap = "∞" if r["cap"] is None else r["cap"]
                    print(f"#{r['customer_id']} {r['customer']}: {r['plan']} {r['used']}/{cap} used, {r['held']} held")
    return 0
