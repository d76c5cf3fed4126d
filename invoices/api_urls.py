"""Routes of the ledger API (payers, invoices, payments) under /api/v1/.

Paths have no trailing slash (`/api/v1/invoices`), as the OpenAPI schema shows them.
"""

from rest_framework.routers import SimpleRouter

from invoices.api import InvoiceViewSet, PaymentViewSet
from payers.api import PayerViewSet

router = SimpleRouter(trailing_slash=False)
router.register("payers", PayerViewSet, basename="api-payer")
router.register("invoices", InvoiceViewSet, basename="api-invoice")
router.register("payments", PaymentViewSet, basename="api-payment")

urlpatterns = router.urls
