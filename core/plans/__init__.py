"""Customers on plans (SPEC §13): plans, entitlements on every task created, subscriptions, budgets, ROI."""
