"""REST API of the ledger: invoices and payments (payers are in `payers.api`)."""

from invoices.api.views import InvoiceViewSet, PaymentViewSet

__all__ = ["InvoiceViewSet", "PaymentViewSet"]
