from django.urls import path

from stamps import views

app_name = "stamps"
urlpatterns = [
    path("", views.design_list, name="list"),
    path("new/", views.design_create, name="create"),
    path("preview/", views.design_preview, name="preview"),
    path("<int:design_id>/edit/", views.design_edit, name="edit"),
    path("<int:design_id>/revoke/", views.design_revoke, name="revoke"),
    path("<int:design_id>/download/<str:kind>/", views.design_download, name="download"),
]
