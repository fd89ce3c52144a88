"""Throughput and memory of the dashboard behind gunicorn, for choosing dashboard/gunicorn_conf.py.

Starts gunicorn with the shipped config on 127.0.0.1 over the small demo data set (embedded SQLite
store, a signed-in viewer), then ``--clients`` threads request a mix of pages (overview, thread
list, a thread, workflow runs, scores) for ``--seconds`` per configuration. Each configuration is
workers x threads and ``max_requests`` (worker recycling) on or off; the table prints requests per
second, median and 95th-percentile latency, errors, worker restarts, and the workers' memory (RSS,
summed and largest) at the end. Bounded in time and count; traffic only to 127.0.0.1.

    .venv/bin/python bench/gunicorn_load.py [--seconds 20] [--clients 20] [--only 2x8]
    .venv/bin/python bench/gunicorn_load.py --against /path/to/other/checkout [--clients 8]

``--against`` compares this tree with another checkout of the dashboard instead: both served 2 x 8
without recycling over the same Mastra file (written by this tree), the thread page only.

Figures are for comparing configurations in one run on one machine, never pass/fail. The load
generator runs on the same cores as the server: absolute numbers are low on a small machine.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench load passphrase 42"
PAGES = ("/", "/threads/", "/workflows/", "/scores/")


@dataclass(frozen=True)
class Config:
    workers: int
    threads: int
    max_requests: int

    @property
    def label(self) -> str:
        recycle = f"max_requests={self.max_requests}" if self.max_requests else "no recycling"
        return f"{self.workers}x{self.threads} {recycle}"


CONFIGS = (
    Config(2, 8, 2000),  # what shipped before these measurements
    # Recycling ten times as often: its cost per restart shows within one short run.
    Config(2, 8, 200),
    Config(2, 8, 0),
    Config(4, 4, 0),
    Config(2, 4, 0),
)


def prepare(workdir: Path, root: Path = ROOT) -> tuple[dict[str, str], str]:
    """The environment of a production-like start over the demo data, and a thread to open. The
    data is written by this tree into ``workdir/mastra.db`` (once: another checkout's dashboard,
    ``root``, prepared over the same folder reads the same file, with its own dashboard database)."""
    own = workdir / (root.name if root != ROOT else "this-tree")
    own.mkdir(exist_ok=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{own / 'dashboard.sqlite3'}",
        "MASTRA_SQLITE_PATH": str(workdir / "mastra.db"),
        "DJANGO_STATIC_ROOT": str(own / "staticfiles"),
        "DJANGO_SECURE_COOKIES": "False",
        "GUNICORN_LOG_LEVEL": "info",  # worker restarts are logged at info
    }
    from dashboard.demo import dataset
    from storeclient.sqlite import SQLiteStore

    data = dataset.build_small(seed=7, now=datetime(2026, 1, 10, 12, 0, tzinfo=UTC))
    if not (workdir / "mastra.db").exists():
        with SQLiteStore(workdir / "mastra.db") as store:
            dataset.write_data(store, data)
    thread = next(t for t in data.threads if any(m.thread_id == t.id for m in data.messages))

    def manage(*args: str, stdin: str | None = None) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=root,
            env=env,
            input=stdin,
            text=True,
            check=True,
            capture_output=True,
        )

    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    manage("add_user", "vera", "--role", "viewer", "--password-from-stdin", stdin=PASSWORD + "\n")
    return env, f"/threads/{thread.id}/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_memory_mb(master: int) -> list[float]:
    children = Path(f"/proc/{master}/task/{master}/children")
    sizes = []
    for pid in children.read_text().split() if children.exists() else []:
        status = Path(f"/proc/{pid}/status")
        if match := re.search(r"^VmRSS:\s+(\d+) kB", status.read_text(), re.M):
            sizes.append(int(match[1]) / 1024)
    return sizes


def sign_in(url: str) -> httpx.Cookies:
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "no login form"
        done = client.post(
            "/accounts/login/",
            data={"username": "vera", "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        )
        assert done.status_code == 302, f"sign-in failed ({done.status_code})"
        return client.cookies


def load(url: str, cookies: httpx.Cookies, pages: tuple[str, ...], clients: int, seconds: float):
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client_loop(offset: int) -> None:
        mine, failed = [], 0
        with httpx.Client(base_url=url, cookies=cookies, timeout=30) as client:
            i = offset
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                try:
                    ok = client.get(pages[i % len(pages)]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                mine.append(time.perf_counter() - started)
                failed += not ok
                i += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0], time.monotonic() - started


@dataclass
class Server:
    config: Config
    process: subprocess.Popen[bytes]
    log: Any
    url: str
    cookies: httpx.Cookies | None = None


def start(config: Config, env: dict[str, str], root: Path = ROOT) -> Server:
    port = free_port()
    run_env = env | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(config.workers),
        "GUNICORN_THREADS": str(config.threads),
        "GUNICORN_MAX_REQUESTS": str(config.max_requests),
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=root,
        env=run_env,
        stdout=log,
        stderr=log,
    )
    server = Server(config, process, log, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                server.cookies = sign_in(server.url)
                return server
        except httpx.HTTPError:
            time.sleep(0.3)
    raise SystemExit(f"{config.label}: gunicorn did not start")


def stop(server: Server) -> int:
    """Stops the server; returns how many workers it booted beyond the first ones (recycled)."""
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)
    server.log.seek(0)
    booted = server.log.read().decode(errors="replace").count("Booting worker with pid")
    server.log.close()
    return booted - server.config.workers


def compare(checkout: Path, seconds: float, rounds: int, clients: int) -> None:
    """This tree's server against ``checkout``'s, both 2 x 8 without recycling over the same Mastra
    file, on the thread page only; the load goes to each in turn, round after round."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-gunicorn-against-"))
    config = Config(2, 8, 0)
    commit = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    trees = {"this tree": ROOT, f"{checkout.name} ({commit or '?'})": checkout}
    prepared = {label: prepare(workdir, root) for label, root in trees.items()}
    pages = (next(iter(prepared.values()))[1],)
    servers = {label: start(config, prepared[label][0], root) for label, root in trees.items()}
    rates: dict[str, list[float]] = {label: [] for label in trees}
    latencies: dict[str, list[float]] = {label: [] for label in trees}
    errors = dict.fromkeys(trees, 0)
    try:
        for server in servers.values():
            assert server.cookies is not None
            load(server.url, server.cookies, pages, clients, min(3.0, seconds))  # warm every worker
        for round_ in range(rounds):
            order = list(servers.items())
            for label, server in order if round_ % 2 == 0 else order[::-1]:
                assert server.cookies is not None
                times, failed, elapsed = load(server.url, server.cookies, pages, clients, seconds)
                rates[label].append(len(times) / elapsed)
                latencies[label].extend(times)
                errors[label] += failed
    finally:
        for server in servers.values():
            stop(server)
    print(
        f"{clients} clients, {rounds} rounds of {seconds:.0f} s per tree, 2x8 no recycling, page: {pages[0]}"
    )
    print(f"{'tree':<28} {'req/s (median; range)':>24} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
    for label in trees:
        ordered = sorted(latencies[label])
        spread = f"{statistics.median(rates[label]):.1f} ({min(rates[label]):.1f}-{max(rates[label]):.1f})"
        print(
            f"{label:<28} {spread:>24} {statistics.median(ordered) * 1000:7.0f} "
            f"{ordered[int(len(ordered) * 0.95)] * 1000:7.0f} {errors[label]:6d}"
        )
    ours, theirs = (statistics.median(rates[label]) for label in trees)
    print(f"req/s, this tree / checkout: {ours / theirs:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="load per configuration and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each configuration in turn")
    parser.add_argument("--clients", type=int, help="concurrent clients (default 20; 8 with --against)")
    parser.add_argument("--only", help="configurations whose label contains this text")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="CHECKOUT",
        help="instead: this tree against another checkout, the thread page only (default 8 clients)",
    )
    args = parser.parse_args()
    if args.against:
        compare(args.against.resolve(), args.seconds, args.rounds, args.clients or 8)
        return
    workdir = Path(tempfile.mkdtemp(prefix="bench-gunicorn-"))
    env, thread_page = prepare(workdir)
    pages = (*PAGES, thread_page)
    clients = args.clients or 20
    configs = [c for c in CONFIGS if not args.only or args.only in c.label]
    # Every server runs for the whole bench and the load goes to each in turn, round after round:
    # a change in what else the machine does then hits every configuration alike.
    servers = [start(config, env) for config in configs]
    rates: dict[Config, list[float]] = {c: [] for c in configs}
    latencies: dict[Config, list[float]] = {c: [] for c in configs}
    errors: dict[Config, int] = dict.fromkeys(configs, 0)
    memory: dict[Config, list[float]] = {}
    restarts: dict[Config, int] = {}
    try:
        for server in servers:
            assert server.cookies is not None
            load(server.url, server.cookies, pages, clients, min(3.0, args.seconds))  # warm every worker
        for _ in range(args.rounds):
            for server in servers:
                assert server.cookies is not None
                times, failed, elapsed = load(server.url, server.cookies, pages, clients, args.seconds)
                rates[server.config].append(len(times) / elapsed)
                latencies[server.config].extend(times)
                errors[server.config] += failed
        for server in servers:
            memory[server.config] = worker_memory_mb(server.process.pid)
    finally:
        for server in servers:
            restarts[server.config] = stop(server)
    print(
        f"{clients} clients, {args.rounds} rounds of {args.seconds:.0f} s per configuration, "
        f"pages: {', '.join(PAGES)}, a thread"
    )
    print(
        f"{'configuration':<26} {'req/s (median; range)':>24} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
        f"{'restarts':>8} {'RSS MB':>7} {'max MB':>7}"
    )
    for config in configs:
        ordered = sorted(latencies[config])
        p95 = ordered[int(len(ordered) * 0.95)] if ordered else float("nan")
        spread = f"{statistics.median(rates[config]):.1f} ({min(rates[config]):.1f}-{max(rates[config]):.1f})"
        mem = memory.get(config, [])
        print(
            f"{config.label:<26} {spread:>24} {statistics.median(ordered) * 1000:7.0f} {p95 * 1000:7.0f} "
            f"{errors[config]:6d} {restarts[config]:8d} {sum(mem):7.0f} {max(mem, default=0):7.0f}"
        )


if __name__ == "__main__":
    main()
