"""What Twilio does on a call we placed (TwiML), in Polish.

Voice message: after answering-machine detection (`AnsweredBy`), a voicemail gets the message
after the beep; a person hears it inside a `<Gather>` that takes one key: 1 confirms payment by the
offered date, 2 asks a consultant to call back. Consultant call: the consultant's leg is bridged to
the payer with the operator's caller ID; when recorded, the payer hears that first.
"""

from __future__ import annotations

from django.conf import settings
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from dunning.channels.twilio import webhook_url
from dunning.models import Message

LANGUAGE = "pl-PL"
MACHINE_ANSWERS = (
    "machine_end_beep",
    "machine_end_silence",
    "machine_end_other",
    "machine_start",
    "fax",
)


def _say(target: VoiceResponse | Gather, text: str) -> None:
    target.say(text, language=LANGUAGE, voice=settings.TWILIO_VOICE)


def question(message: Message) -> str:
    parts = []
    if message.promise_date:
        parts.append(
            f"Aby potwierdzić zapłatę do dnia {message.promise_date:%d.%m.%Y}, naciśnij 1."
        )
    parts.append("Aby porozmawiać z konsultantem, naciśnij 2.")
    return " ".join(parts)


def voice_message(message: Message, *, answered_by: str) -> str:
    response = VoiceResponse()
    if answered_by.startswith(MACHINE_ANSWERS):
        # Detection waited for the end of the greeting: the beep has gone, the message records.
        _say(response, message.body)
        response.hangup()
        return str(response)
    gather = Gather(
        num_digits=1, action=webhook_url("voice-gather", message), method="POST", timeout=8
    )
    _say(gather, message.body)
    _say(gather, question(message))
    response.append(gather)
    _say(response, "Dziękujemy. Do usłyszenia.")
    return str(response)


def answer_received(meaning: str | None, message: Message) -> str:
    response = VoiceResponse()
    if meaning == "promise":
        _say(response, f"Dziękujemy. Zapisaliśmy termin zapłaty: {message.promise_date:%d.%m.%Y}.")
    elif meaning == "callback":
        _say(response, "Dziękujemy. Konsultant oddzwoni do Państwa w ciągu godziny.")
    else:
        _say(response, "Nie rozpoznano wyboru.")
        response.redirect(webhook_url("voice-answer", message) + "&AnsweredBy=human", method="POST")
        return str(response)
    response.hangup()
    return str(response)


def consultant_bridge(message: Message) -> str:
    response = VoiceResponse()
    _say(response, "Łączę z płatnikiem.")
    dial = Dial(
        caller_id=message.sender,
        record="record-from-answer-dual" if message.record else "do-not-record",
    )
    if message.record:
        dial.number(message.recipient, url=webhook_url("voice-announce", message), method="POST")
    else:
        dial.number(message.recipient)
    response.append(dial)
    return str(response)


def recording_announcement() -> str:
    response = VoiceResponse()
    _say(response, "Rozmowa jest nagrywana.")
    return str(response)


def empty() -> str:
    return str(VoiceResponse())
