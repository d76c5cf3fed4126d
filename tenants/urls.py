from django.urls import path

from tenants import api_key_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("client/switch/", views.switch_tenant, name="switch_tenant"),
    path("operator/", views.operator_home, name="operator_home"),
    path("healthz", views.health, name="health"),
    path("client/api-keys/", api_key_views.api_key_list, name="api_keys"),
    path("client/api-keys/new/", api_key_views.api_key_create, name="api_key_create"),
    path(
        "client/api-keys/<int:key_id>/revoke/",
        api_key_views.api_key_revoke,
        name="api_key_revoke",
    ),
]
