"""docker-compose.yml and the Dockerfile, checked as files: Docker is not available where the tests
run, so nothing here starts a container. What a deploy relies on is asserted structurally."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_dashboard_its_database_and_the_index_worker():
    services = compose()["services"]
    assert set(services) == {"dashboard", "db", "indexer"}
    assert services["indexer"]["command"] == ["mastra-dashboard", "index", "--follow"]
    # The worker runs the image the dashboard service builds, with the same database.
    assert services["indexer"]["image"] == services["dashboard"]["image"]
    assert services["indexer"]["environment"] == services["dashboard"]["environment"]
    assert services["dashboard"]["environment"]["DATABASE_URL"].startswith("postgres://dashboard:")


def test_every_service_has_a_health_check_and_starts_after_what_it_needs():
    services = compose()["services"]
    for name, service in services.items():
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD" and len(test) > 1, name
        assert service["restart"] == "unless-stopped", name
    assert services["dashboard"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["indexer"]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "dashboard": {"condition": "service_healthy"},  # it has migrated the database by then
    }
    assert "healthz?ready=1" in " ".join(services["dashboard"]["healthcheck"]["test"])


def test_the_database_lives_in_a_named_volume():
    spec = compose()
    assert "pgdata" in spec["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in spec["services"]["db"]["volumes"]


def test_images_are_pinned_and_ports_published_on_loopback_only():
    services = compose()["services"]
    # A full version tag (or a digest), never `postgres` or `postgres:17`.
    assert re.fullmatch(r"postgres:\d+\.\d+-[a-z]+(@sha256:[0-9a-f]{64})?", services["db"]["image"])
    assert services["dashboard"]["ports"] == ["127.0.0.1:8000:8000"]
    assert "ports" not in services["db"] and "ports" not in services["indexer"]


def test_no_secret_is_written_in_the_compose_file():
    spec = compose()
    assert spec["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    for name in ("dashboard", "indexer"):
        assert spec["services"][name]["env_file"] == "dashboard.env"
    example = (REPO / "dashboard.env.example").read_text()
    for secret in ("DJANGO_SECRET_KEY", "CONVEX_ADMIN_KEY", "METRICS_TOKEN"):
        assert re.search(rf"^{secret}=$", example, re.M), f"{secret} must be blank in the example"
    for ignore in (".gitignore", ".dockerignore"):
        assert "dashboard.env" in (REPO / ignore).read_text()


def test_the_image_and_the_tests_run_one_python():
    wanted = (REPO / ".python-version").read_text().strip()
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == wanted  # the tests' Python
    base = re.search(r"^FROM (\S+)", (REPO / "Dockerfile").read_text(), re.M)
    assert base is not None
    # A full tag (patch version and Debian release), of the same minor version.
    assert re.fullmatch(rf"python:{re.escape(wanted)}\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{{64}})?", base[1])


def test_the_build_backend_is_pinned_exactly_and_matches_the_constraints():
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    (backend,) = requires
    assert re.fullmatch(r"hatchling==\d+\.\d+\.\d+", backend)
    assert backend in (REPO / "constraints.txt").read_text().splitlines()
    storeclient = tomllib.loads((REPO / "storeclient" / "pyproject.toml").read_text())["build-system"]
    assert storeclient["requires"] == [backend]
