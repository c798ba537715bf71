"""Every response, a page, an API answer, an error, a public document or a static file, turns
off the browser features no page uses (Permissions-Policy) beside the referrer policy and the
CSP."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _responses(login):
    anonymous = Client()
    staff = login("clerk")
    with override_settings(WHITENOISE_USE_FINDERS=True):
        static = Client().get("/static/selection/board.css")
    return {
        "sign-in page": anonymous.get(reverse("login")),
        "staff page": staff.get(reverse("households:search")),
        "API": staff.get("/api/v1/households/"),
        "API refused": anonymous.get("/api/v1/households/"),
        "not found": anonymous.get("/no-such-page/"),
        "health check": anonymous.get("/healthz"),
        "static file": static,
    }


def test_every_response_turns_off_the_features_no_page_uses(world, personas, login):
    for name, response in _responses(login).items():
        policy = response.get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
            assert feature in policy, (name, policy)
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name


def test_pages_keep_their_content_security_policy(world, personas, login):
    page = _responses(login)["staff page"]
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
