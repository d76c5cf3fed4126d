from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/errors.csv", views.batch_errors_csv, name="errors_csv"),
    path("mappings/", views.mapping_list, name="mappings"),
    path("mappings/<int:mapping_id>/", views.mapping_edit, name="mapping_edit"),
    path("mappings/<int:mapping_id>/delete", views.mapping_delete, name="mapping_delete"),
]
