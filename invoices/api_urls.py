"""Routes of the ledger API (payers, invoices, payments) under /api/v1/."""

urlpatterns: list = []
