"""GET /api/v1/stamps/current: the ERP fetches its client's current electronic stamp."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from stamps.models import StampDesign
from stamps.services import revoke_design, update_design
from tenants.models import ApiKey
from tenants.services import create_api_key
from tests.stamps.conftest import make_design

URL = "/api/v1/stamps/current"


def erp_of(tenant, scope=ApiKey.Scope.READ) -> Client:
    _key, raw_key = create_api_key(tenant=tenant, name="ERP", scope=scope)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw_key}")


def test_read_key_fetches_the_current_stamp_as_png(tenant):
    make_design(tenant)
    response = erp_of(tenant).get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.mode == "RGBA"
    assert image.size[0] == pytest.approx(58 / 25.4 * 300, abs=1)


def test_png_at_600_dpi_and_svg(tenant):
    design = make_design(tenant)
    erp = erp_of(tenant)

    png = erp.get(URL, {"format": "png", "dpi": "600"})
    svg = erp.get(URL, {"format": "svg"})

    assert Image.open(io.BytesIO(png.content)).size[1] == pytest.approx(22 / 25.4 * 600, abs=1)
    assert svg["Content-Type"] == "image/svg+xml"
    assert 'width="58mm" height="22mm"' in svg.content.decode()
    assert design.code in svg.content.decode()


def test_current_is_the_newest_electronic_design_not_revoked(tenant, finance_user):
    older = make_design(tenant, name="Starszy")
    newer = make_design(tenant, name="Nowszy")
    make_design(tenant, name="Pieczątka", form=StampDesign.Form.MECHANICAL)
    erp = erp_of(tenant)

    assert newer.code in erp.get(URL, {"format": "svg"}).content.decode()
    revoke_design(design=newer, revoked_by=finance_user)
    assert older.code in erp.get(URL, {"format": "svg"}).content.decode()


def test_no_electronic_stamp_is_404_with_a_clear_message(tenant):
    make_design(tenant, form=StampDesign.Form.MECHANICAL)
    response = erp_of(tenant).get(URL, {"format": "png"})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "no electronic prevention stamp" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "field"), [({"format": "gif"}, "format"), ({"dpi": "72"}, "dpi")]
)
def test_bad_parameters_are_400_per_parameter(tenant, params, field):
    make_design(tenant)
    response = erp_of(tenant).get(URL, params)

    assert response.status_code == 400
    assert field in response.json()


def test_another_clients_key_never_gets_this_stamp(tenant, other_tenant):
    make_design(tenant)
    response = erp_of(other_tenant).get(URL, {"format": "svg"})
    assert response.status_code == 404


def test_without_a_key_is_401(tenant):
    make_design(tenant)
    assert Client().get(URL).status_code in (401, 403)


def test_a_changed_design_is_not_served_from_the_file_cache(tenant):
    design = make_design(tenant, color="#1F3A93")
    erp = erp_of(tenant)
    assert 'fill="#1F3A93"' in erp.get(URL, {"format": "svg"}).content.decode()

    update_design(design=design, color="#000000")

    assert 'fill="#000000"' in erp.get(URL, {"format": "svg"}).content.decode()
