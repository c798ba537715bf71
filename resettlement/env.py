"""Typed readers for settings that come from the environment.

Every reader fails loudly (ImproperlyConfigured naming the variable) on a value it cannot
interpret, so a typo in a deployment never silently falls back to a default.
"""

import json
import os
from pathlib import Path
from typing import overload
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}")
    return value.lower()


def env_json(name: str, default: dict) -> dict:
    value = _raw(name)
    if value is None:
        return dict(default)
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as error:
        raise ImproperlyConfigured(f"{name} must be a JSON object: {error}") from None
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {type(parsed).__name__}")
    return parsed


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from a local .env file into os.environ, never overriding.

    Only manage.py calls this, so a developer's `make setup` can keep DEBUG and a generated
    SECRET_KEY next to the checkout. Deployments set real environment variables instead.
    """
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def public_base_url(value: str | None) -> str:
    """PUBLIC_BASE_URL, checked: an absolute http(s) address without path, query or fragment
    (a trailing slash is dropped)."""
    if value is None:
        raise ImproperlyConfigured(
            "PUBLIC_BASE_URL must be set when DEBUG is false: the site's public address, "
            "e.g. https://huiqian.example.org (printed on public notices)."
        )
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"PUBLIC_BASE_URL must be an http(s) address like https://huiqian.example.org, "
            f"not {value!r}"
        )
    if parts.path.strip("/"):
        raise ImproperlyConfigured(f"PUBLIC_BASE_URL must have no path, not {value!r}")
    return f"{parts.scheme}://{parts.netloc}"
