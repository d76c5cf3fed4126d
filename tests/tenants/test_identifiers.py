"""NIP and IBAN: normalised as users type them, refused with a message that names the problem."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tenants.identifiers import normalize_iban, normalize_nip, validate_iban, validate_nip

VALID_IBAN = "PL61109010140000071219812874"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in their English source text, whatever translations exist."""
    with translation.override("en"):
        yield


def refusal(validate, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        validate(value)
    return error.value


@pytest.mark.parametrize(
    "typed", ["5260001246", "526-000-12-46", "526 000 12 46", "PL5260001246", "pl 526-000-12-46"]
)
def test_a_nip_is_normalised_to_ten_digits(typed):
    assert normalize_nip(typed) == "5260001246"
    validate_nip(typed)  # every typed form of a valid NIP is accepted


def test_a_nip_with_a_wrong_check_digit_is_refused():
    error = refusal(validate_nip, "526-000-12-47")

    assert error.code == "nip_checksum"
    assert error.messages == ["NIP 526-000-12-47 has a wrong check digit."]


@pytest.mark.parametrize("typed", ["526000124", "52600012461", "52600O1246", ""])
def test_a_nip_without_ten_digits_is_refused(typed):
    error = refusal(validate_nip, typed)

    assert error.code == "nip_format"
    assert "must have 10 digits" in error.messages[0]
    assert repr(typed) in error.messages[0]


@pytest.mark.parametrize(
    "typed",
    [VALID_IBAN, "PL61 1090 1014 0000 0712 1981 2874", "pl61-1090-1014-0000-0712-1981-2874"],
)
def test_a_valid_polish_iban_is_accepted_in_any_spacing(typed):
    assert normalize_iban(typed) == VALID_IBAN
    validate_iban(typed)


def test_a_valid_foreign_iban_is_accepted():
    validate_iban("DE89 3704 0044 0532 0130 00")


def test_a_domestic_account_number_of_26_digits_gets_the_pl_prefix():
    domestic = "61 1090 1014 0000 0712 1981 2874"

    assert normalize_iban(domestic) == VALID_IBAN
    validate_iban(domestic)


def test_an_iban_with_a_wrong_checksum_is_refused():
    error = refusal(validate_iban, "PL62109010140000071219812874")

    assert error.code == "iban_invalid"
    assert "PL62109010140000071219812874 is not valid" in error.messages[0]
    assert "checksum" in error.messages[0]


def test_a_polish_iban_of_the_wrong_length_is_refused():
    error = refusal(validate_iban, "PL6110901014000007121981287")

    assert error.code == "iban_format"
    assert "PL and 26 digits" in error.messages[0]
