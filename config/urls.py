from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path, reverse


def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin has no login of its own: it goes through allauth, so MFA and rate limits apply.

    A logged-in user who is not staff gets a plain refusal (another login would loop).
    """
    if request.user.is_authenticated:
        return render(request, "403_admin.html", status=403)
    return redirect_to_login(
        request.GET.get("next", reverse("admin:index")), login_url=reverse("account_login")
    )


admin.site.login = admin_login
admin.site.site_header = "Monitoring należności — administracja"
admin.site.site_title = "Monitoring należności"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("config.api_urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("tenants.urls")),
    path("", include("invoices.urls")),
    path("imports/", include("imports.urls")),
    path("client/webhooks/", include("webhooks.urls")),
    path("client/stamps/", include("stamps.urls")),
    path("client/documents/", include("dunning.documents.urls")),
    path("", include("stamps.public_urls")),
    path("agent/", include("agent.urls")),
    path("webhooks/twilio/", include("dunning.urls")),
]

# MEDIA_ROOT is never served as such, not even in DEBUG (the demo): imported files, letters and
# invoice PDFs hold clients' data and are downloaded through views that check who asks.
