import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from resettlement.env import env_bool, env_int, env_list, load_dotenv

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "PATH": os.environ["PATH"],
    "DOTENV_FILE": "",
    "DEBUG": "false",
    "SECRET_KEY": "x8#kQ2!vLz9@pR4$wN7^mB1&cT6*hY3(jU5)eF0_gD8+sA2-oI4=lK6~qW9",
    "ALLOWED_HOSTS": "huiqian.example.org",
    "PUBLIC_BASE_URL": "https://huiqian.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
    "ID_NUMBER_KEYS": "kYp3s4vI9rXbD1m5zN0qT7uW2eA6cF8hJ4lR3oS9xGk=",
    "ID_HASH_KEY": "a-production-hash-key-kept-with-the-backups",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_asks_for_the_id_number_keys_of_their_own():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in ("ID_NUMBER_KEYS", "ID_HASH_KEY")}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "resettlement.W004" in result.stderr and "ID_NUMBER_KEYS" in result.stderr


@pytest.mark.parametrize("value", ["", "huiqian.example.org", "https://huiqian.example.org/x"])
def test_the_public_address_is_required_and_checked_in_production(value):
    env = {**PRODUCTION_ENV, "PUBLIC_BASE_URL": value}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "PUBLIC_BASE_URL must" in result.stderr


def test_missing_secret_key_in_production_fails_loudly():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_bad_database_url_fails_loudly():
    result = manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "mongodb://nowhere"})
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_boolean_settings_refuse_unknown_words(monkeypatch, value):
    monkeypatch.setenv("SOME_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", default=False)


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("off", False), ("TRUE", True)])
def test_boolean_settings_accept_common_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert env_bool("SOME_FLAG", default=not expected) is expected


def test_integer_settings_refuse_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 1)
    monkeypatch.setenv("SOME_NUMBER", "-5")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("SOME_NUMBER", 1, minimum=0)


def test_list_settings_split_on_commas(monkeypatch):
    monkeypatch.setenv("SOME_HOSTS", "a.example.org, b.example.org,,")
    assert env_list("SOME_HOSTS", []) == ["a.example.org", "b.example.org"]


def test_dotenv_never_overrides_real_environment(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nFROM_FILE=file\nALREADY_SET=file\n", encoding="utf-8")
    monkeypatch.setenv("ALREADY_SET", "environment")
    monkeypatch.delenv("FROM_FILE", raising=False)
    load_dotenv(dotenv)
    assert os.environ["FROM_FILE"] == "file"
    assert os.environ["ALREADY_SET"] == "environment"
    monkeypatch.delenv("FROM_FILE")


def test_dotenv_with_a_malformed_line_fails_loudly(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("NOT A SETTING\n", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=":1:"):
        load_dotenv(dotenv)


def test_photo_storage_backend_comes_from_the_environment(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "MEDIA_STORAGE": "django.core.files.storage.FileSystemStorage",
        "MEDIA_STORAGE_OPTIONS": f'{{"location": "{tmp_path}"}}',
    }
    code = "from django.core.files.storage import default_storage as s; print(s.location)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == str(tmp_path), result.stderr


def test_storage_options_must_be_json(tmp_path):
    result = manage("check", env={**PRODUCTION_ENV, "MEDIA_STORAGE_OPTIONS": "location=/tmp"})
    assert result.returncode != 0 and "MEDIA_STORAGE_OPTIONS must be a JSON object" in result.stderr


@pytest.mark.parametrize(
    ("redis", "engine"), [("", "backends.db"), ("redis://127.0.0.1:6379/9", "backends.cached_db")]
)
def test_sessions_are_read_from_the_cache_only_when_it_is_shared(redis, engine):
    """A process's own cache would keep a session that a sign-out in another process ended."""
    env = {**PRODUCTION_ENV, "REDIS_URL": redis}
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)", env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"django.contrib.sessions.{engine}"
