"""The rules of the house hold: the import contracts in pyproject.toml ([tool.importlinter]) are kept.

They say which room may import which: storeclient is a library that knows nothing of Django or the
dashboard, production code never imports the tests, no area imports another area's views, the
dashboard's packages form no cycle, core imports no area, and no area uses the demo seed data.
Run ``.venv/bin/lint-imports`` for the full report when this fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-logo", "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert " KEPT" in result.stdout
