"""Twilio's webhooks: each request is checked against `X-Twilio-Signature` first (403 otherwise),
then one service call. Replays are harmless (`dunning.outbox.events`)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from dunning import twiml
from dunning.models import Message
from dunning.outbox import events

View = Callable[..., HttpResponse]
logger = logging.getLogger("dunning.webhooks")


def public_url(request: HttpRequest) -> str:
    """The URL Twilio called and signed: behind a proxy, the public one, not ours."""
    base = settings.TWILIO_WEBHOOK_BASE_URL or settings.PUBLIC_BASE_URL
    return base.rstrip("/") + request.get_full_path()


def twilio_webhook(view: View) -> View:
    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request: HttpRequest) -> HttpResponse:
        signature = request.headers.get("X-Twilio-Signature", "")
        token = settings.TWILIO_AUTH_TOKEN
        params = {name: request.POST.get(name, "") for name in request.POST}
        if not (
            token
            and signature
            and RequestValidator(token).validate(public_url(request), params, signature)
        ):
            return HttpResponseForbidden("Invalid Twilio signature.")
        return view(request, params)

    return checked


def message_of(request: HttpRequest) -> Message | None:
    try:
        token = uuid.UUID(request.GET.get("m", ""))
    except ValueError:
        return None
    return Message.objects.filter(token=token).first()


def xml(content: str) -> HttpResponse:
    return HttpResponse(content, content_type="text/xml; charset=utf-8")


NOT_OURS = "No message with this token."


@twilio_webhook
def status_callback(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    message = message_of(request)
    if message is None:
        return HttpResponseNotFound(NOT_OURS)
    events.record_status(message=message, params=params)
    return HttpResponse(status=204)


@twilio_webhook
def inbound_sms(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    try:
        events.record_inbound_sms(params=params)
    except Exception:
        # Nothing was stored (one transaction); Twilio retries on a 5xx answer.
        logger.exception("inbound SMS %s not taken", params.get("MessageSid", ""))
        return HttpResponse("Not taken now; send it again.", status=503)
    return xml('<?xml version="1.0" encoding="UTF-8"?><Response/>')


@twilio_webhook
def voice_answer(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    message = message_of(request)
    if message is None:
        return HttpResponseNotFound(NOT_OURS)
    answered_by = params.get("AnsweredBy") or request.GET.get("AnsweredBy", "")
    if answered_by and not message.answered_by:
        Message.objects.filter(pk=message.pk).update(answered_by=answered_by[:30])
    return xml(twiml.voice_message(message, answered_by=answered_by))


@twilio_webhook
def voice_gather(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    message = message_of(request)
    if message is None:
        return HttpResponseNotFound(NOT_OURS)
    try:
        meaning = events.record_voice_answer(message=message, digit=params.get("Digits", "")[:1])
    except Exception:
        # The payer is on the line: apologise and ask again rather than drop the call.
        logger.exception("keypress on message %s not taken", message.pk)
        meaning = None
    return xml(twiml.answer_received(meaning, message))


@twilio_webhook
def voice_bridge(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    message = message_of(request)
    if message is None or message.channel != "call":
        return HttpResponseNotFound(NOT_OURS)
    return xml(twiml.consultant_bridge(message))


@twilio_webhook
def voice_announce(request: HttpRequest, params: dict[str, str]) -> HttpResponse:
    return xml(twiml.recording_announcement())
