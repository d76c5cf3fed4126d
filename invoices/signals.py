"""News that travels up from the ledger: the contact schedule subscribes, invoices never imports it.

Plain data only (ids and flags), like `dunning/signals.py`; `sender` is the invoices module.
"""

from django.dispatch import Signal

# One invoice was handed over by the client (the handover page or the API), in a transaction that
# may still roll back: a receiver that starts work defers it with `transaction.on_commit`.
# kwargs: tenant_id (int), invoice_id (int), payer_id (int), express (bool: express monitoring).
invoice_handed_over = Signal()
