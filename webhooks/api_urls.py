from rest_framework.routers import SimpleRouter

from webhooks.api import WebhookEndpointViewSet

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("webhooks", WebhookEndpointViewSet, basename="api-webhooks")
urlpatterns = router.urls
