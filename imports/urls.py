from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/errors.csv", views.batch_errors_csv, name="errors_csv"),
]
