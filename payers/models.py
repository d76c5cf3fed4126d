from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual, StartsWith
from django.utils.translation import gettext_lazy as _

from payers.phones import normalize_phone
from tenants.identifiers import nip_is_valid_q, normalize_nip, validate_nip
from tenants.scoping import TenantOwnedModel


class Payer(TenantOwnedModel):
    """The client's customer who owes it money (dłużnik / płatnik), business or consumer."""

    class Kind(models.TextChoices):
        BUSINESS = "business", _("Business")
        CONSUMER = "consumer", _("Consumer")

    class Language(models.TextChoices):
        POLISH = "pl", _("Polish")
        ENGLISH = "en", _("English")

    external_id = models.CharField(
        _("client's id"), max_length=100, help_text=_("The payer's id in the client's ERP.")
    )
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.BUSINESS)
    nip = models.CharField(_("NIP"), max_length=10, blank=True, validators=[validate_nip])
    # An imported document may carry a buyer NIP whose checksum fails (DOMAIN.md §6): it is kept
    # as received and flagged instead of rejecting the invoice.
    nip_flagged = models.BooleanField(_("NIP checksum fails (kept as received)"), default=False)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="PL")
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.POLISH
    )
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    do_not_contact_reason = models.CharField(_("reason"), max_length=200, blank=True)
    do_not_contact_since = models.DateField(_("since"), null=True, blank=True)
    # Of the last imported item and the row and contacts it produced (`payers.bulk.digest`).
    import_digest = models.CharField(max_length=32, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payer")
        verbose_name_plural = _("payers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"], name="payer_unique_external_id"
            ),
            models.CheckConstraint(
                condition=Q(nip="") | Q(nip_flagged=True) | nip_is_valid_q("nip"),
                name="payer_nip_valid",
            ),
            models.CheckConstraint(
                condition=Q(do_not_contact=False) | ~Q(do_not_contact_reason=""),
                name="payer_do_not_contact_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "nip"]), models.Index(fields=["tenant", "name"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.nip = normalize_nip(self.nip)
        if self.do_not_contact and not self.do_not_contact_reason:
            raise ValidationError(
                {"do_not_contact_reason": _("Say why this payer must not be contacted.")}
            )


class PayerContact(TenantOwnedModel):
    """A phone number or e-mail address of a payer, with its state (wrong number, objection)."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")

    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind)
    value = models.CharField(_("number or address"), max_length=254)
    label = models.CharField(_("label"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_wrong = models.BooleanField(_("wrong number / address"), default=False)
    # An objection to this channel (RODO art. 21): the contact is kept, never used.
    opted_out_at = models.DateTimeField(_("objected to contact at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payer contact")
        verbose_name_plural = _("payer contacts")
        ordering = ["-is_primary", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payer", "kind", "value"], name="payer_contact_unique_value"
            ),
            models.CheckConstraint(
                condition=Q(kind="email")
                | (
                    Q(StartsWith(F("value"), "+"))
                    & Q(GreaterThanOrEqual(Length(F("value")), 8))
                    & Q(LessThanOrEqual(Length(F("value")), 16))
                ),
                name="payer_contact_phone_e164",
            ),
        ]

    def __str__(self) -> str:
        return self.value

    def clean(self) -> None:
        if self.kind == self.Kind.PHONE:
            self.value = normalize_phone(self.value)
        elif self.kind == self.Kind.EMAIL:
            self.value = (self.value or "").strip().lower()
            validate_email(self.value)

    @property
    def is_usable(self) -> bool:
        return not self.is_wrong and self.opted_out_at is None
