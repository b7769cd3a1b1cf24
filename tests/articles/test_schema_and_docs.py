"""The OpenAPI schema is valid, and the interactive docs are served from local assets."""

import difflib
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

SCHEMA_SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "openapi.yaml"


def test_schema_validates_without_warnings(tmp_path):
    output = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(output))
    text = output.read_text()
    assert text.startswith("openapi: 3")
    assert "/api/v1/articles/{slug}/:" in text


def test_schema_matches_the_snapshot(tmp_path):
    """The public API contract does not change by accident: the generated schema equals
    tests/snapshots/openapi.yaml byte for byte. A deliberate change is recorded with
    `UPDATE_SCHEMA_SNAPSHOT=1 pytest tests/articles/test_schema_and_docs.py` and reviewed
    in the diff of the snapshot."""
    output = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(output))
    generated = output.read_bytes()

    if os.environ.get("UPDATE_SCHEMA_SNAPSHOT") == "1":
        SCHEMA_SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_SNAPSHOT.write_bytes(generated)
    expected = SCHEMA_SNAPSHOT.read_bytes() if SCHEMA_SNAPSHOT.exists() else b""

    if generated != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.decode().splitlines(keepends=True),
                generated.decode().splitlines(keepends=True),
                fromfile="tests/snapshots/openapi.yaml (snapshot)",
                tofile="generated schema",
                n=2,
            )
        )
        lines = diff.splitlines()
        shown = "\n".join(lines[:80]) + (
            f"\n... ({len(lines) - 80} more diff lines)" if len(lines) > 80 else ""
        )
        pytest.fail(
            "The OpenAPI schema differs from tests/snapshots/openapi.yaml: the API contract "
            "changed. If the change is intended, rewrite the snapshot with\n"
            "    UPDATE_SCHEMA_SNAPSHOT=1 .venv/bin/pytest tests/articles/test_schema_and_docs.py\n"
            "and commit the snapshot's diff with the change.\n\n" + shown,
            pytrace=False,
        )


def test_schema_endpoint_answers(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert b"/api/v1/articles/" in response.content


def test_docs_page_uses_only_local_assets(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()

    assert "swagger" in html.lower()
    assert "cdn" not in html.lower()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources, "the docs page should load its script and styles"
    assert not [url for url in sources if "://" in url or url.startswith("//")]
    # Static files, and Swagger UI's init script served by the docs view itself (so
    # that no inline script is needed under the Content-Security-Policy).
    assert all(url.startswith(("/static/", "/api/docs/?")) for url in sources), sources
    assert "<script>" not in html.replace(" ", "")  # no inline script


def test_docs_init_script_is_served_as_javascript(api_client):
    response = api_client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def test_docs_static_assets_are_served_locally(api_client):
    html = api_client.get("/api/docs/").content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"', html)
    assert any(url.endswith(".js") for url in assets)
    assert any(url.endswith(".css") for url in assets)

    for url in assets:
        response = api_client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100, url
