"""First run: create an admin user with a generated password and say how to sign in. Later runs:
say where those first-run credentials are and change nothing."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from dashboard.accounts.roles import set_role


class Command(BaseCommand):
    help = "Create the first admin user (with a generated password) if no admin exists yet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--base-url",
            default=f"http://127.0.0.1:{os.environ.get('PORT') or 8000}",
            help="Where the dashboard is served, for the login link (default: http://127.0.0.1:$PORT).",
        )
        parser.add_argument(
            "--credentials-file",
            type=Path,
            default=settings.VAR_DIR / "admin_credentials.txt",
            help="Where to keep the generated credentials (mode 0600).",
        )

    def handle(
        self, *args: Any, username: str, base_url: str, credentials_file: Path, **options: Any
    ) -> None:
        User = get_user_model()
        if User.objects.filter(Q(groups__name="admin") | Q(is_superuser=True)).exists():
            if credentials_file.exists():
                self.stdout.write(
                    f"An admin user exists. The first-run credentials are in {credentials_file}."
                )
            else:
                self.stdout.write("An admin user exists; nothing to do.")
            return
        if User.objects.filter(username=username).exists():
            self.stderr.write(
                f"A user named {username!r} exists but is not an admin; not touching it. "
                f"Give it the role with: manage.py add_user {username} --role admin"
            )
            return

        password = secrets.token_urlsafe(15)
        login_url = base_url.rstrip("/") + reverse("accounts:login")
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password)
            set_role(user, "admin")
            _write_private(
                credentials_file,
                f"Dashboard admin created by manage.py ensure_admin\n"
                f"login:    {login_url}\nusername: {username}\npassword: {password}\n",
            )

        rule = "=" * 64
        self.stdout.write(
            f"{rule}\n"
            f"Created the dashboard's first admin user. Sign in at\n\n"
            f"    {login_url}\n\n"
            f"    username: {username}\n"
            f"    password: {password}\n\n"
            f"This password is shown once. A copy is in {credentials_file} (readable only by you).\n"
            f"Add teammates at {base_url.rstrip('/')}/admin/ (Users) or with:\n"
            f"    manage.py add_user <name> --role viewer|editor|admin\n"
            f"{rule}"
        )


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Create with 0600 from the start, so the password is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text)
