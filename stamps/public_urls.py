"""The public verification page, outside the client area: /v/<code>."""

from django.urls import path

from stamps import views

urlpatterns = [path("v/<str:code>", views.verify, name="stamp_verify")]
