from rest_framework.routers import SimpleRouter

from imports.api import ImportBatchViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("imports", ImportBatchViewSet, basename="api-imports")
urlpatterns = router.urls
