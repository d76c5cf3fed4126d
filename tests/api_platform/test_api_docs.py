"""The OpenAPI schema and its Swagger UI and ReDoc pages work offline, without logging in."""

from __future__ import annotations

import re

import pytest
import yaml
from django.contrib.staticfiles import finders

SIDECAR = "/static/drf_spectacular_sidecar/"


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_schema_is_public_and_documents_bearer_keys(client, db):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["components"]["securitySchemes"]["Bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "mk_<prefix>_<secret>",
        "description": schema["components"]["securitySchemes"]["Bearer"]["description"],
    }
    assert {"Bearer": []} in schema["paths"]["/api/v1/me"]["get"]["security"]


def test_the_schema_is_also_served_as_json(client, db):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert "/api/v1/ping" in response.json()["paths"]


@pytest.mark.parametrize(
    ("url", "asset"),
    [
        ("/api/docs/", "swagger-ui-dist/swagger-ui-bundle.js"),
        ("/api/redoc/", "redoc/bundles/redoc.standalone.js"),
    ],
)
def test_the_docs_load_their_scripts_from_our_own_static_files(client, db, url, asset):
    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f"{SIDECAR}{asset}" in html
    assert finders.find(f"drf_spectacular_sidecar/{asset}") is not None
    external = [u for u in asset_urls(html) if u.startswith(("http:", "https:", "//"))]
    assert external == []
    assert "cdn" not in html.lower() and "googleapis" not in html
