"""``mastra-dashboard``'s own work, in process: its data directory and how it hands commands to
manage.py (the installed command end to end is test_installed_dashboard.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import management

from dashboard import cli

TOUCHED = (
    "MASTRA_DASHBOARD_DATA_DIR",
    "DJANGO_STATIC_ROOT",
    "DJANGO_SECRET_KEY",
    "MASTRA_SQLITE_PATH",
    "CONVEX_URL",
)


@pytest.fixture
def handed_over(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    for name in TOUCHED:
        monkeypatch.delenv(name, raising=False)  # and put back afterwards
    calls: list[list[str]] = []
    monkeypatch.setattr(management, "execute_from_command_line", calls.append)
    return calls


def test_a_data_directory_gets_one_private_secret_key_kept_across_runs(tmp_path, monkeypatch, handed_over):
    cli.main(["--data-dir", str(tmp_path / "data"), "migrate"])
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    first = key_file.read_text()
    monkeypatch.delenv("DJANGO_SECRET_KEY")
    cli.main(["--data-dir", str(tmp_path / "data"), "migrate"])
    assert key_file.read_text() == first and len(first) >= 50


@pytest.mark.parametrize(
    ("argv", "django_argv"),
    [
        (["migrate", "--noinput"], ["migrate", "--noinput"]),
        (["index", "--follow"], ["index", "--follow"]),  # the search index's worker, whatever its options
        (["index", "--rebuild", "--interval", "5"], ["index", "--rebuild", "--interval", "5"]),
        (["manage", "check", "--deploy"], ["check", "--deploy"]),
        (["manage"], ["help"]),
    ],
)
def test_commands_reach_manage_py_with_their_arguments_untouched(tmp_path, handed_over, argv, django_argv):
    cli.main(["--data-dir", str(tmp_path), *argv])
    assert handed_over == [["mastra-dashboard", *django_argv]]


def test_add_user_migrates_a_fresh_data_directory_first(tmp_path, handed_over):
    cli.main(["--data-dir", str(tmp_path), "add-user", "maria", "--role", "editor"])
    assert handed_over == [
        ["mastra-dashboard", "migrate", "--noinput", "--verbosity", "0"],
        ["mastra-dashboard", "add_user", "maria", "--role", "editor"],
    ]


def test_commands_without_a_store_use_a_file_in_the_data_directory_not_the_package(tmp_path, handed_over):
    import os

    cli.main(["--data-dir", str(tmp_path), "migrate"])
    assert Path(os.environ["MASTRA_SQLITE_PATH"]) == tmp_path / "mastra.db"
    assert os.environ["DJANGO_STATIC_ROOT"] == str(tmp_path / "staticfiles")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("dash.example.com", False),
    ],
)
def test_only_a_loopback_address_counts_as_this_machine(host, loopback):
    assert cli._is_loopback(host) is loopback
