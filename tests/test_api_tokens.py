"""API tokens expire, can be revoked, are stored only as hashes, and only administrators list,
create and revoke them (in the admin)."""

import datetime
import importlib
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from resettlement.accounts.models import ApiToken
from resettlement.accounts.tokens import (
    ERROR_TOKEN_INVALID,
    ERROR_TOKEN_REVOKED,
    api_token_create,
    key_digest,
)

pytestmark = pytest.mark.django_db
START = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)
CHANGELIST = reverse("admin:accounts_apitoken_changelist")


def api_get(key: str, url: str = "/api/v1/projects/"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(url)


def detail(response) -> str:
    return response.json()["detail"]


def test_a_token_works_until_it_expires_after_the_configured_days(world, personas):
    with time_machine.travel(START, tick=False):
        token, key = api_token_create(user=personas["leader"], name="月报")
    assert token.expires_at == START + datetime.timedelta(days=90)
    with time_machine.travel(token.expires_at - datetime.timedelta(minutes=1), tick=False):
        assert api_get(key).status_code == 200
    with time_machine.travel(token.expires_at + datetime.timedelta(minutes=1), tick=False):
        response = api_get(key)
    assert response.status_code == 401
    assert detail(response) == "此 API 令牌已于 2025-05-30 17:00 过期，请向管理员申请新的令牌。"
    assert response["WWW-Authenticate"] == "Token"


@override_settings(API_TOKEN_DAYS=7)
def test_the_lifetime_comes_from_the_settings(world, personas):
    with time_machine.travel(START, tick=False):
        token, key = api_token_create(user=personas["leader"], name="一周")
    assert token.expires_at == START + datetime.timedelta(days=7)
    with time_machine.travel(START + datetime.timedelta(days=8), tick=False):
        assert api_get(key).status_code == 401


def test_an_unknown_key_is_refused(world):
    response = api_get("not-a-key")
    assert response.status_code == 401 and detail(response) == str(ERROR_TOKEN_INVALID)


def test_a_token_of_a_disabled_account_is_refused(world, personas):
    _token, key = api_token_create(user=personas["leader"], name="月报")
    personas["leader"].is_active = False
    personas["leader"].save()
    response = api_get(key)
    assert response.status_code == 401 and detail(response) == "此 API 令牌所属的账号已停用。"


def test_only_a_hash_of_the_key_is_stored(world, personas):
    token, key = api_token_create(user=personas["leader"], name="月报")
    token.refresh_from_db()
    assert token.key_hash == key_digest(key) != key
    stored = {str(value) for value in ApiToken.objects.values().get().values()}
    assert not any(key in value for value in stored)
    assert token.key_prefix == key[:6] and len(key) >= 43


def test_last_use_is_recorded_at_most_once_a_minute(world, personas):
    with time_machine.travel(START, tick=False):
        token, key = api_token_create(user=personas["leader"], name="月报")
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        api_get(key)
    token.refresh_from_db()
    assert token.last_used_at == START + datetime.timedelta(hours=1)
    with time_machine.travel(START + datetime.timedelta(hours=1, seconds=30), tick=False):
        api_get(key)
    token.refresh_from_db()
    assert token.last_used_at == START + datetime.timedelta(hours=1)


def test_an_administrator_creates_a_token_and_sees_its_key_once(world, personas, login):
    client = login("admin")
    page = client.post(
        reverse("admin:accounts_apitoken_add"),
        {"user": personas["supervisor"].pk, "name": "街道办月报脚本"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    key = html.split('id="api-key" type="text" readonly size="60" value="')[1].split('"')[0]
    token = ApiToken.objects.get()
    assert token.key_hash == key_digest(key) and token.created_by == personas["admin"]
    assert "只显示这一次" in html
    assert api_get(key).status_code == 200

    listing = client.get(CHANGELIST).content.decode()
    assert "街道办月报脚本" in listing and token.masked_key in listing
    assert key not in listing and token.key_hash not in listing
    change = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert key not in change.content.decode()


def test_an_administrator_revokes_a_token_and_its_next_request_is_refused(world, personas, login):
    token, key = api_token_create(user=personas["leader"], name="月报")
    _other, other_key = api_token_create(user=personas["clerk"], name="叫号屏")
    assert api_get(key).status_code == 200
    response = login("admin").post(
        CHANGELIST, {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "已撤销 1 个密钥。" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_by == personas["admin"] and token.revoked_at is not None
    refused = api_get(key)
    assert refused.status_code == 401 and detail(refused) == str(ERROR_TOKEN_REVOKED)
    assert api_get(other_key).status_code == 200


def test_tokens_are_listed_by_state(world, personas, login):
    with time_machine.travel(START, tick=False):
        api_token_create(user=personas["leader"], name="旧脚本")
    api_token_create(user=personas["leader"], name="月报脚本")
    revoked, _key = api_token_create(user=personas["leader"], name="泄露的脚本")
    revoked.revoked_at = timezone.now()
    revoked.save()
    client = login("admin")
    names = {"active": "月报脚本", "expired": "旧脚本", "revoked": "泄露的脚本"}
    for state, name in names.items():
        page = client.get(CHANGELIST, {"state": state}).content.decode()
        shown = {n for n in names.values() if f">{n}<" in page}
        assert shown == {name}, state


@pytest.mark.parametrize("persona", ["team", "lead", "clerk", "supervisor", "leader", "outsider"])
def test_only_administrators_list_or_create_tokens(world, personas, login, persona):
    api_token_create(user=personas["leader"], name="月报")
    client = login(persona)
    for url in (CHANGELIST, reverse("admin:accounts_apitoken_add")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.post(reverse("admin:accounts_apitoken_add"), {"user": 1, "name": "x"})
    assert response.status_code == 302 and ApiToken.objects.count() == 1


def test_tokens_of_drf_authtoken_are_imported_as_hashes_and_keep_working(world, personas):
    """An instance upgraded from DRF's authtoken app: its clients keep their keys, which now
    expire, and the keys in clear are gone from the old table."""
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id bigint)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [key, timezone.now(), personas["leader"].pk],
        )
    migration = importlib.import_module("resettlement.accounts.migrations.0005_api_tokens")
    migration.import_drf_tokens(apps, SimpleNamespace(connection=connection))
    token = ApiToken.objects.get(user=personas["leader"])
    assert token.key_hash == key_digest(key) and token.expires_at > timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    assert api_get(key).status_code == 200
