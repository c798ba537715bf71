"""Writes a local .env for development (DEBUG on, a fresh secret key) unless one exists."""

import secrets
from pathlib import Path

path = Path(__file__).resolve().parent.parent / ".env"
if not path.exists():
    path.write_text(
        "# Local development settings, read by manage.py; never used in production.\n"
        "DEBUG=true\n"
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n",
        encoding="utf-8",
    )
    print(f"Wrote {path}")
