from django.urls import path

from invoices import handover_views, views

app_name = "invoices"
urlpatterns = [
    path("invoices/", views.invoice_list, name="list"),
    path("invoices/new/", handover_views.handover, name="handover"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="detail"),
    path(
        "invoices/<int:invoice_id>/document.pdf",
        handover_views.invoice_document,
        name="document",
    ),
    path("payers/", views.payer_list, name="payer_list"),
    path("payers/<int:payer_id>/", views.payer_detail, name="payer_detail"),
]
