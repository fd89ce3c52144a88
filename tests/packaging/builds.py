"""Building this repository's distributions and installing them into fresh environments, the way
a user does. Builds run offline (the venv's pinned hatchling, no build isolation); installs take the
dependencies from PyPI through uv's cache, pinned by constraints.txt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).with_name("uv")
#: The interpreter the fresh environments are made from: the one behind this venv, not the venv.
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
#: What a fresh shell has: no venv on PATH (and so no `node`, no Django), a home of its own.
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"
#: uv's download cache stays the real user's, so a second run installs without the network.
UV_CACHE = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    keep = {
        name: os.environ[name] for name in ("LANG", "SSL_CERT_FILE", "SSL_CERT_DIR") if name in os.environ
    }
    return {
        **keep,
        "HOME": str(home),
        "PATH": CLEAN_PATH,
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_CACHE_DIR": UV_CACHE,
        **extra,
    }


def build_wheel(project: Path, out: Path) -> Path:
    """The wheel of the project in ``project`` (its own pyproject.toml), built into ``out``."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, project],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = out.glob("*.whl")
    return wheel


def uv(*args: str | Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([UV, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False)
    assert done.returncode == 0, f"uv {' '.join(map(str, args))} failed:\n{done.stderr[-4000:]}"
    return done
