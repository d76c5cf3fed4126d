from django.urls import path

from imports import review_views, views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:batch_id>/", views.batch_detail, name="detail"),
    path("<int:batch_id>/errors.csv", views.batch_errors_csv, name="errors_csv"),
    path("mappings/", views.mapping_list, name="mappings"),
    path("mappings/<int:mapping_id>/", views.mapping_edit, name="mapping_edit"),
    path("mappings/<int:mapping_id>/delete", views.mapping_delete, name="mapping_delete"),
    path("bank-entries/", review_views.bank_entry_list, name="bank_entries"),
    path(
        "bank-entries/<int:entry_id>/confirm",
        review_views.bank_entry_confirm,
        name="bank_entry_confirm",
    ),
    path(
        "bank-entries/<int:entry_id>/ignore",
        review_views.bank_entry_ignore,
        name="bank_entry_ignore",
    ),
    path(
        "bank-entries/<int:entry_id>/restore",
        review_views.bank_entry_restore,
        name="bank_entry_restore",
    ),
    path(
        "bank-entries/<int:entry_id>/search",
        review_views.bank_entry_search,
        name="bank_entry_search",
    ),
]
