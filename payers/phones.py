"""Phone numbers are stored in E.164 (`+48601234567`); Polish national forms are accepted."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_phone(value: str, *, default_region: str = "PL") -> str:
    """'601 234 567', '0048 601-234-567', '+48601234567' -> '+48601234567'.

    Raises ValidationError naming the value when it is not a possible number.
    """
    raw = (value or "").strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("%(value)r is not a phone number."), code="phone_invalid", params={"value": value}
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)r is not a valid phone number (Polish numbers have 9 digits)."),
            code="phone_invalid",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
