"""Signals of the outcomes app, for higher apps (monitoring raises receivables alerts on them)."""

from django.dispatch import Signal

# Sent inside the transaction that rewrote outcomes; ``customer_ids``: the customers concerned
# (None: every customer with invoices). Receivers queue their work with on_commit.
outcomes_computed = Signal()
