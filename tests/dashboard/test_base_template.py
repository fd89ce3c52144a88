"""The page frame every area shares: navigation, security headers, CSP, htmx configuration."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from .html_query import find_one

ROOT = Path(__file__).resolve().parents[2]


def test_every_script_carries_the_nonce_of_the_csp_header(vera_client):
    response = vera_client.get("/")
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert len(scripts) >= 2  # htmx and app.js (django-htmx adds its debug script only in DEBUG)
    assert all(f'nonce="{nonce}"' in tag and " defer" in tag for tag in scripts)


def test_the_csp_forbids_inline_code_and_framing(vera_client):
    policy = vera_client.get("/")["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "style-src 'self'"):
        assert directive in policy


def test_each_response_gets_a_fresh_nonce(vera_client):
    first = vera_client.get("/")["Content-Security-Policy"]
    assert first != vera_client.get("/")["Content-Security-Policy"]


def test_security_headers_are_set(vera_client):
    response = vera_client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_htmx_is_configured_for_a_strict_csp(vera_client):
    content = vera_client.get("/").content.decode()
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", content).group(1))
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0


def test_the_csrf_token_rides_on_every_htmx_request(vera_client):
    response = vera_client.get("/")
    token = response.cookies["csrftoken"].value if "csrftoken" in response.cookies else None
    header = re.search(r"hx-headers='([^']+)'", response.content.decode()).group(1)
    assert set(json.loads(header)) == {"X-CSRFToken"}
    if token:
        assert json.loads(header)["X-CSRFToken"]


def test_templates_use_no_eval_based_htmx_features():
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert "hx-on" not in text, template
        assert "js:" not in text, template
        assert not re.search(r"hx-trigger=\"[^\"]*\[", text), template
        assert not re.search(r"<script(?![^>]*nonce=)", text), template
        assert ' style="' not in text, template


def nav_labels(content: str) -> list[str]:
    block = content.split('<ul class="nav-areas">')[1].split("</ul>")[0]
    return re.findall(r">([^<>]+)</a>", block)


def test_the_navigation_lists_every_area_a_viewer_may_open(vera_client):
    content = vera_client.get("/").content.decode()
    assert 'href="/" aria-current="page">Overview</a>' in content
    assert nav_labels(content) == [
        "Overview",
        "Threads",
        "Resources",
        "Workflows",
        "Scores",
        "Tools",
        "Activity",
        "Vectors",
    ]


def test_the_audit_area_is_shown_to_those_who_may_read_it(ada_client):
    assert '<a href="/audit/">Audit</a>' in ada_client.get("/").content.decode()


def test_overview_counts_link_to_their_areas(vera_client):
    content = vera_client.get("/").content.decode()
    assert '<a class="stat" href="/threads/">' in content


def test_error_pages_use_the_site_frame(vera_client):
    response = vera_client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content


def test_collectstatic_builds_the_production_manifest(tmp_path):
    # Production serves hashed, compressed files; a missing reference (e.g. a source map) would
    # only surface at deploy time without this check.
    environ = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DATABASE_URL": f"sqlite:///{tmp_path}/dash.sqlite3",
        "MASTRA_SQLITE_PATH": str(tmp_path / "mastra.db"),
    }
    (tmp_path / "mastra.db").touch()  # a store path must exist (only the demo store may be created)
    script = (
        "import django; django.setup(); from django.conf import settings; "
        f"settings.STATIC_ROOT = {str(tmp_path / 'static')!r}; "
        "from django.core.management import call_command; call_command('collectstatic', '--noinput', verbosity=0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/htmx.org-2.0.11/htmx.min.js",
        "vendor/pico-2.1.1/pico.min.css",
        "css/app.css",
        "js/app.js",
    ):
        assert name in manifest
    assert (tmp_path / "static" / manifest["css/app.css"]).with_suffix(".css.gz").exists() or any(
        (tmp_path / "static").rglob("app.*.css.gz")
    )


def test_the_header_menu_holds_every_area_the_header_items_and_sign_out(ada_client):
    content = ada_client.get("/").content
    menu = find_one(content, "details", cls="site-menu")
    assert menu is not None and find_one(content, "summary", cls="site-menu-toggle").text.strip() == "Menu"
    panel = content.decode().split('<div class="site-menu-panel">')[1]
    for label in ["Overview", "Threads", "Resources", "Workflows", "Scores", "Audit", "Users"]:
        assert f">{label}</a>" in panel, label
    assert "Sign out</button>" in panel and "Preferences</a>" in panel
