"""Sign-in limits under concurrency: wrong passwords sent all at once to gunicorn (two worker
processes, several threads each, one shared database) are checked no more often than the limit
allows, because each attempt is reserved atomically before its password is checked."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from .test_production import ROOT, collected, run_gunicorn  # noqa: F401 (collected: a fixture)

PASSWORD = "correct horse battery staple"


def add_user(env: dict[str, str], username: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "add_user", username, "--role", "viewer", "--password-from-stdin"],
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=120,
    )


def _login_form(client: httpx.Client) -> tuple[str, str]:
    """(csrf cookie, csrf form token) of a fresh login page."""
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    return page.cookies["csrftoken"], token.group(1)


@pytest.mark.slow
def test_twenty_concurrent_wrong_passwords_get_exactly_five_checks(collected):  # noqa: F811
    tmp_path, env = collected
    # Plain http to 127.0.0.1: cookies without Secure, so the client sends them back.
    env = env | {"DJANGO_SECURE_COOKIES": "False"}
    log_path: Path = tmp_path / "gunicorn.log"
    with run_gunicorn((tmp_path, env), WEB_CONCURRENCY="2", GUNICORN_THREADS="10") as url:
        added = add_user(env, "vera")
        assert added.returncode == 0, added.stderr
        start = log_path.stat().st_size
        with httpx.Client(base_url=url, timeout=30) as client:
            cookie, token = _login_form(client)
        statuses: list[int] = []
        barrier = threading.Barrier(20)

        def guess(n: int) -> None:
            with httpx.Client(base_url=url, timeout=30) as client:
                barrier.wait()
                response = client.post(
                    "/accounts/login/",
                    data={"username": "vera", "password": f"guess-{n}", "csrfmiddlewaretoken": token},
                    headers={"Cookie": f"csrftoken={cookie}"},
                )
                statuses.append(response.status_code)

        workers = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        # The right password now: still paused, and not checked either.
        with httpx.Client(base_url=url, timeout=30) as client:
            response = client.post(
                "/accounts/login/",
                data={"username": "vera", "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Cookie": f"csrftoken={cookie}"},
            )
        assert response.status_code == 429
    log = log_path.read_bytes()[start:].decode()
    # One authn_login_fail line per password the server checked and found wrong.
    checked = log.count("authn_login_fail user='vera'")
    assert checked == 5, log
    assert sorted(statuses) == [200] * 5 + [429] * 15, log
    assert log.count("authn_login_refused status=429 user='vera'") == 16
