"""Money: the ledger and what a Stripe event books in it, invoices, runway, and the one owner of each money figure
(figures: profit, gross margin, spend, net profit; words: what each means; cents: money as text)."""
