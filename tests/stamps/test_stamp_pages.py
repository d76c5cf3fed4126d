"""The client's stamp pages: list, create with presets, live preview, edit, downloads, revoke —
for owners and finance, each client only its own designs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from stamps.models import StampDesign
from tests.factories import DEFAULT_PASSWORD, MembershipFactory
from tests.stamps.conftest import make_design, pdf_page_size_mm

VALID = {
    "name": "Faktury 2026",
    "form_kind": "electronic",
    "shape": "rectangular",
    "size": "47x18",
    "width_mm": "",
    "height_mm": "",
    "color_preset": "#C0392B",
    "color": "",
    "text": "NALEŻNOŚĆ MONITOROWANA\nPRZEZ Monitoring należności",
}


@pytest.fixture
def owner_client(tenant) -> Client:
    user = MembershipFactory(tenant=tenant, role="owner").user
    browser = Client()
    browser.login(email=user.email, password=DEFAULT_PASSWORD)
    return browser


def test_new_design_form_starts_with_the_default_wording(finance_client, tenant, settings):
    settings.OPERATOR_NAME = "Kaczmarski Monitoring"
    response = finance_client.get(reverse("stamps:create"))

    text = response.context["form"].initial["text"]
    assert text.splitlines()[:2] == ["NALEŻNOŚĆ MONITOROWANA", "PRZEZ Kaczmarski Monitoring"]
    assert tenant.name in text
    assert "sprawa" in text and "windykacji." in text


def test_finance_user_creates_an_electronic_design_from_presets(finance_client, tenant):
    response = finance_client.post(reverse("stamps:create"), VALID)

    assert response.status_code == 302
    design = StampDesign.objects.for_tenant(tenant).get()
    assert (design.width_mm, design.height_mm, design.color) == (
        Decimal(47),
        Decimal(18),
        "#C0392B",
    )
    assert design.lines == ["NALEŻNOŚĆ MONITOROWANA", "PRZEZ Monitoring należności"]
    listing = finance_client.get(reverse("stamps:list")).content.decode()
    assert "Faktury 2026" in listing and design.code in listing and 'width="47mm"' in listing


def test_owner_creates_a_custom_round_design(owner_client, tenant):
    data = VALID | {
        "shape": "round",
        "size": "custom",
        "width_mm": "32,5",
        "form_kind": "mechanical",
    }
    data |= {"color_preset": "custom", "color": "6c3483"}
    assert owner_client.post(reverse("stamps:create"), data).status_code == 302

    design = StampDesign.objects.for_tenant(tenant).get()
    assert (design.width_mm, design.height_mm) == (Decimal("32.5"), Decimal("32.5"))
    assert design.color == "#6C3483"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"size": "custom", "width_mm": "0", "height_mm": "22"}, "width_mm", "0 mm is outside"),
        (
            {"size": "custom", "width_mm": "1000", "height_mm": "22"},
            "width_mm",
            "1000 mm is outside",
        ),
        (
            {"size": "custom", "width_mm": "58", "height_mm": "abc"},
            "height_mm",
            "a number of millimetres",
        ),
        ({"size": "custom", "width_mm": "58", "height_mm": ""}, "height_mm", "Enter the size"),
        ({"size": "custom", "width_mm": "58.25", "height_mm": "22"}, "width_mm", "a tenth"),
        ({"color_preset": "custom", "color": "#12345G"}, "color", "six hexadecimal digits"),
        ({"color_preset": "custom", "color": "blue"}, "color", "six hexadecimal digits"),
        ({"color_preset": "custom", "color": "#FFE066"}, "color", "too light"),
        ({"size": "d40"}, "size", "for a round stamp"),
        ({"shape": "round", "size": "58x22"}, "size", "for a rectangular stamp"),
        ({"text": "\n \n"}, "text", "at least one line"),
        ({"text": "x" * 81}, "text", "Line 1 has 81 characters"),
        ({"text": "\n".join("abc" for _ in range(9))}, "text", "at most 8 lines"),
    ],
)
def test_bad_input_gets_a_specific_error(finance_client, tenant, changes, field, message):
    finance_client.cookies["django_language"] = "en"
    response = finance_client.post(reverse("stamps:create"), VALID | changes)

    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    assert not StampDesign.objects.for_tenant(tenant).exists()


def test_preview_returns_the_artwork_and_errors_without_saving(finance_client, tenant):
    ok = finance_client.post(reverse("stamps:preview"), VALID, HTTP_HX_REQUEST="true")
    bad = finance_client.post(
        reverse("stamps:preview"),
        VALID | {"size": "custom", "width_mm": "0"},
        HTTP_HX_REQUEST="true",
    )

    assert ok.status_code == 200
    assert 'width="47mm" height="18mm"' in ok.content.decode()
    assert 'class="qr"' in ok.content.decode()
    assert "<svg" not in bad.content.decode()
    assert "0 mm" in bad.content.decode()
    assert not StampDesign.objects.for_tenant(tenant).exists()


def test_edit_keeps_the_code_so_printed_stamps_keep_working(finance_client, tenant):
    design = make_design(tenant)
    page = finance_client.get(reverse("stamps:edit", args=[design.pk]))
    assert page.context["form"].initial["size"] == "58x22"

    response = finance_client.post(
        reverse("stamps:edit", args=[design.pk]), VALID | {"name": "Nowy", "size": "38x14"}
    )

    assert response.status_code == 302
    updated = StampDesign.objects.for_tenant(tenant).get()
    assert (updated.name, updated.code, updated.width_mm) == ("Nowy", design.code, Decimal(38))
    preview = finance_client.post(reverse("stamps:preview"), VALID | {"design_id": design.pk})
    assert design.code in preview.content.decode()


@pytest.mark.parametrize(
    ("kind", "content_type", "filename"),
    [
        ("svg", "image/svg+xml", "faktury-2026-58x22mm.svg"),
        ("pdf", "application/pdf", "faktury-2026-58x22mm.pdf"),
        ("png-300", "image/png", "faktury-2026-58x22mm-300dpi.png"),
        ("png-600", "image/png", "faktury-2026-58x22mm-600dpi.png"),
    ],
)
def test_downloads(finance_client, tenant, kind, content_type, filename):
    design = make_design(tenant, name="Faktury 2026")
    response = finance_client.get(reverse("stamps:download", args=[design.pk, kind]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if kind == "pdf":
        width, height = pdf_page_size_mm(response.content)
        assert (round(width, 1), round(height, 1)) == (58.0, 22.0)


def test_unknown_download_kind_is_404(finance_client, design):
    assert (
        finance_client.get(reverse("stamps:download", args=[design.pk, "gif"])).status_code == 404
    )


def test_revoke_asks_then_revokes_with_reason(finance_client, finance_user, tenant, design):
    assert finance_client.get(reverse("stamps:revoke", args=[design.pk])).status_code == 200

    response = finance_client.post(
        reverse("stamps:revoke", args=[design.pk]), {"reason": "Nowy wzór"}
    )

    assert response.status_code == 302
    design.refresh_from_db()
    assert design.is_revoked and design.revoked_by == finance_user
    assert design.revoke_reason == "Nowy wzór"
    edit = finance_client.post(reverse("stamps:edit", args=[design.pk]), VALID)
    assert edit.status_code == 302
    design.refresh_from_db()
    assert design.name == "Faktury 2026"  # a revoked design is not changed


def test_pages_need_a_login(client, design):
    response = client.get(reverse("stamps:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("stamps:edit", "get", ()),
        ("stamps:edit", "post", ()),
        ("stamps:revoke", "get", ()),
        ("stamps:revoke", "post", ()),
        ("stamps:download", "get", ("pdf",)),
        ("stamps:download", "get", ("png-300",)),
        ("stamps:download", "get", ("svg",)),
    ],
)
def test_another_clients_design_is_404(other_finance_client, design, name, method, extra):
    url = reverse(name, args=[design.pk, *extra])
    response = getattr(other_finance_client, method)(url, VALID)

    assert response.status_code == 404
    design.refresh_from_db()
    assert not design.is_revoked and design.name == "Faktury 2026"


def test_another_clients_design_neither_listed_nor_previewed(other_finance_client, design):
    listing = other_finance_client.get(reverse("stamps:list")).content.decode()
    preview = other_finance_client.post(reverse("stamps:preview"), VALID | {"design_id": design.pk})

    assert design.code not in listing and "Faktury 2026" not in listing
    assert preview.status_code == 200 and design.code not in preview.content.decode()


def test_the_model_refuses_what_the_form_refuses(tenant):
    """The admin edits designs without the form: the model's own checks stop bad values there."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_design(tenant, width_mm=Decimal("0"), color="blue")
    assert set(error.value.message_dict) == {"width_mm", "color"}
