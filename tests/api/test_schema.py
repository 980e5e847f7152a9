"""The OpenAPI schema is valid, names every endpoint, and the documentation page works from static files."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from api import urls

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _api_paths() -> set[str]:
    found = set()
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route.startswith("v1/") and route not in ("v1/schema/", "v1/docs/"):
            found.add("/api/" + route.replace("<int:pk>", "{id}"))
    return found


def test_the_schema_is_valid_openapi_3():
    schema = _schema()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "An API client's token (shown once when created)."}


def test_every_endpoint_appears_in_the_schema():
    schema = _schema()
    assert set(schema["paths"]) == _api_paths()
    operations = {(path, method) for path, item in schema["paths"].items() for method in item if method != "parameters"}
    assert len(_api_paths()) == 17
    assert len(operations) == 19
    assert {("/api/v1/applications/", "post"), ("/api/v1/applications/{id}/", "patch"),
            ("/api/v1/applications/{id}/transition/", "post"), ("/api/v1/screen/", "post")} <= operations
    for path, method in operations:
        assert schema["paths"][path][method]["security"] == [{"bearerAuth": []}], (path, method)


def test_the_schema_is_served_without_a_token():
    response = Client().get("/api/v1/schema/")
    assert response.status_code == 200
    assert set(yaml.safe_load(response.content)["paths"]) == _api_paths()


def test_the_documentation_page_uses_only_our_static_files():
    response = Client().get("/api/v1/docs/")
    page = response.content.decode()
    assert response.status_code == 200
    for asset in ("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
                  "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css", "js/api-docs.js"):
        assert f"/static/{asset}" in page
        assert finders.find(asset) is not None
    assert "<script>" not in page and "http" not in page.split("<body>")[1]
