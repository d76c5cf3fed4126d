from django.urls import path

from tenants import views

urlpatterns = [
    path("", views.home, name="home"),
    path("client/switch/", views.switch_tenant, name="switch_tenant"),
    path("operator/", views.operator_home, name="operator_home"),
    path("healthz", views.health, name="health"),
]
