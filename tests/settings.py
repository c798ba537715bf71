"""Test settings: the real settings module plus what makes tests fast and hermetic."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("PUBLIC_BASE_URL", "http://testserver")
# Playwright runs an event loop in the test thread; Django's ORM may still be used there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from resettlement.settings import *  # noqa: F403
from resettlement.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Workers started in a test make no weekly report unless the test asks for one.
REPORT_WEEKLY_AT = ""
_MEDIA = tempfile.mkdtemp(prefix="resettlement-test-media-")
MEDIA_ROOT = Path(_MEDIA)
STORAGES = {
    **STORAGES,
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="resettlement-test-static-"))
# The household page reads its record on every request unless a test asks otherwise.
HOUSEHOLD_STATUS_SECONDS = 0
