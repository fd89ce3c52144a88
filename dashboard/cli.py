"""``mastra-dashboard``: the installed dashboard's command (``pipx install`` / ``uv tool install``).

    mastra-dashboard serve --sqlite ~/my-agent/mastra.db     # migrate, first admin, serve on :8000
    mastra-dashboard serve --convex-url https://x.convex.cloud  # with CONVEX_ADMIN_KEY in the environment
    mastra-dashboard add-user maria --role editor
    mastra-dashboard migrate | index [...] | manage <any manage.py command> [...]

Everything the dashboard keeps of its own (users, audit log, secret key, collected static files)
goes to one data directory (``--data-dir``, ``MASTRA_DASHBOARD_DATA_DIR``, or
``~/.local/share/mastra-dashboard``). Settings otherwise come from the environment as in a deploy
(README "Configuration"); the options here only fill in what a one-command start needs. The Convex
admin key is read from ``CONVEX_ADMIN_KEY`` only, never from the command line, where ``ps`` shows it.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import sys
from pathlib import Path

#: Subcommands that are a manage.py command under another name; the rest of the line goes to it.
#: ``index`` is the search index's worker (``manage.py index``, ``--follow`` to keep going).
MANAGE_ALIASES = {"migrate": "migrate", "add-user": "add_user", "index": "index"}


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mastra-dashboard"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mastra-dashboard", description="A team dashboard for Mastra agents' data."
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="the dashboard's own files (default: $MASTRA_DASHBOARD_DATA_DIR or ~/.local/share/mastra-dashboard)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate, create the first admin if none, and serve (gunicorn)")
    store = serve.add_mutually_exclusive_group()
    store.add_argument("--sqlite", type=Path, metavar="PATH", help="a Mastra mastra.db (@mastra/libsql)")
    store.add_argument(
        "--convex-url", metavar="URL", help="a Convex deployment (the key comes from CONVEX_ADMIN_KEY)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))

    # The rest of their line is manage.py's to read (parse_known_args in main), --help included.
    for name, target in MANAGE_ALIASES.items():
        commands.add_parser(name, help=f"manage.py {target}", add_help=False)
    commands.add_parser("manage", help="any manage.py command: manage COMMAND [ARGS]", add_help=False)
    return parser


def prepare_environment(data_dir: Path) -> None:
    """The settings a process started by this command needs and a checkout gets from var/."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    os.environ["MASTRA_DASHBOARD_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_STATIC_ROOT", str(data_dir / "staticfiles"))
    if not os.environ.get("DJANGO_SECRET_KEY", "").strip():
        # One random key per data directory, kept so that sessions survive restarts.
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            key_file.touch(mode=0o600)
            key_file.write_text(secrets.token_urlsafe(50))
        os.environ["DJANGO_SECRET_KEY"] = key_file.read_text().strip()


def serve(options: argparse.Namespace) -> None:
    if options.sqlite is not None:
        os.environ["MASTRA_SQLITE_PATH"] = str(options.sqlite.expanduser().resolve())
        os.environ.pop("CONVEX_URL", None)
    elif options.convex_url:
        os.environ["CONVEX_URL"] = options.convex_url
    elif not os.environ.get("CONVEX_URL") and not os.environ.get("MASTRA_SQLITE_PATH"):
        sys.exit("mastra-dashboard serve: which store? --sqlite PATH/TO/mastra.db or --convex-url URL")
    if _is_loopback(options.host):
        # Plain http on this machine: a browser drops Secure cookies there and sign-in would fail.
        # Behind a TLS proxy, set DJANGO_SECURE_COOKIES=True (and DJANGO_ALLOWED_HOSTS) yourself.
        os.environ.setdefault("DJANGO_SECURE_COOKIES", "False")
    base_url = f"http://{options.host}:{options.port}"

    import django
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import call_command

    try:
        django.setup()
    except ImproperlyConfigured as error:
        sys.exit(f"mastra-dashboard: {error}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("ensure_admin", base_url=base_url)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"Serving {_store_label()} on {base_url}/", flush=True)
    # gunicorn replaces this process, so signals (Ctrl-C, a service manager's stop) reach it directly.
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:dashboard.gunicorn_conf",
            "--bind",
            f"{options.host}:{options.port}",
        ],
    )


def _store_label() -> str:
    if os.environ.get("CONVEX_URL"):
        return f"the Convex deployment {os.environ['CONVEX_URL']}"
    return os.environ["MASTRA_SQLITE_PATH"]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    options, args = parser.parse_known_args(argv)
    if options.command == "serve" and args:
        parser.error(f"serve does not take {' '.join(args)}")
    data_dir = options.data_dir or Path(os.environ.get("MASTRA_DASHBOARD_DATA_DIR") or default_data_dir())
    data_dir = data_dir.expanduser().resolve()
    prepare_environment(data_dir)
    if options.command == "serve":
        serve(options)
        return
    if not os.environ.get("CONVEX_URL"):
        # Commands that never open the store (migrate, add-user) still load the settings, whose
        # default store would otherwise be a demo file inside the installed package.
        os.environ.setdefault("MASTRA_SQLITE_PATH", str(data_dir / "mastra.db"))
    command = MANAGE_ALIASES.get(options.command)
    if command is None:  # `manage CMD ...`
        if not args:
            args = ["help"]
        command, args = args[0], args[1:]

    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        if command == "add_user" and "-h" not in args and "--help" not in args:
            # A fresh data directory has no tables yet: adding the first teammate before the
            # first `serve` works too.
            execute_from_command_line(["mastra-dashboard", "migrate", "--noinput", "--verbosity", "0"])
        execute_from_command_line(["mastra-dashboard", command, *args])
    except ImproperlyConfigured as error:
        sys.exit(f"mastra-dashboard: {error}")
