#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The key a DEBUG run (``make run``) generates for this checkout (dashboard/settings.py writes it).
LOCAL_SECRET_KEY = Path(__file__).resolve().parent / "var" / "secret_key"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    if not os.environ.get("DJANGO_SECRET_KEY", "").strip() and LOCAL_SECRET_KEY.is_file():
        # `make run` sets DJANGO_DEBUG=True for its own commands only; one typed afterwards (the
        # README's `manage.py add_user ...`) runs without it and would be refused for want of a key.
        # It gets the key that run generated for this checkout. Serving (gunicorn, through
        # dashboard/wsgi.py) never falls back to it: a deploy names its key.
        os.environ["DJANGO_SECRET_KEY"] = LOCAL_SECRET_KEY.read_text().strip()

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (loads the settings)
    except ImproperlyConfigured as error:
        # Django would report this as an unknown command (KeyError: 'add_user') with two
        # tracebacks; the message names the variable to fix.
        sys.exit(f"manage.py: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
