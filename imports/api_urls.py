from rest_framework.routers import SimpleRouter

from imports.api import BankEntryViewSet, ImportBatchViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("imports", ImportBatchViewSet, basename="api-imports")
router.register("bank-entries", BankEntryViewSet, basename="api-bank-entries")
urlpatterns = router.urls
