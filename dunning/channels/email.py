"""E-mail through Django's mail backend (SMTP from EMAIL_URL in production), with attachments.

SMTP cannot be asked what it already took, so `find_sent` knows nothing; instead a resend keeps
the same Message-ID (built from the token), which receiving servers use to drop duplicates.
"""

from __future__ import annotations

import mimetypes
import smtplib
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage

from dunning.channels import PermanentSendError, ProviderResult, TransientSendError
from dunning.models import Message


class EmailChannel:
    def send(self, message: Message) -> ProviderResult:
        mail = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=message.sender or settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
            headers={"Message-ID": f"<{message.token.hex}@outbox.monitoring>"},
        )
        for name in message.attachments:
            try:
                with default_storage.open(name, "rb") as attachment:
                    content = attachment.read()
            except FileNotFoundError as error:
                raise PermanentSendError(
                    f"Attachment {name} is missing.", code="attachment"
                ) from error
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            mail.attach(PurePath(name).name, content, mimetype)
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentSendError(str(error), code="recipient_refused") from error
        except (OSError, smtplib.SMTPException) as error:
            raise TransientSendError(str(error), code="smtp", ambiguous=True) from error
        return ProviderResult(sid=f"EMAIL{message.token.hex}", status="sent")

    def find_sent(self, message: Message) -> ProviderResult | None:
        return None

    def fetch(self, message: Message) -> ProviderResult | None:
        return None  # nothing to ask: the state we stored is all there is
