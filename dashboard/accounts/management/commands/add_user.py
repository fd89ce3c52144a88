"""Add a teammate (or change an existing user's role)."""

from __future__ import annotations

import secrets
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dashboard.accounts.roles import ROLES, set_role


class Command(BaseCommand):
    help = (
        "Create a user with a role (viewer, editor or admin). Without --password-from-stdin a password "
        "is generated and printed once. For an existing user, set the role (and the password if given)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(ROLES))
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-from-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (nothing is echoed).",
        )

    def handle(
        self, *args: Any, username: str, role: str, email: str, password_from_stdin: bool, **options: Any
    ) -> None:
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password: str | None = None
        if password_from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
            try:
                validate_password(password, user or User(username=username, email=email))
            except ValidationError as exc:
                raise CommandError("Password rejected: " + " ".join(exc.messages)) from None

        with transaction.atomic():
            if user is None:
                generated = password is None
                password = password or secrets.token_urlsafe(15)
                user = User.objects.create_user(username=username, email=email, password=password)
                set_role(user, role)
                self.stdout.write(f"Created {username} with the {role} role.")
                if generated:
                    self.stdout.write(f"Password (shown once): {password}")
                return
            set_role(user, role)
            if password is not None:
                user.set_password(password)
                user.save(update_fields=["password"])
            changed = " and a new password" if password is not None else ""
            self.stdout.write(f"Updated {username}: {role} role{changed}.")
