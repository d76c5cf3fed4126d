"""Twilio's webhooks, mounted at /webhooks/twilio/ (config/urls.py)."""

from django.urls import path

from dunning import views

app_name = "twilio"

urlpatterns = [
    path("status", views.status_callback, name="status"),
    path("inbound-sms", views.inbound_sms, name="inbound-sms"),
    path("voice/answer", views.voice_answer, name="voice-answer"),
    path("voice/gather", views.voice_gather, name="voice-gather"),
    path("voice/bridge", views.voice_bridge, name="voice-bridge"),
    path("voice/announce", views.voice_announce, name="voice-announce"),
]
