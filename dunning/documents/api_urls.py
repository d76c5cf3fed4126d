from django.urls import path

from dunning.documents import api

urlpatterns = [
    path("documents", api.DocumentList.as_view(), name="api-documents"),
    # Any id reaches the view, so a malformed one gets the API's JSON 404, not the HTML page.
    path("documents/<path:document_id>/pdf", api.document_pdf, name="api-document-pdf"),
]
