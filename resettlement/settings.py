"""The one settings module. Every deployment difference comes from the environment.

Variables (all optional unless noted):
  DEBUG              true for local development (default false)
  SECRET_KEY         required when DEBUG is false
  ALLOWED_HOSTS      comma-separated host names
  CSRF_TRUSTED_ORIGINS  comma-separated origins (https://example.org)
  DATABASE_URL       sqlite:///path or postgres://user@host:5432/name (default: SQLite next to
                     manage.py)
  CONN_MAX_AGE       seconds a database connection is reused (default 60)
  PG_PREPARED_STATEMENTS  false behind a transaction-pooling PgBouncer (default true)
  REDIS_URL          shared cache for several app servers, and the queue of TASKS_BACKEND=rq
  TASKS_BACKEND      where background tasks (bulk printing, stored documents, large imports)
                     wait for a worker (`manage.py run_worker`): database (default), rq (Redis
                     at REDIS_URL, for worker machines) or immediate (inside the request)
  PRINT_LEASE_SECONDS  how long a print job's part may go without news from its worker
                     before another worker takes it over (default 60)
  TASK_TIMEOUT       seconds a background task may run before its worker stops it (default 1800)
  VERIFY_RATE_PER_MINUTE  /verify/ requests per client address and minute (default 30)
  REPORT_WEEKLY_AT   when workers make the weekly progress reports, Asia/Shanghai (default
                     "MON 08:00": figures as of the Sunday before); empty: no weekly reports
  STATIC_ROOT        where `collectstatic` puts the static files WhiteNoise serves
  MEDIA_ROOT         where uploaded photos go (served under /media/)
  PRIVATE_ROOT       where files with personal data go (served only through views)
  PAPER_FONT_DIR     where `manage.py build_paper_fonts` puts the papers' cut of Noto Sans CJK
                     (default var/fonts next to manage.py; `make setup` makes it)
  PDF_WARM_UP        each app server process renders a small paper as it starts, so the first
                     PDF a clerk asks of it is not 2-3 s late (default: true without DEBUG)
  MEDIA_STORAGE, MEDIA_STORAGE_OPTIONS  storage backend of photos (dotted path; JSON options)
  BEHIND_TLS_PROXY   true when a proxy terminates TLS and sets X-Forwarded-Proto
  TRUSTED_PROXY_HOPS proxies in front of the application that append the client's address to
                     X-Forwarded-For (default 1 with BEHIND_TLS_PROXY, else 0): the client's
                     address is then the entry the outermost of them added
  MAP_TILES_URL      XYZ template of base tiles ({z}/{x}/{y}); empty (default): no base map.
                     Its host (subdomain placeholders as *) is the Content-Security-Policy's
                     only image source besides this site
  MAP_TILES_CRS      wgs84 (default; OSM, Tianditu) or gcj02 (Gaode, Tencent: geometry is
                     shifted for display only)
  MAP_TILES_ATTRIBUTION, MAP_TILES_SUBDOMAINS, MAP_TILES_MAX_ZOOM
  SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SESSION_COOKIE_AGE, LOG_LEVEL
  API_TOKEN_DAYS     days an API token is valid (default 90)
  SIGN_IN_FAILURES   failed sign-ins within SIGN_IN_WINDOW seconds (default 900) for one name or
                     one address before sign-ins are refused for SIGN_IN_LOCK seconds (default
                     900); default 5
  BOARD_LINK_HOURS   hours a selection board link is valid (default 24)
  HOUSEHOLD_SESSION_MINUTES  minutes a household stays signed in at /my/ or holds an API
                     token from /api/v1/me/token/ (default 30)
  HOUSEHOLD_STATUS_SECONDS  seconds the record /my/ shows is kept per household (default
                     30; 0 reads it on every request)
  ID_NUMBER_KEYS     Fernet keys ID numbers are encrypted with, comma-separated, the first
                     encrypting (rotate: new key first, then manage.py rotate_id_number_keys)
  ID_HASH_KEY        the key of the hash ID numbers are looked up by (default for both:
                     derived from SECRET_KEY)
  HOUSEHOLD_CODE_KEY the key households' access codes are derived from (default: derived
                     from SECRET_KEY; set it once, changing it changes every printed code)
  PUBLIC_BASE_URL    the site's public address (https://huiqian.example.org), printed on
                     documents as text and QR code (lottery notices); required when DEBUG
                     is false (default with DEBUG: http://127.0.0.1:8000)
  GEODATA_UPLOAD_MAX_MB, GEODATA_MAX_FEATURES  largest GIS upload (default 20 MB) and most
                     features in one layer (default 20,000), checked before reading
  REQUEST_MAX_MB     largest request body of any kind (default 60), refused before it is read
  IMPORT_MAX_MB, IMPORT_MAX_UNPACKED_MB, IMPORT_MAX_ROWS  largest register upload (default
                     10 MB), its declared unpacked size (default 50 MB), data rows per sheet
                     (default 20,000), checked before parsing
"""

import base64
import hashlib
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from resettlement.content_security import tile_source
from resettlement.env import (
    env_bool,
    env_choice,
    env_int,
    env_json,
    env_list,
    env_str,
    public_base_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-local-development-only-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else None)
if SECRET_KEY is None:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is false (run `make setup` for a local .env)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "resettlement.admin_apps.ResettlementAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "django_tasks",
    "django_rq",
    "django_tasks_rq",
    "django_tasks_db",
    "leaflet",
    "csp",
    "resettlement.accounts",
    "resettlement.projects",
    "resettlement.housing",
    "resettlement.households",
    "resettlement.progress",
    "resettlement.imports",
    "resettlement.lottery",
    "resettlement.selection",
    "resettlement.handover",
    "resettlement.archive",
    "resettlement.demo",
    "resettlement.reports",
    "resettlement.household_status",
    "api",
    "maps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "resettlement.permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    # 400 for control characters (NUL) or broken UTF-8 in the address, NUL in a form.
    "resettlement.request_check.RequestCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "resettlement.cache_headers.PrivateByDefaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "resettlement.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "resettlement.error_pages.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "resettlement.urls"
WSGI_APPLICATION = "resettlement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "resettlement.accounts.context_processors.access",
            ],
        },
    },
]


def _database(url: str) -> dj_database_url.DBConfig:
    try:
        config = dj_database_url.parse(
            url, conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0), conn_health_checks=True
        )
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a supported database URL: {error}"
        ) from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock up front, so concurrent writers wait
        # (up to `timeout`) instead of failing with "database is locked" mid-transaction.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif config["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "PG_PREPARED_STATEMENTS", default=True
    ):
        # Server-side parameters, with each statement prepared on a connection's second use:
        # the server parses and plans the desks' statements once (a confirmation takes ~20%
        # less time). Turn off behind a transaction-pooling PgBouncer.
        config.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=1)
    return config


DATABASES = {
    "default": _database(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the shared cache (and written to the database too) when there is
# one: a signed-in request then costs no session query. Each process's own cache (locmem)
# would keep serving a session that another process ended (a sign-out), so without Redis
# sessions stay in the database alone.
SESSION_ENGINE = f"django.contrib.sessions.backends.{'cached_db' if _REDIS_URL else 'db'}"

# The audit trail's change reasons are free text (a void reason, an import's file name), kept
# whole in a text column rather than simple-history's default of 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Background work (bulk printing, rendering published documents, large imports) goes through
# Django's tasks API. TASKS_BACKEND=database (default): tasks wait in this database for
# `manage.py run_worker` (make run starts one). TASKS_BACKEND=rq: they wait in Redis (REDIS_URL)
# for workers on any machine (`manage.py run_worker` there too). immediate: inside the request.
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
TASKS_BACKEND = env_choice("TASKS_BACKEND", "database", set(_TASK_BACKENDS))
if TASKS_BACKEND == "rq" and not _REDIS_URL:
    raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL.")
TASKS = {"default": _TASK_BACKENDS[TASKS_BACKEND]}
TASK_TIMEOUT = env_int("TASK_TIMEOUT", 1800, minimum=10)
PRINT_LEASE_SECONDS = env_int("PRINT_LEASE_SECONDS", 60, minimum=5)
# /verify/<code>/ answers this many requests per client address and minute, then 429.
REPORT_WEEKLY_AT = env_str("REPORT_WEEKLY_AT", "MON 08:00")
VERIFY_RATE_PER_MINUTE = env_int("VERIFY_RATE_PER_MINUTE", 30, minimum=1)
RQ_QUEUES = {
    "default": {"URL": _REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": TASK_TIMEOUT}
}
# Operators watch the queue with `manage.py rqstats`; django-rq's admin pages assume Django's
# is_staff, which this product's roles do not use.
RQ_SHOW_ADMIN_LINK = False

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["resettlement.admin_site.RoleBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "projects:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Without DEBUG, `collectstatic` fills STATIC_ROOT and WhiteNoise serves it; with DEBUG,
# WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Files with personal data (import error workbooks) never go under MEDIA_URL.
PRIVATE_ROOT = Path(env_str("PRIVATE_ROOT", str(BASE_DIR / "private")))
PAPER_FONT_DIR = Path(env_str("PAPER_FONT_DIR", str(BASE_DIR / "var" / "fonts")))
STORAGES = {
    # Milestone photos. Point MEDIA_STORAGE at an object-storage backend (e.g. django-storages'
    # S3 backend, with its settings in MEDIA_STORAGE_OPTIONS as JSON) for several app servers.
    "default": {
        "BACKEND": env_str("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json("MEDIA_STORAGE_OPTIONS", {}),
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": "/private-files-have-no-url/"},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# No request body may be larger than this (413 before it is read): a few phone photos of a
# milestone, a GIS file (GEODATA_UPLOAD_MAX_MB) or a register (IMPORT_MAX_MB) fit.
REQUEST_MAX_MB = env_int("REQUEST_MAX_MB", 60, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# Security. Defaults are strict unless DEBUG; `manage.py check --deploy` passes with them.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
TRUSTED_PROXY_HOPS = env_int(
    "TRUSTED_PROXY_HOPS", 1 if env_bool("BEHIND_TLS_PROXY", False) else 0, minimum=0
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers may check the app servers over plain HTTP, behind the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response (django-csp): scripts, styles, fonts and requests
# only to this origin; no inline script, handler or style, no eval (data reaches scripts through
# `json_script`); images also as data:/blob: URLs and from the base-map tile server when one is
# configured; no plugins, no <base>, forms post here only, no framing.
_MAP_TILES_URL = env_str("MAP_TILES_URL", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *filter(None, [tile_source(_MAP_TILES_URL)])],
        "connect-src": [SELF],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

REST_FRAMEWORK = {
    # The token class first: its WWW-Authenticate header makes a refused request a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON bodies: one object, at most 1 MB and 32 levels deep, no NUL (api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "api.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.StandardPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "回迁安置管理系统 API",
    "DESCRIPTION": _(
        "Resettlement tracking: projects, villages, buildings, flats, milestones, households, "
        "lotteries, selection days."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: each would be a link inside an operation's toggle button, which screen
    # readers cannot reach; no syntax colouring, whose colours are unreadable on its dark
    # background.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FlatStatusEnum": "resettlement.housing.models.FlatStatus",
        "HouseholdStatusEnum": "resettlement.households.models.HouseholdStatus",
    },
}

# Base map. Without MAP_TILES_URL the map shows project geometry on a plain background and needs
# no internet access. Geometry is stored in WGS84; for GCJ-02 tiles it is shifted in the browser.
MAP_TILES = {
    "url": _MAP_TILES_URL,
    "crs": env_choice("MAP_TILES_CRS", "wgs84", {"wgs84", "gcj02"}),
    "attribution": env_str("MAP_TILES_ATTRIBUTION", ""),
    "subdomains": env_str("MAP_TILES_SUBDOMAINS", ""),
    "max_zoom": env_int("MAP_TILES_MAX_ZOOM", 19, minimum=1),
}
LEAFLET_CONFIG = {
    "TILES": [],
    "DEFAULT_CENTER": (34.22, 108.95),
    "DEFAULT_ZOOM": 13,
    "MAX_ZOOM": 20,
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "pyogrio": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}

# Access without a password expires: API tokens (created and revoked by administrators in the
# admin) and the links that open a selection board on a projector (revoked on the event page).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
# Sign-in throttling (resettlement/accounts/signin.py): after SIGN_IN_FAILURES failures within
# SIGN_IN_WINDOW seconds for one name or one address, sign-ins are refused for SIGN_IN_LOCK.
SIGN_IN_FAILURES = env_int("SIGN_IN_FAILURES", 5, minimum=1)
SIGN_IN_WINDOW = env_int("SIGN_IN_WINDOW", 15 * 60, minimum=1)
SIGN_IN_LOCK = env_int("SIGN_IN_LOCK", 15 * 60, minimum=1)
BOARD_LINK_HOURS = env_int("BOARD_LINK_HOURS", 24, minimum=1)
# A household signed in at /my/ (or holding an API token from /api/v1/me/token/) stays signed
# in this many minutes. Its access code (where a project asks for one) is an HMAC of the
# household and its code's version under HOUSEHOLD_CODE_KEY: changing the key changes every
# printed code, so set it once per installation (it defaults to one derived from SECRET_KEY).
HOUSEHOLD_SESSION_MINUTES = env_int("HOUSEHOLD_SESSION_MINUTES", 30, minimum=1)
# The record /my/ shows is kept this many seconds per household (0: read on every request);
# the page says when it was read.
HOUSEHOLD_STATUS_SECONDS = env_int("HOUSEHOLD_STATUS_SECONDS", 30, minimum=0)
HOUSEHOLD_CODE_KEY = env_str("HOUSEHOLD_CODE_KEY") or f"household-code:{SECRET_KEY}"
# ID numbers are encrypted at rest (resettlement/id_encryption.py) under the first of these
# Fernet keys (each 32 url-safe base64 bytes; all of them decrypt), and looked up by a keyed
# hash under ID_HASH_KEY. Both default to keys derived from SECRET_KEY; set them once per
# installation and keep them with the backups: without them the ID numbers cannot be read.
ID_NUMBER_KEYS = [
    key.strip() for key in (env_str("ID_NUMBER_KEYS") or "").split(",") if key.strip()
] or [
    base64.urlsafe_b64encode(hashlib.sha256(f"id-numbers:{SECRET_KEY}".encode()).digest()).decode()
]
ID_HASH_KEY = env_str("ID_HASH_KEY") or f"id-hash:{SECRET_KEY}"
# Documents printed or rendered without a request (the notice PDF, in the background) name
# the site by this address.
PUBLIC_BASE_URL = public_base_url(
    env_str("PUBLIC_BASE_URL") or ("http://127.0.0.1:8000" if DEBUG else None)
)

# Geodata import (building footprints, village boundaries): the largest GIS file accepted, in
# MB, checked before the upload is stored or read; and the most features one layer may have,
# checked from the layer's count before its features are read.
GEODATA_UPLOAD_MAX_MB = env_int("GEODATA_UPLOAD_MAX_MB", 20, minimum=1)
GEODATA_MAX_FEATURES = env_int("GEODATA_MAX_FEATURES", 20_000, minimum=1)

# Register imports (.xlsx). Every limit is checked before the part it guards is read:
#   IMPORT_MAX_MB           size of the uploaded file (default 10)
#   IMPORT_MAX_UNPACKED_MB  what its parts may add up to once unpacked, as the zip declares
#                           them (default 50; a 20,000-row register takes about 12 MB)
#   IMPORT_MAX_ROWS         data rows per sheet and upload (default 20,000)
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 10, minimum=1)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 50, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000, minimum=1)
