"""The operations settings (DJANGO_LOG_FORMAT, METRICS_TOKEN) as a deploy sets them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.dashboard.test_settings import GOOD_KEY, ROOT, load_settings


@pytest.mark.parametrize(
    ("env", "named"),
    [({"DJANGO_LOG_FORMAT": "xml"}, "DJANGO_LOG_FORMAT"), ({"METRICS_TOKEN": "short"}, "METRICS_TOKEN")],
)
def test_a_bad_operations_setting_stops_the_start_naming_the_variable(tmp_path, env, named):
    result = load_settings(tmp_path, DJANGO_SECRET_KEY=GOOD_KEY, **env)
    assert result.returncode != 0
    assert named in result.stderr


def test_json_log_format_writes_one_object_per_line_with_the_key_blanked(tmp_path):
    key = "prod:json-otter-1|" + "s3cr3t" * 8
    logged = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, logging; django.setup(); "
            "logging.getLogger('dashboard').warning('store said: %s\\nsecond line', 'bad key ' + "
            f"{key!r})",
        ],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DJANGO_SECRET_KEY": GOOD_KEY,
            "DATABASE_URL": f"sqlite:///{tmp_path}/dash.sqlite3",
            "CONVEX_URL": "https://json-otter-1.convex.cloud",
            "CONVEX_ADMIN_KEY": key,
            "DJANGO_LOG_FORMAT": "json",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert logged.returncode == 0, logged.stderr
    (line,) = logged.stderr.splitlines()
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "dashboard"
    assert entry["message"] == "store said: bad key [redacted]\nsecond line"
    assert "s3cr3t" not in line
