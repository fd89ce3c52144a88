"""How /tools/ and a tool's page scale with the number of indexed tool calls, and what keeping the
figures current costs per new message.

The pages read only the index's ``ToolCall`` table (GROUP BY in SQL), so this bench fills that table
directly in a fresh dashboard database (SQLite, the default engine) with calls shaped like the
demo's: 12 tools, 20 agents, 2,000 resources, 90 days, 8 % failures whose texts carry order ids and
amounts, 1 % calls waiting for a result, arguments of 2-3 keys. One call per message.

For each size it prints the median and p90 ms of a signed-in GET of /tools/, /tools/ filtered by a
resource prefix, and a tool's page, then the ratio of the largest size to 10k. Aggregates are not
stored: they are computed when a page is read, so keeping them current costs only the tool-call rows
the indexer writes with each message; the last figure is that insert (the indexer's own ``_upsert``,
pages of 500) in µs per message.

    .venv/bin/python bench/tools.py [--sizes 10000,100000] [--repeats 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKDIR = Path(tempfile.mkdtemp(prefix="bench-tools-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ["MASTRA_SQLITE_PATH"] = str(WORKDIR / "unused.db")
(WORKDIR / "unused.db").touch()

import warnings  # noqa: E402

import django  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")

TOOLS = [
    "lookupOrder", "issueRefund", "trackParcel", "searchDocs", "createTicket", "sendEmail",
    "getWeather", "convertCurrency", "checkStock", "updateAddress", "applyDiscount", "escalate",
]  # fmt: skip
START = datetime(2026, 1, 1, tzinfo=UTC)
PAGE = 500


def rows(n: int, first: int = 0, seed: int = 7) -> list[tuple[object, ...]]:
    rng = random.Random(seed + first)
    found = []
    for i in range(first, first + n):
        tool = TOOLS[min(int(rng.expovariate(0.4)), len(TOOLS) - 1)]
        failed = rng.random() < 0.08
        waiting = not failed and rng.random() < 0.01
        order = f"A-{rng.randint(10_000, 99_999)}"
        error = (
            rng.choice(
                [
                    f"Order {order} not found",
                    f"Refund for order {order} failed: amount {rng.randint(1, 9_999)} exceeds total",
                    f"timeout after {rng.randint(1_000, 30_000)} ms",
                ]
            )
            if failed
            else ""
        )
        args = {"orderId": order, "channel": rng.choice(["web", "email", "phone"])}
        if rng.random() < 0.5:
            args["amount"] = rng.randint(1, 500)
        found.append(
            (
                f"msg-{i:08d}",
                f"thread-{i // 10:07d}",
                f"user_{rng.randint(0, 1_999):04d}",
                f"agent{rng.randint(0, 19)}",
                tool,
                f"call_{i:08d}",
                "call" if waiting else ("output-error" if failed else "result"),
                failed,
                error,
                json.dumps(args),
                START + timedelta(seconds=i * 90 * 86_400 / n),
            )
        )
    return found


def timed(client: object, url: str, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        response = client.get(url)  # type: ignore[attr-defined]
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    medians: dict[str, dict[int, float]] = {}
    print(f"{'page':<34} {'calls':>9} {'median ms':>10} {'p90 ms':>8}")
    for size in sizes:
        os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / f'dashboard-{size}.sqlite3'}"
        cost = run_size(size, args.repeats, medians)
    print()
    largest = max(sizes)
    for page, by_size in medians.items():
        print(f"{page:<34} {largest:>9,} / {min(sizes):,}: {by_size[largest] / by_size[min(sizes)]:.2f}x")
    print(f"keeping the figures current: {cost:.0f} µs of tool-call inserts per new message")


def run_size(size: int, repeats: int, medians: dict[str, dict[int, float]]) -> float:
    # One database per size: settings are read once per process, so each size runs in a child.
    import subprocess

    done = subprocess.run(
        [sys.executable, __file__, "--child", str(size), str(repeats)],
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    for page, (median, p90) in result["pages"].items():
        medians.setdefault(page, {})[size] = median
        print(f"{page:<34} {size:>9,} {median:>10.1f} {p90:>8.1f}")
    return float(result["insert_us"])


def child(size: int, repeats: int) -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client, override_settings

    # Production settings, except what a test client needs (as bench/pages.py).
    override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()
    from dashboard.accounts.roles import set_role
    from dashboard.search.indexer import TOOL_CALL_COLUMNS, _upsert
    from dashboard.search.models import ToolCall

    call_command("migrate", verbosity=0, interactive=False)
    for first in range(0, size, 50_000):
        with transaction.atomic():
            _upsert(ToolCall, TOOL_CALL_COLUMNS, rows(min(50_000, size - first), first))
    user = User.objects.create_user(username="bench", password=secrets.token_urlsafe(16))
    set_role(user, "viewer")
    client = Client()
    client.force_login(user)
    pages = {
        "/tools/": "/tools/",
        "/tools/?resource=user_00": "/tools/?resource=user_00",
        "/tools/issueRefund/": "/tools/issueRefund/",
    }
    for url in pages.values():
        client.get(url)  # warm the caches
    timings = {name: timed(client, url, repeats) for name, url in pages.items()}

    new = rows(5_000, size)
    t = time.perf_counter()
    for first in range(0, len(new), PAGE):
        with transaction.atomic():
            _upsert(ToolCall, TOOL_CALL_COLUMNS, new[first : first + PAGE])
    insert_us = (time.perf_counter() - t) * 1e6 / len(new)
    print(json.dumps({"pages": timings, "insert_us": insert_us}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
