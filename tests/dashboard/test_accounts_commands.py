"""ensure_admin and add_user, and the README's add_user example run from a shell."""

from __future__ import annotations

import io
import os
import re
import shlex
import stat
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from dashboard.accounts.roles import role_of


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def credentials(tmp_path):
    return tmp_path / "var" / "admin_credentials.txt"


@pytest.mark.django_db
def test_ensure_admin_creates_an_admin_and_prints_how_to_sign_in_once(credentials):
    output = run(
        "ensure_admin", "--credentials-file", str(credentials), "--base-url", "http://127.0.0.1:8123"
    )
    password = re.search(r"password: (\S+)", output).group(1)
    assert "http://127.0.0.1:8123/accounts/login/" in output
    assert "username: admin" in output
    assert len(password) >= 16
    user = authenticate(username="admin", password=password)
    assert user is not None and role_of(user) == "admin"
    assert user.has_perm("accounts.view_audit")

    again = run("ensure_admin", "--credentials-file", str(credentials))
    assert password not in again
    assert str(credentials) in again
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_ensure_admin_keeps_the_credentials_readable_only_by_their_owner(credentials):
    output = run("ensure_admin", "--credentials-file", str(credentials))
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    password = re.search(r"password: (\S+)", output).group(1)
    assert f"password: {password}" in credentials.read_text()


@pytest.mark.django_db
def test_ensure_admin_generates_a_different_password_every_time(tmp_path):
    first = run("ensure_admin", "--credentials-file", str(tmp_path / "a.txt"))
    get_user_model().objects.all().delete()
    second = run("ensure_admin", "--credentials-file", str(tmp_path / "b.txt"))
    assert re.search(r"password: (\S+)", first).group(1) != re.search(r"password: (\S+)", second).group(1)


@pytest.mark.django_db
def test_ensure_admin_does_nothing_when_any_admin_exists(ada, credentials):
    output = run("ensure_admin", "--credentials-file", str(credentials))
    assert "An admin user exists" in output
    assert not credentials.exists()


@pytest.mark.django_db
def test_ensure_admin_leaves_a_non_admin_named_admin_alone(django_user_model, credentials):
    django_user_model.objects.create_user(username="admin", password="whatever-it-was-1")
    output = run("ensure_admin", "--credentials-file", str(credentials))
    assert "not touching it" in output
    assert not credentials.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "can_edit", "can_audit"),
    [("viewer", False, False), ("editor", True, False), ("admin", True, True)],
)
def test_add_user_gives_each_role_its_permissions(role, can_edit, can_audit):
    output = run("add_user", "nadia", "--role", role)
    password = re.search(r"Password \(shown once\): (\S+)", output).group(1)
    user = authenticate(username="nadia", password=password)
    assert role_of(user) == role
    assert user.has_perm("accounts.edit_working_memory") is can_edit
    assert user.has_perm("accounts.view_audit") is can_audit


@pytest.mark.django_db
def test_add_user_reads_the_password_from_stdin_without_echoing_it(monkeypatch):
    output = run(
        "add_user",
        "nadia",
        "--role",
        "viewer",
        "--password-from-stdin",
        stdin="a-long-passphrase-41\n",
        monkeypatch=monkeypatch,
    )
    assert "a-long-passphrase-41" not in output
    assert authenticate(username="nadia", password="a-long-passphrase-41") is not None


@pytest.mark.django_db
def test_add_user_refuses_a_weak_password(monkeypatch):
    with pytest.raises(CommandError, match="Password rejected"):
        run(
            "add_user",
            "nadia",
            "--role",
            "viewer",
            "--password-from-stdin",
            stdin="12345\n",
            monkeypatch=monkeypatch,
        )
    assert not get_user_model().objects.filter(username="nadia").exists()


@pytest.mark.django_db
def test_add_user_changes_the_role_of_an_existing_user(vera):
    output = run("add_user", "vera", "--role", "editor")
    assert "Updated vera: editor role" in output
    vera.refresh_from_db()
    assert role_of(vera) == "editor"
    assert list(vera.groups.values_list("name", flat=True)) == ["editor"]


@pytest.mark.django_db
def test_add_user_refuses_an_unknown_role():
    with pytest.raises(CommandError):
        run("add_user", "nadia", "--role", "owner")


@pytest.mark.django_db
def test_the_roles_exist_after_migrating():
    from django.contrib.auth.models import Group

    groups = {g.name: sorted(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert groups == {
        "viewer": [],
        "editor": ["act_on_workflow_runs", "edit_working_memory", "review_scores"],
        "admin": [
            "act_on_workflow_runs",
            "edit_working_memory",
            "manage_reviews",
            "manage_users",
            "review_scores",
            "view_audit",
        ],
    }


# --- the README's commands, typed in a shell after `make run` ------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def readme_command(name: str) -> list[str]:
    """The README's first example line of ``manage.py <name>``, as a shell would split it."""
    for line in (ROOT / "README.md").read_text().splitlines():
        if not line.startswith(".venv/bin/python manage.py "):
            continue
        words = shlex.split(line.split("#", 1)[0])
        if words[1:3] == ["manage.py", name]:
            return words
    raise AssertionError(f"README.md shows no `manage.py {name}` line")


def shell(tmp_path: Path, command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    # A user's shell: no DJANGO_* variables, only a database of this test's own.
    (tmp_path / "mastra.db").touch()  # a store path must exist (only the demo store may be created)
    environ = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/dashboard.sqlite3",
        "MASTRA_SQLITE_PATH": str(tmp_path / "mastra.db"),
        **env,
    }
    return subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_the_readme_add_user_command_works_after_make_run(tmp_path):
    python = readme_command("add_user")[0]
    # What `make run` does first (with its DJANGO_DEBUG=True): migrate, generating the local key.
    made = shell(tmp_path, [python, "manage.py", "migrate", "--noinput", "-v0"], DJANGO_DEBUG="True")
    assert made.returncode == 0, made.stderr
    result = shell(tmp_path, readme_command("add_user"))
    assert result.returncode == 0, result.stderr
    assert "Created maria with the editor role." in result.stdout
    assert re.search(r"Password \(shown once\): \S{12,}", result.stdout)


def test_a_command_with_a_setting_really_missing_says_which_in_one_line(tmp_path):
    result = shell(tmp_path, readme_command("add_user"), CONVEX_URL="https://happy-otter-123.convex.cloud")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "manage.py: CONVEX_URL is set but CONVEX_ADMIN_KEY is not: the dashboard needs both."
    )
