"""The built wheel, installed with `uv tool install` like any Python tool, serves a mastra.db that
Mastra's own LibSQLStore wrote, with a login, from one command and nothing of this checkout."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.storeclient.sqlite.nodetools import needs_node, run_node

from .builds import BASE_PYTHON, REPO, build_wheel, clean_env, uv

pytestmark = [pytest.mark.slow, needs_node]

PASSWORD = "a long enough passphrase 7"


@pytest.fixture(scope="module")
def dashboard_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(REPO, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def installed(dashboard_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the mastra-dashboard executable, a home directory for it)."""
    home = tmp_path_factory.mktemp("home")
    env = clean_env(home, UV_TOOL_DIR=str(home / "tools"), UV_TOOL_BIN_DIR=str(home / "bin"))
    uv("tool", "install", "--python", BASE_PYTHON, "-c", REPO / "constraints.txt", dashboard_wheel, env=env)
    return home / "bin" / "mastra-dashboard", home


def test_the_wheel_carries_the_templates_the_static_files_and_the_command(dashboard_wheel: Path) -> None:
    with zipfile.ZipFile(dashboard_wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read("mastra_dashboard-0.1.0.dist-info/entry_points.txt").decode()
    assert "dashboard/templates/base.html" in names
    assert "dashboard/static/css/app.css" in names
    assert any(name.startswith("dashboard/static/vendor/") for name in names)
    assert "mastra-dashboard = dashboard.cli:main" in entry_points
    assert "storeclient/pyproject.toml" not in names  # storeclient's own distribution stays out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(installed: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[str, Path]]:
    command, home = installed
    mastra_db = tmp_path / "agent" / "mastra.db"
    mastra_db.parent.mkdir()
    run_node("libsql_client.mjs", "write", str(mastra_db), stdin="{}")
    env = clean_env(home)
    data = ["--data-dir", str(tmp_path / "data")]
    added = subprocess.run(
        [command, *data, "add-user", "vera", "--role", "viewer", "--password-from-stdin"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert "Created vera with the viewer role." in added.stdout

    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [command, *data, "serve", "--sqlite", str(mastra_db), "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "not serving after 120 s:\n" + log_path.read_text()
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            yield url, log_path
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_one_command_serves_mastras_own_sqlite_file_with_a_login(served: tuple[str, Path]) -> None:
    url, log = served
    with httpx.Client(base_url=url, timeout=30) as browser:
        assert browser.get("/threads/").headers["location"] == "/accounts/login/?next=/threads/"
        login = browser.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
        assert token is not None
        signed_in = browser.post(
            "/accounts/login/",
            data={
                "username": "vera",
                "password": PASSWORD,
                "csrfmiddlewaretoken": token[1],
                "next": "/threads/",
            },
        )
        assert signed_in.status_code == 302, signed_in.text
        assert signed_in.headers["location"] == "/threads/"
        threads = browser.get("/threads/")
        assert threads.status_code == 200
        assert "Weather in Paris" in threads.text and "Trip planning" in threads.text
        # The page's own stylesheet comes from the installed package (hashed by collectstatic).
        css = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', threads.text)
        assert css is not None
        assert browser.get(css[1]).status_code == 200
    # The first admin was made, and its password shown once, by the same command.
    assert "Created the dashboard's first admin user" in log.read_text()


def test_serve_without_a_store_says_which_options_to_give(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    command, home = installed
    done = subprocess.run(
        [command, "--data-dir", str(tmp_path / "data"), "serve"],
        capture_output=True,
        text=True,
        env=clean_env(home),
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "--sqlite PATH/TO/mastra.db or --convex-url URL" in done.stderr
