"""Money: the ledger, invoices, runway, and the Money graph that turns Stripe events into proposals."""
