from django.urls import path

from dunning.documents import views

app_name = "documents"
urlpatterns = [
    path("", views.batch_list, name="batches"),
    path("batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("payers/<int:payer_id>/", views.payer_documents, name="payer"),
    path("<int:document_id>/pdf/", views.document_pdf, name="pdf"),
]
