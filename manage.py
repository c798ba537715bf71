#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def main() -> None:
    from resettlement.env import load_dotenv

    # A developer checkout keeps DEBUG and a generated SECRET_KEY in .env (see `make setup`);
    # real environment variables always win. DOTENV_FILE= (empty) turns this off.
    dotenv = os.environ.get("DOTENV_FILE", str(Path(__file__).resolve().parent / ".env"))
    if dotenv:
        load_dotenv(Path(dotenv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resettlement.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
