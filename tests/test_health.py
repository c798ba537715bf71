"""/healthz tells a load balancer whether this app server can serve: the database answers and
the cache keeps a value (200), or which of them failed (503, without the error's text);
anonymous, never cached, no session, plain HTTP allowed behind the TLS proxy."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from resettlement import health

pytestmark = pytest.mark.django_db
URL = reverse("healthz")


def test_a_healthy_server_says_so_to_anyone_without_a_session():
    response = Client().get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies
    assert Client().post(URL).status_code == 405


def test_a_database_that_does_not_answer_is_503_without_its_error(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("could not connect to server at db.internal:5432 (password secret)")

    monkeypatch.setattr(connection, "cursor", broken)
    response = Client().get(URL)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "failed", "cache": "ok"}
    assert b"db.internal" not in response.content and b"secret" not in response.content


def test_a_cache_that_loses_values_is_503(monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda *args, **kwargs: None)
    response = Client().get(URL)
    assert response.status_code == 503
    assert response.json()["cache"] == "failed" and response.json()["database"] == "ok"


def test_plain_http_is_answered_when_https_is_enforced(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get(URL).status_code == 200
    assert Client().get(reverse("login")).status_code == 301


def test_servers_checked_at_the_same_time_do_not_spoil_each_others_check(monkeypatch):
    """Two app servers (here: two threads) share the cache; another check landing between
    this one's write and its read must not make a healthy server answer 503."""
    answers = []
    real_get = health.cache.get

    def get_after_another_check(key, *args, **kwargs):
        if not answers:
            other = threading.Thread(target=lambda: answers.append(Client().get(URL)))
            other.start()
            other.join()
        return real_get(key, *args, **kwargs)

    monkeypatch.setattr(health.cache, "get", get_after_another_check)
    assert Client().get(URL).status_code == 200
    assert answers[0].status_code == 200
