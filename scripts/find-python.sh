#!/usr/bin/env bash
# Prints the path of a Python >= 3.12 interpreter, or explains what to install and exits 1.
# Django 6 needs Python 3.12+; many machines still default to 3.11, so look past `python3`.
# .python-version names the one Python of the tests and the image (Dockerfile): it comes first.
set -u
pinned=$(cat "$(dirname "$0")/../.python-version" 2>/dev/null || echo 3.12)
candidates=("${PYTHON:-}" "python$pinned" python3.13 python3.12 python3)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for v in "$root"/versions/"$pinned"* "$root"/versions/3.13* "$root"/versions/3.12*; do
    [ -x "$v/bin/python3" ] && candidates+=("$v/bin/python3")
  done
fi
for c in "${candidates[@]}"; do
  [ -n "$c" ] || continue
  path=$(command -v "$c" 2>/dev/null) || continue
  # A pyenv shim can exist without a matching version selected; running it is the only honest test.
  if "$path" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then
    "$path" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
echo "error: no Python >= 3.12 found (tried: ${candidates[*]})." >&2
echo "Install one (Debian 13: apt-get install python3.13 python3.13-venv; or pyenv install 3.12)" >&2
echo "or point PYTHON at it: make test PYTHON=/path/to/python3.12" >&2
exit 1
