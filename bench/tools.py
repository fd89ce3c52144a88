"""How /tools/ and a tool's page scale with the number of indexed tool calls, and what keeping the
figures current costs per new message.

Each size gets its own dashboard database (SQLite, the default engine), filled directly with calls
shaped like the demo's: 12 tools, 20 agents, 2,000 resources, 90 days, 8 % failures whose texts
carry order ids and amounts, 1 % calls waiting for a result, arguments of 2-3 keys; one call per
message. The stored daily counts (dashboard/search/tool_days.py) are built from them as the
migration would.

Then, in one process, rounds go over every size in turn (alternating the order) with a signed-in
GET of each page; per page it prints the median ms per size and the ratio largest/smallest: its
median and spread (min-max) over the rounds. The resource-prefix page is not pre-counted (it scans
the matching calls), and is shown for what it costs. The last figure is what the indexer does per
new message for tool statistics: inserting the calls (its own ``_upsert``, pages of 500) plus adding
them to the daily counts (``tool_days.add_calls``), in µs per message.

    .venv/bin/python bench/tools.py [--sizes 10000,1000000] [--rounds 9]
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


PAGES = (
    "/tools/",
    "/tools/?agent=agent3&since=2026-02-01",
    "/tools/issueRefund/",
    "/tools/?resource=user_00",
)


def database(size: int) -> Path:
    return WORKDIR / f"dashboard-{size}.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    insert_us: dict[int, float] = {}
    for size in sizes:
        t = time.perf_counter()
        insert_us[size] = build(size)
        print(f"built {size:,} calls in {time.perf_counter() - t:.0f} s", flush=True)
    measure(sizes, args.rounds, insert_us)


def build(size: int) -> float:
    # Settings are read once per process: each database is built in a child.
    import subprocess

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database(size)}"}
    done = subprocess.run(
        [sys.executable, __file__, "--build", str(size)], env=env, capture_output=True, text=True, check=True
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["insert_us"])


def build_child(size: int) -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import transaction

    from dashboard.accounts.roles import set_role
    from dashboard.search import tool_days
    from dashboard.search.indexer import TOOL_CALL_COLUMNS, _upsert
    from dashboard.search.models import ToolCall

    call_command("migrate", verbosity=0, interactive=False)
    for first in range(0, size, 50_000):
        with transaction.atomic():
            _upsert(ToolCall, TOOL_CALL_COLUMNS, rows(min(50_000, size - first), first))
    with transaction.atomic():
        tool_days.rebuild()
    user = User.objects.create_user(username="bench", password=secrets.token_urlsafe(16))
    set_role(user, "viewer")

    # What the indexer adds per page of new messages: the calls, then their daily counts.
    new = rows(5_000, size)
    t = time.perf_counter()
    for first in range(0, len(new), PAGE):
        page = new[first : first + PAGE]
        with transaction.atomic():
            _upsert(ToolCall, TOOL_CALL_COLUMNS, page)
            tool_days.add_calls(ToolCall.objects.filter(message_id__in=[row[0] for row in page]))
    insert_us = (time.perf_counter() - t) * 1e6 / len(new)
    print(json.dumps({"insert_us": insert_us}))


def measure(sizes: list[int], rounds: int, insert_us: dict[int, float]) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database(sizes[0])}"
    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client, override_settings

    # Production settings, except what a test client needs (as bench/pages.py).
    override_settings(
        ALLOWED_HOSTS=["testserver"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()

    def use(size: int) -> Client:
        connection.close()
        connection.settings_dict["NAME"] = str(database(size))
        client = Client()
        client.force_login(User.objects.get(username="bench"))
        return client

    times: dict[str, dict[int, list[float]]] = {page: {size: [] for size in sizes} for page in PAGES}
    for size in sizes:  # warm each database's pages once
        client = use(size)
        for page in PAGES:
            assert client.get(page).status_code == 200, page
    for n in range(rounds):
        for size in sizes if n % 2 == 0 else reversed(sizes):
            client = use(size)
            for page in PAGES:
                t = time.perf_counter()
                response = client.get(page)
                times[page][size].append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, (page, response.status_code)
    small, large = min(sizes), max(sizes)
    print(
        f"{'page':<40} " + " ".join(f"{f'{s:,} ms':>12}" for s in sizes) + f" {'ratio median (min-max)':>26}"
    )
    for page in PAGES:
        ratios = sorted(a / b for a, b in zip(times[page][large], times[page][small], strict=True))
        medians = " ".join(f"{statistics.median(times[page][s]):>12.1f}" for s in sizes)
        print(f"{page:<40} {medians} {statistics.median(ratios):>10.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})")
    for size in sizes:
        print(
            f"keeping the figures current at {size:,}: {insert_us[size]:.0f} µs per new message (calls + daily counts)"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--build":
        build_child(int(sys.argv[2]))
    else:
        main()
