"""Statutory interest rates and NBP exchange rates (operator-wide data), compensation claims.

`InterestRate` and `NbpRate` carry no tenant: they are the law and the central bank's tables, the
same for every client, kept by account managers in admin. `CompensationClaim` belongs to a client.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.scoping import TenantOwnedModel, TenantQuerySet


class RateKind(models.TextChoices):
    # odsetki ustawowe za opóźnienie, art. 481 § 2 KC
    CIVIL = "civil", _("Statutory delay interest (art. 481 KC)")
    # odsetki ustawowe za opóźnienie w transakcjach handlowych, art. 4 pt 3 of the 2013 act
    COMMERCIAL = "commercial", _("Commercial transactions")
    # the same, where the debtor is a public entity that is a medical entity (art. 4 pt 3 lit. b)
    COMMERCIAL_PUBLIC_MEDICAL = (
        "commercial_public_medical",
        _("Commercial transactions, public medical entity"),
    )


HALF_YEAR_STARTS = {(1, 1), (7, 1)}
HALF_YEAR_ENDS = {(6, 30), (12, 31)}


class InterestRate(models.Model):
    """The annual statutory interest rate of one kind for a period; operator-wide (no tenant).

    Account managers add a row when a new rate is announced. A civil row may stay open-ended (the
    rate holds until the reference rate changes; the next row closes it); a commercial row covers
    whole half-years, because the rate is announced per half-year, so it always has an end.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=RateKind)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"),
        null=True,
        blank=True,
        help_text=_("Empty: until the next rate of this kind (civil rates only)."),
    )
    rate = models.DecimalField(
        _("annual rate (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("99.99"))],
    )
    reference_rate = models.DecimalField(
        _("NBP reference rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Legal basis or announcement.")
    )
    # DOMAIN.md: values not confirmed from an official source are loaded, flagged, and confirmed
    # by an account manager.
    verified = models.BooleanField(_("verified"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("statutory interest rate")
        verbose_name_plural = _("statutory interest rates")
        ordering = ["kind", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "valid_from"], name="interest_rate_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="interest_rate_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from}: {self.rate}%"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The period cannot end before it starts.")
        if self.kind and self.kind != RateKind.CIVIL and self.valid_from:
            if (self.valid_from.month, self.valid_from.day) not in HALF_YEAR_STARTS:
                errors["valid_from"] = _(
                    "Commercial-transaction rates start on 1 January or 1 July (a half-year)."
                )
            if self.valid_to is None:
                errors["valid_to"] = _(
                    "Commercial-transaction rates are announced per half-year: give the end."
                )
            elif (self.valid_to.month, self.valid_to.day) not in HALF_YEAR_ENDS:
                errors["valid_to"] = _(
                    "Commercial-transaction rates end on 30 June or 31 December (a half-year)."
                )
        if errors:
            raise ValidationError(errors)
        self._refuse_overlap()

    def _refuse_overlap(self) -> None:
        """No two rows of a kind may share a start or cover the same day."""
        if not (self.kind and self.valid_from):
            return
        others = InterestRate.objects.filter(kind=self.kind).exclude(pk=self.pk)
        earlier = others.filter(valid_from__lte=self.valid_from).order_by("-valid_from").first()
        later = others.filter(valid_from__gt=self.valid_from).order_by("valid_from").first()
        if earlier and earlier.valid_from == self.valid_from:
            raise ValidationError(
                {
                    "valid_from": _("A %(kind)s rate from %(day)s already exists.")
                    % {"kind": self.get_kind_display(), "day": self.valid_from}
                }
            )
        # An open-ended earlier row is closed by this one; a bounded one must end before it.
        if earlier and earlier.valid_to is not None and earlier.valid_to >= self.valid_from:
            raise ValidationError(
                {
                    "valid_from": _(
                        "This period overlaps the rate valid %(start)s – %(end)s (%(rate)s%%)."
                    )
                    % {"start": earlier.valid_from, "end": earlier.valid_to, "rate": earlier.rate}
                }
            )
        if later and self.valid_to is not None and self.valid_to >= later.valid_from:
            raise ValidationError(
                {
                    "valid_to": _(
                        "This period overlaps the rate valid from %(start)s (%(rate)s%%)."
                    )
                    % {"start": later.valid_from, "rate": later.rate}
                }
            )


class NbpRate(models.Model):
    """An NBP table-A average exchange rate (kurs średni) of one currency; operator-wide."""

    currency = models.CharField(_("currency"), max_length=3)
    table_date = models.DateField(_("table date"))
    table_number = models.CharField(_("table number"), max_length=30)
    rate = models.DecimalField(_("average rate (PLN)"), max_digits=10, decimal_places=4)
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        verbose_name = _("NBP exchange rate")
        verbose_name_plural = _("NBP exchange rates")
        ordering = ["currency", "-table_date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "table_date"], name="nbp_rate_unique_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="nbp_rate_positive"),
            models.CheckConstraint(
                condition=Q(currency__regex=r"^[A-Z]{3}$"), name="nbp_rate_currency_iso"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.table_date} ({self.table_number}): {self.rate}"


class CompensationClaim(TenantOwnedModel):
    """The recovery-cost compensation (art. 10 of the 2013 act) claimed for an invoice: once each.

    Letters that mention the compensation again restate this row; they never claim a second one.
    """

    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.PROTECT, related_name="compensation_claim"
    )
    eur_amount = models.DecimalField(_("amount (EUR)"), max_digits=6, decimal_places=2)
    nbp_rate = models.DecimalField(_("NBP EUR rate"), max_digits=10, decimal_places=4)
    nbp_table_date = models.DateField(_("NBP table date"))
    nbp_table_number = models.CharField(_("NBP table number"), max_length=30)
    pln_amount = models.DecimalField(_("amount (PLN)"), max_digits=14, decimal_places=2)
    claimed_on = models.DateField(_("claimed on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")
        ordering = ["-claimed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "invoice"], name="compensation_claim_once_per_invoice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.eur_amount} EUR = {self.pln_amount} PLN"


# --- Documents: payment demands and interest notes (dunning.documents) -------------------------


class DocumentKind(models.TextChoices):
    DEMAND = "demand", _("Payment demand")  # wezwanie do zapłaty
    SECOND_DEMAND = "second_demand", _("Second payment demand")
    FINAL_DEMAND = "final_demand", _("Final payment demand")  # ostateczne wezwanie do zapłaty
    INTEREST_NOTE = "interest_note", _("Interest note")  # nota odsetkowa


class DocumentLanguage(models.TextChoices):
    POLISH = "pl", _("Polish")
    ENGLISH = "en", _("English")


class DocumentTemplateQuerySet(TenantQuerySet):
    def operator_defaults(self) -> DocumentTemplateQuerySet:
        return self.filter(tenant__isnull=True)


class DocumentTemplate(models.Model):
    """A letter's Django template and CSS: the operator's default (no client) or a client's own.

    Without a row, the template shipped in `dunning/templates/dunning/documents/` is used; a row
    overrides it for its kind and language. The tenant is nullable (NULL = operator default), so
    this model does not inherit `TenantOwnedModel` but keeps its queryset (`for_tenant`).
    """

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("client"),
        help_text=_("Empty: the operator's default, used by every client without its own."),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=DocumentKind)
    language = models.CharField(_("language"), max_length=2, choices=DocumentLanguage)
    html = models.TextField(_("HTML (Django template)"))
    css = models.TextField(_("CSS"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DocumentTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["tenant__name", "kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language"],
                condition=Q(tenant__isnull=True),
                name="document_template_one_operator_default",
            ),
            models.UniqueConstraint(
                fields=["tenant", "kind", "language"],
                condition=Q(tenant__isnull=False),
                name="document_template_one_per_client",
            ),
        ]

    def __str__(self) -> str:
        owner = self.tenant or _("operator default")
        return f"{self.get_kind_display()} ({self.language}, {owner})"

    def clean(self) -> None:
        from django.template import Template, TemplateSyntaxError

        try:
            Template(self.html or "")
        except TemplateSyntaxError as error:
            message = _("The template does not compile: %s") % error
            raise ValidationError({"html": message}) from error


class LetterBatch(TenantOwnedModel):
    """The letters of one client's day, rendered in parallel: counters the progress page shows."""

    day = models.DateField(_("day"))
    total = models.PositiveIntegerField(_("letters"), default=0)
    rendered = models.PositiveIntegerField(_("rendered"), default=0)
    already_rendered = models.PositiveIntegerField(_("rendered before"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    # [{"payer_id": …, "kind": …, "error": "…"}], so a failure says which letter and why.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("letter batch")
        verbose_name_plural = _("letter batches")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "day"], name="letter_batch_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.done}/{self.total}"

    @property
    def done(self) -> int:
        return self.rendered + self.already_rendered + self.failed

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


def document_upload_to(document: Document, filename: str) -> str:
    # A random folder: should storage ever be exposed (a bucket, a misconfigured server), the
    # path of a client's letter cannot be guessed.
    return f"documents/{document.tenant_id}/{secrets.token_hex(16)}/{filename}"


class Document(TenantOwnedModel):
    """A rendered letter (PDF), once per (payer, kind, date): a re-run finds it and renders nothing.

    The contact task and schedule step it was made for are plain ids: contact_schedule sits above
    dunning, so dunning keeps no foreign key to it.
    """

    payer = models.ForeignKey(
        "payers.Payer", on_delete=models.PROTECT, related_name="+", verbose_name=_("payer")
    )
    kind = models.CharField(_("kind"), max_length=15, choices=DocumentKind)
    document_date = models.DateField(_("date"))
    language = models.CharField(_("language"), max_length=2, choices=DocumentLanguage)
    contact_task_id = models.PositiveBigIntegerField(_("contact task"), null=True, blank=True)
    schedule_step_id = models.PositiveBigIntegerField(_("schedule step"), null=True, blank=True)
    letter_batch = models.ForeignKey(
        LetterBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    invoice_ids = models.JSONField(_("invoices"), default=list, blank=True)
    total_amount = models.DecimalField(
        _("total demanded"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(_("currency"), max_length=3, default="PLN")
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    pages = models.PositiveSmallIntegerField(_("pages"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-document_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "payer", "kind", "document_date"],
                name="document_once_per_payer_kind_day",
            ),
            models.CheckConstraint(condition=Q(pages__gte=1), name="document_has_pages"),
        ]
        indexes = [models.Index(fields=["tenant", "payer", "-document_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_date} ({self.payer_id})"

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


# --- Communications: the outbox, message templates, sender identity (issue 5) ----------------


class MessageChannel(models.TextChoices):
    """What the outbox can send; the names match the contact schedule's channels."""

    SMS = "sms", _("SMS")
    VOICE = "voice", _("Voice message")
    CALL = "call", _("Consultant call")
    EMAIL = "email", _("E-mail")


class Message(TenantOwnedModel):
    """One message or call to (or, inbound, from) a payer: the outbox row and its whole history.

    The outbox never sends a row twice: see `dunning.outbox` for the states and the recovery of a
    message whose worker died while it was `sending`. `token` is our idempotency key: it travels in
    the provider request (the status-callback URL) and identifies the row in every webhook.
    `contact_task_id` is the contact schedule's task, kept as a plain id because dunning sits
    below contact_schedule and knows nothing of its models (ARCHITECTURE.md, dependency direction).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        UNDELIVERED = "undelivered", _("Undelivered")
        CANCELED = "canceled", _("Canceled")
        RECEIVED = "received", _("Received")  # inbound SMS

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Outbound")
        INBOUND = "inbound", _("Inbound")

    FINAL_STATUSES = ("delivered", "failed", "undelivered", "canceled", "received")

    payer = models.ForeignKey(
        "payers.Payer", on_delete=models.PROTECT, related_name="+", verbose_name=_("payer")
    )
    contact_task_id = models.BigIntegerField(_("contact task"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction, default=Direction.OUTBOUND
    )
    template_code = models.CharField(_("template"), max_length=60, blank=True)
    recipient = models.CharField(_("to"), max_length=254)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    # E-mail attachments: names in the default storage (documents are rendered before queueing).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    # Voice: "press 1 to confirm payment by <promise_date>" and the invoices the answer is about.
    promise_date = models.DateField(_("offered payment date"), null=True, blank=True)
    invoice_ids = models.JSONField(_("invoices"), default=list, blank=True)
    # Consultant calls: the consultant's leg (a phone or "client:<identity>") and recording.
    consultant = models.CharField(_("consultant's phone"), max_length=100, blank=True)
    record = models.BooleanField(_("recorded"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.QUEUED)
    token = models.UUIDField(
        _("idempotency token"), default=uuid.uuid4, unique=True, editable=False
    )
    provider_sid = models.CharField(_("provider id"), max_length=64, blank=True)
    provider_status = models.CharField(_("provider status"), max_length=30, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=30, blank=True)
    answer_digit = models.CharField(_("key pressed"), max_length=1, blank=True)
    error_code = models.CharField(_("error code"), max_length=20, blank=True)
    error_message = models.CharField(_("error"), max_length=500, blank=True)
    segments = models.PositiveSmallIntegerField(_("segments"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=5, null=True, blank=True)
    price_unit = models.CharField(_("price currency"), max_length=3, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The contact window the message may go out in; outside it the dispatcher moves it on.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    not_after = models.DateTimeField(_("not after"), null=True, blank=True)
    # When the dispatcher may next take it: the window's start, or a retry after backoff.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    sending_started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    result_reported_at = models.DateTimeField(_("result reported at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Queueing a contact task's message twice makes one row (a task may have several
            # consultant calls: attempts).
            models.UniqueConstraint(
                fields=["tenant", "contact_task_id", "channel"],
                condition=Q(
                    contact_task_id__isnull=False,
                    direction="outbound",
                    channel__in=["sms", "voice", "email"],
                ),
                name="message_once_per_contact_task",
            ),
            # A replayed inbound webhook finds its row instead of making another.
            models.UniqueConstraint(
                fields=["provider_sid"], condition=~Q(provider_sid=""), name="message_unique_sid"
            ),
            models.CheckConstraint(
                condition=Q(not_after__isnull=True)
                | Q(not_before__isnull=True)
                | Q(not_before__lt=models.F("not_after")),
                name="message_window_order",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="message_dispatch_idx"),
            models.Index(fields=["tenant", "payer", "created_at"], name="message_payer_idx"),
            models.Index(fields=["recipient", "created_at"], name="message_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class MessageTemplate(TenantOwnedModel):
    """A client's own wording for a schedule step's message; without one the Polish default
    (`dunning.message_templates.DEFAULT_TEMPLATES`) is used. Placeholders: Django template
    variables such as `{{ payer_name }}` (the list is in `dunning.message_templates`)."""

    code = models.CharField(
        _("step template"),
        max_length=60,
        help_text=_("The schedule step's message template, e.g. 'overdue_sms'."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel)
    subject = models.CharField(_("subject (e-mail)"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    transliterate = models.BooleanField(
        _("write Polish letters without diacritics (SMS)"),
        default=False,
        help_text=_("ą→a, ł→l …: GSM-7 fits 160 characters per SMS instead of 70."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["tenant__name", "code", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code", "channel"], name="message_template_one_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_channel_display()})"

    def clean(self) -> None:
        from dunning.message_templates import check_template_text

        errors = {}
        for field in ("subject", "body"):
            problem = check_template_text(getattr(self, field))
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)


class SenderIdentity(TenantOwnedModel):
    """How a client's messages are signed; an empty field falls back to the operator's setting
    (TWILIO_FROM, TWILIO_MESSAGING_SERVICE_SID, TWILIO_CALLER_ID, DEFAULT_FROM_EMAIL)."""

    sms_sender = models.CharField(
        _("SMS sender"),
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(
                r"^(\+[1-9]\d{6,14}|[A-Za-z0-9 ]{1,11})$",
                _("An E.164 number or an alphanumeric sender ID of up to 11 characters."),
            )
        ],
    )
    messaging_service_sid = models.CharField(
        _("Twilio messaging service"),
        max_length=34,
        blank=True,
        validators=[RegexValidator(r"^MG[0-9a-fA-F]{32}$", _("A messaging service SID: MG…"))],
    )
    caller_id = models.CharField(
        _("caller ID for calls"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(r"^\+[1-9]\d{6,14}$", _("An E.164 number, e.g. +48221234567."))],
    )
    email_from = models.EmailField(_("e-mail sender"), blank=True)
    consultant_phone = models.CharField(
        _("consultant phone shown to payers"), max_length=20, blank=True
    )

    class Meta:
        verbose_name = _("sender identity")
        verbose_name_plural = _("sender identities")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="sender_identity_one_per_client")
        ]

    def __str__(self) -> str:
        return str(self.tenant)
