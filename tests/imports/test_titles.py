"""Transfer titles name invoices in many ways; the candidates found must include the right one."""

from __future__ import annotations

import pytest

from imports.parsers.titles import analyse_title, invoice_number_key, number_matches


@pytest.mark.parametrize(
    "title,numbers",
    [
        ("FAKTURA FV/2026/10/0001", ["FV/2026/10/0001"]),
        ("zapłata za fv fv/2026/09/0002", ["FV/2026/09/0002"]),
        ("FV/2026/10/0003 Transport Bałtyk s.c", ["FV/2026/10/0003"]),
        ("Przelew FV nr FV / 2026 / 09 / 0004", ["FV/2026/09/0004"]),
        ("FV/12/2026", ["FV/12/2026"]),
        ("FV 12/2026", ["FV 12/2026"]),
        ("Faktura nr 12/11/2026", ["12/11/2026"]),
        ("Faktura VAT nr 29903413", ["29903413"]),
        ("_FAKTURA VAT NR FVD-0000/02/2017  A", ["FVD-0000/02/2017"]),
        ("FV/1/2026, FV/2/2026", ["FV/1/2026", "FV/2/2026"]),
        ("FV/1/2026 / FV/2/2026", ["FV/1/2026", "FV/2/2026"]),
        ("ZWROT KAUCJI", []),
        ("rata 1/2 ul. Polna 5 31-234 Kraków 2026-11-17", []),
        ("NIP 526-000-12-46", []),
    ],
)
def test_invoice_numbers_found_in_free_text(title, numbers):
    assert analyse_title(title).invoice_numbers == numbers


def test_chunks_joined_without_separator_still_give_the_number():
    chunks = ["ZAPŁATA ZA FV FV/2026/08/00", "10"]  # ~20 and ~21 of a PKO statement

    assert analyse_title("".join(chunks)).invoice_numbers == ["FV/2026/08/0010"]


def test_split_payment_form_gives_nip_and_invoice_number():
    analysis = analyse_title("/VAT/230,00/IDC/526-000-12-46/INV/FV/12/2026/TXT/opłata FV/13/2026")

    assert analysis.split_payment
    assert analysis.nip == "5260001246"
    assert analysis.invoice_numbers == ["FV/12/2026", "FV/13/2026"]


def test_split_payment_without_text_part():
    analysis = analyse_title("/VAT/23,00/IDC/7936748186/INV/FV 7/2026")

    assert (analysis.nip, analysis.invoice_numbers) == ("7936748186", ["FV 7/2026"])


def test_nip_in_free_text_only_with_a_valid_checksum():
    assert analyse_title("zapłata NIP: PL 526-000-12-46").nip == "5260001246"
    assert analyse_title("zapłata NIP 1234567890").nip == ""


@pytest.mark.parametrize(
    "written", ["FV/12/2026", "FV 12/2026", "fv-12/2026", "FV12/2026", "FV/012/2026"]
)
def test_spellings_of_one_number_share_a_key(written):
    assert invoice_number_key(written) == "FV/12/2026"


def test_candidate_matches_number_with_or_without_series_letters():
    assert number_matches("12/11/2026", "FV/12/11/2026")
    assert number_matches("FV 12/2026", "12/2026")
    assert number_matches("FV/2026/9/4", "FV/2026/09/0004")
    assert not number_matches("1/12/2026", "11/2/2026")
    assert not number_matches("12/2026", "FV/112/2026")
    assert not number_matches("FV", "FV/1/2026")
