"""Request and response shapes of `/api/v1/payers`: per endpoint, not the model."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from payers.api.common import MAX_BULK_ITEMS, WRITE_NOTE, StrictSerializer
from payers.models import Payer, PayerContact


class ContactSerializer(serializers.Serializer):
    value = serializers.CharField(help_text="Phone in E.164 (`+48601234567`) or e-mail address.")
    is_primary = serializers.BooleanField(help_text="The first one given in the feed.")
    is_usable = serializers.BooleanField(
        help_text="False when marked wrong or the payer objected to this channel (RODO art. 21)."
    )


class PayerSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Our id of the payer.")
    external_id = serializers.CharField(help_text="The payer's id in your ERP.")
    name = serializers.CharField(help_text="Company or person name.")
    kind = serializers.ChoiceField(choices=Payer.Kind.choices, help_text="Business or consumer.")
    nip = serializers.CharField(help_text="Polish tax id, 10 digits; empty if none.")
    nip_flagged = serializers.BooleanField(
        help_text="True when an imported NIP fails its checksum and was kept as received."
    )
    street = serializers.CharField(help_text="Street and number.")
    postal_code = serializers.CharField(help_text="Postal code, e.g. 00-001.")
    city = serializers.CharField(help_text="City.")
    country = serializers.CharField(help_text="Two-letter country code.")
    preferred_language = serializers.ChoiceField(
        choices=Payer.Language.choices, help_text="Language of messages to this payer."
    )
    do_not_contact = serializers.BooleanField(help_text="Set by the agency; never by the feed.")
    phones = serializers.SerializerMethodField(help_text="Phone numbers, primary first.")
    emails = serializers.SerializerMethodField(help_text="E-mail addresses, primary first.")
    created_at = serializers.DateTimeField(
        help_text="When the payer arrived (ISO 8601 with offset)."
    )
    updated_at = serializers.DateTimeField(help_text="Last change of the payer or its contacts.")

    @extend_schema_field(ContactSerializer(many=True))
    def get_phones(self, payer: Payer) -> list[dict[str, Any]]:
        return self._contacts(payer, PayerContact.Kind.PHONE)

    @extend_schema_field(ContactSerializer(many=True))
    def get_emails(self, payer: Payer) -> list[dict[str, Any]]:
        return self._contacts(payer, PayerContact.Kind.EMAIL)

    @staticmethod
    def _contacts(payer: Payer, kind: str) -> list[dict[str, Any]]:
        contacts = [contact for contact in payer.contacts.all() if contact.kind == kind]
        contacts.sort(key=lambda contact: (not contact.is_primary, contact.id))
        return [
            {"value": c.value, "is_primary": c.is_primary, "is_usable": c.is_usable}
            for c in contacts
        ]


class PayerPatchSerializer(StrictSerializer):
    """Descriptive and contact data; `do_not_contact` is the agency's decision, not the feed's."""

    unknown_field_message = "Unknown or not changeable here (do_not_contact is the agency's)."

    name = serializers.CharField(
        max_length=300, required=False, help_text="Company or person name."
    )
    kind = serializers.ChoiceField(
        choices=Payer.Kind.choices, required=False, help_text="`business` (default) or `consumer`."
    )
    nip = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Polish tax id; separators and a `PL` prefix are accepted; the check digit must "
        "be right.",
    )
    street = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Street and number."
    )
    postal_code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="Postal code."
    )
    city = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="City."
    )
    country = serializers.CharField(
        max_length=2, required=False, help_text="Two-letter country code; default PL."
    )
    preferred_language = serializers.ChoiceField(
        choices=Payer.Language.choices, required=False, help_text="`pl` (default) or `en`."
    )
    phones = serializers.ListField(
        child=serializers.CharField(max_length=40),
        max_length=20,
        required=False,
        allow_null=True,
        help_text="All phone numbers; replaces the stored set (the first is primary). Polish "
        "national forms are accepted. Numbers marked wrong or objected to stay marked. Leave "
        "out to keep the stored ones.",
    )
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254),
        max_length=20,
        required=False,
        allow_null=True,
        help_text="All e-mail addresses; replaces the stored set like `phones`.",
    )


class PayerWriteSerializer(PayerPatchSerializer):
    unknown_field_message = StrictSerializer.unknown_field_message
    external_id = serializers.CharField(
        max_length=100, help_text="The payer's id in your ERP: the key of the upsert."
    )


class PayerCreateSerializer(PayerWriteSerializer):
    name = serializers.CharField(max_length=300, help_text="Company or person name.")


class PayerBulkRequestSerializer(serializers.Serializer):
    items = PayerWriteSerializer(
        many=True,
        max_length=MAX_BULK_ITEMS,
        help_text=f"Up to {MAX_BULK_ITEMS} payers keyed by `external_id`; `name` is required for "
        f"new ones. {WRITE_NOTE}",
    )


class PayerFilterSerializer(serializers.Serializer):
    external_id = serializers.CharField(required=False, help_text="Only the payer with this id.")
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Only payers changed at or after this ISO 8601 time (encode `+` as `%2B`).",
    )


def payers_matching(
    payers: QuerySet[Payer], *, external_id: str = "", updated_since: Any = None
) -> QuerySet[Payer]:
    if external_id:
        payers = payers.filter(external_id=external_id)
    if updated_since is not None:
        payers = payers.filter(updated_at__gte=updated_since)
    return payers


PAYER_EXAMPLE = {
    "external_id": "K-1001",
    "name": "Hurtownia Nowak Sp. z o.o.",
    "nip": "526-000-12-46",
    "city": "Warszawa",
    "phones": ["601 234 567"],
    "emails": ["ksiegowosc@nowak.example"],
}
