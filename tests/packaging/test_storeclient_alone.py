"""storeclient is a distribution of its own (storeclient/pyproject.toml): installed alone into a
fresh environment, with no Django anywhere, it reads a mastra.db that Mastra's LibSQLStore wrote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.storeclient.sqlite.nodetools import needs_node, run_node

from .builds import BASE_PYTHON, REPO, build_wheel, clean_env, uv

pytestmark = [pytest.mark.slow, needs_node]

READ_IT = """
import importlib.util, json, sys
from storeclient import SQLiteStore
store = SQLiteStore(sys.argv[1])
threads = store.memory.list_threads(page=0, per_page=20).threads
runs = store.workflows.list_workflow_runs().runs
print(json.dumps({
    "django": importlib.util.find_spec("django") is not None,
    "titles": sorted(t.title for t in threads),
    "statuses": sorted(r.status for r in runs),
}))
"""


def test_storeclient_installed_alone_reads_mastras_sqlite_file_without_django(tmp_path: Path) -> None:
    wheel = build_wheel(REPO / "storeclient", tmp_path / "dist")
    assert wheel.name == "mastra_storeclient-0.1.0-py3-none-any.whl"
    env = clean_env(tmp_path)
    venv = tmp_path / "venv"
    uv("venv", "--python", BASE_PYTHON, venv, env=env)
    uv("pip", "install", "--python", venv / "bin" / "python", "-c", REPO / "constraints.txt", wheel, env=env)
    installed = uv("pip", "list", "--python", venv / "bin" / "python", "--format", "json", env=env)
    names = {package["name"].lower() for package in json.loads(installed.stdout)}
    assert "mastra-storeclient" in names and "httpx" in names
    assert "django" not in names and "mastra-dashboard" not in names

    mastra_db = tmp_path / "mastra.db"
    run_node("libsql_client.mjs", "write", str(mastra_db), stdin="{}")
    # Run from an empty directory: this checkout's storeclient/ must not be the one imported.
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    done = subprocess.run(
        [venv / "bin" / "python", "-I", "-c", READ_IT, mastra_db],
        cwd=empty,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    assert read["django"] is False
    assert {"Weather in Paris", "Trip planning"} <= set(read["titles"])
    assert read["statuses"] == ["failed", "success", "suspended"]
