"""REST API of payers; `common` holds what every ledger endpoint shares."""

from payers.api.views import PayerViewSet

__all__ = ["PayerViewSet"]
