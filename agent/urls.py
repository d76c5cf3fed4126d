from django.urls import path

from agent import supervisor_views, views

app_name = "agent"
urlpatterns = [
    path("", views.worklist_page, name="worklist"),
    path("next/", views.next_call, name="next"),
    path("<int:tenant_id>/calls/<int:claim_id>/", views.call_page, name="call"),
    path("<int:tenant_id>/calls/<int:claim_id>/outcome/", views.record_outcome, name="outcome"),
    path("<int:tenant_id>/calls/<int:claim_id>/release/", views.release, name="release"),
    path("<int:tenant_id>/calls/<int:claim_id>/dial/", views.dial, name="dial"),
    path("<int:tenant_id>/calls/<int:claim_id>/hang-up/", views.hang_up, name="hang_up"),
    path("<int:tenant_id>/payers/<int:payer_id>/", views.payer_page, name="payer"),
    path("<int:tenant_id>/payers/<int:payer_id>/phones/", views.add_phone, name="add_phone"),
    path(
        "<int:tenant_id>/payers/<int:payer_id>/contacts/<int:contact_id>/wrong/",
        views.contact_action,
        {"action": "wrong"},
        name="contact_wrong",
    ),
    path(
        "<int:tenant_id>/payers/<int:payer_id>/contacts/<int:contact_id>/opt-out/",
        views.contact_action,
        {"action": "opt_out"},
        name="contact_opt_out",
    ),
    path("supervisor/", supervisor_views.supervisor_page, name="supervisor"),
    path("supervisor/live/", supervisor_views.supervisor_live, name="supervisor_live"),
    path(
        "supervisor/<int:tenant_id>/calls/<int:claim_id>/release/",
        supervisor_views.release,
        name="supervisor_release",
    ),
    path(
        "supervisor/<int:tenant_id>/calls/<int:claim_id>/reassign/",
        supervisor_views.reassign,
        name="supervisor_reassign",
    ),
]
