"""Security headers on public pages and in the admin: CSP with nonces, HSTS, Referrer-Policy,
Permissions-Policy; no template carries an inline handler or an inline script without a nonce."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from renovation.operations.contentsecurity import ContentSecurityPolicyMiddleware

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["/", "/projects/", "/tenders/", "/streets/", "/accounts/login/", "/accounts/join/"]


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.usefixtures("site_tree")
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_it_sends_a_strict_policy_on_public_pages(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    # Live threads: 'self', and the site's names for browsers whose 'self' does not cover wss:.
    assert policy["connect-src"][0] == "'self'" and "wss://localhost:*" in policy["connect-src"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    permissions = response["Permissions-Policy"]
    assert "camera=()" in permissions and "microphone=()" in permissions
    assert "geolocation=(self)" in permissions


def test_it_allows_wagtails_inline_scripts_in_the_admin_only(personas, login):
    response = login(personas.bureau).get("/admin/")
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert not any(source.startswith("'nonce-") for source in policy["script-src"])
    assert policy["object-src"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_it_adds_the_nonce_a_public_page_used():
    request = RequestFactory().get("/projects/")
    used = {}

    def page(request):
        used["nonce"] = str(request.csp_nonce)
        return HttpResponse(f'<script nonce="{used["nonce"]}"></script>')

    response = ContentSecurityPolicyMiddleware(page)(request)
    policy = _directives(response["Content-Security-Policy"])
    assert f"'nonce-{used['nonce']}'" in policy["script-src"]
    assert f"'nonce-{used['nonce']}'" in policy["style-src"]


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True)
def test_it_sends_hsts_over_https(client, personas, login):
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    admin = login(personas.bureau).get("/admin/", secure=True)
    assert admin["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def _templates() -> list[Path]:
    return sorted(
        path for base in ("renovation", "cms") for path in (ROOT / base).rglob("*.html") if "templates" in path.parts
    )


def test_no_template_has_an_inline_event_handler():
    offenders = [str(path) for path in _templates() if INLINE_HANDLER.search(path.read_text())]
    assert offenders == []


def test_every_script_tag_in_our_templates_loads_a_file_or_carries_the_nonce():
    offenders = [
        f"{path}: {tag}"
        for path in _templates()
        for tag in SCRIPT_TAG.findall(path.read_text())
        if "src=" not in tag and "request.csp_nonce" not in tag
    ]
    assert len(_templates()) > 50
    assert offenders == []
