from django.urls import path

from dunning.documents import api

urlpatterns = [
    path("documents", api.document_list, name="api-documents"),
    path("documents/<int:document_id>/pdf", api.document_pdf, name="api-document-pdf"),
]
