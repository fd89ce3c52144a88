"""Server time and store calls per dashboard page, rendered through Django's test client.

Each ``PageCase`` names a page, a data set (a function that fills an empty embedded SQLite store and
returns whatever the URL needs) and a URL builder. Every case's page is rendered ``--repeats`` times
for a signed-in viewer; the store is wrapped in a counting proxy so the table shows how many store
calls one render makes, next to the median and 90th-percentile server time and the response size.

    .venv/bin/python bench/pages.py [--repeats 30] [--only workflows]

Adding a page: write (or reuse) a data set function ``def my_data(store) -> Any`` and append
``PageCase("area: what", my_data, lambda data: "/area/...")`` to ``CASES`` (``headers`` for an
htmx partial request, ``role`` to render it for an editor or admin, ``form`` to POST those fields
instead of a GET). Data sets are built once per run and shared by the cases that name them.
Figures are for comparison between runs on one machine, never pass/fail.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORKDIR = Path(tempfile.mkdtemp(prefix="bench-pages-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR / 'dashboard.sqlite3'}"
os.environ["MASTRA_SQLITE_PATH"] = str(WORKDIR / "unused.db")
(WORKDIR / "unused.db").touch()  # a store path must exist (only the demo store may be created)

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise warns that STATIC_ROOT (collectstatic's output) is missing; the bench serves no files.
warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from dashboard.core.store import use_store  # noqa: E402
from storeclient.sqlite import SQLiteStore  # noqa: E402
from tests.support.counting_store import CountingStore  # noqa: E402

# Production settings, except what a test client needs: its host name, and static URLs without the
# collectstatic manifest.
override_settings(
    ALLOWED_HOSTS=["testserver"],
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
).enable()

HTMX = {"HX-Request": "true"}


# --- the counting proxy -------------------------------------------------------------------------------


# --- data sets -------------------------------------------------------------------------------------------


def demo_small(store: SQLiteStore) -> Any:
    from datetime import UTC, datetime

    from dashboard.demo import dataset

    return dataset.write_small(store, seed=7, now=datetime(2026, 1, 10, 12, 0, tzinfo=UTC))


def workflow_runs_2k(store: SQLiteStore) -> Any:
    """2,000 runs of five workflows in every status, a minute apart (the run list's data)."""
    from tests.dashboard import workflow_snapshots as ws

    builders = [builder for builder, _ in ws.EXPECTED.values()]
    for i in range(2_000):
        fixture = builders[i % len(builders)](f"00000000-0000-4000-8000-{i:012d}")
        replace(fixture, created_at=ws.T0 + timedelta(minutes=i)).persist(store, as_string=True)
    return None


def workflow_run_300(store: SQLiteStore) -> Any:
    """One finished run with 300 steps (every tenth pair in parallel), stored as Mastra writes it."""
    from tests.dashboard import workflow_snapshots as ws

    return ws.big_run(300).persist(store, as_string=True)


def workflow_suspended(store: SQLiteStore) -> Any:
    from tests.dashboard import workflow_snapshots as ws

    return ws.refund_suspended().persist(store, as_string=True)


# --- cases ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageCase:
    name: str
    data: Callable[[SQLiteStore], Any]
    url: Callable[[Any, SQLiteStore], str]
    headers: dict[str, str] = field(default_factory=dict)
    #: Who is signed in: "viewer", "editor" or "admin".
    role: str = "viewer"
    #: Fields to POST (built from the data set), for a page that answers a form; ``None``: GET.
    form: Callable[[Any, SQLiteStore], dict[str, str]] | None = None
    #: A prebuilt Mastra file to open instead of an empty one (the data set then only reads it).
    file: Callable[[], Path] | None = None
    #: "sqlite" (a file), or "convex": the local Convex dev server (started once, reset per data set).
    backend: str = "sqlite"
    #: Another case's name: when both run, a ratio line compares this one's median time with it.
    baseline: str = ""


def _next_page(store: SQLiteStore, **filters: Any) -> str:
    cursor = store.workflows.run_feed(limit=25, **filters).next_cursor
    return f"/workflows/?cursor={cursor}"


CASES: list[PageCase] = [
    PageCase("workflows: run list (2,000 runs)", workflow_runs_2k, lambda data, store: "/workflows/"),
    PageCase(
        "workflows: run list, status=failed",
        workflow_runs_2k,
        lambda data, store: "/workflows/?status=failed",
    ),
    PageCase(
        "workflows: run list, page 2 (htmx rows)",
        workflow_runs_2k,
        lambda data, store: _next_page(store),
        {**HTMX, "HX-Target": "run-table"},
    ),
    PageCase("workflows: run list (demo data)", demo_small, lambda data, store: "/workflows/"),
    PageCase("workflows: run page (suspended refund)", workflow_suspended, lambda run, store: run.url),
    PageCase("workflows: run page (300 steps)", workflow_run_300, lambda run, store: run.url),
    PageCase(
        "workflows: run page (300 steps), poll (htmx)",
        workflow_run_300,
        lambda run, store: run.url,
        {**HTMX, "HX-Target": "run-live"},
    ),
    PageCase(
        "workflows: run page (300 steps), step panel (htmx)",
        workflow_run_300,
        lambda run, store: run.url + "?step=transform-152",
        {**HTMX, "HX-Target": "step-panel"},
    ),
    PageCase(
        "workflows: run page (300 steps), raw snapshot (htmx)",
        workflow_run_300,
        lambda run, store: run.url + "?raw=1",
        {**HTMX, "HX-Target": "raw-snapshot"},
    ),
]


# --- working memory editor -------------------------------------------------------------------------------


def memory_with_history(store: SQLiteStore) -> Any:
    """The editor tests' resources and thread, with 20 dashboard edits of Dana's memory in the audit
    log (the editor page shows the last 20 with their diffs)."""
    from django.contrib.auth.models import User

    from dashboard.audit.models import Action, AuditEvent, Outcome
    from tests.dashboard.memory_records import seed_memory

    records = seed_memory(store)
    user = User.objects.create_user(username="bench-history-editor", password=secrets.token_urlsafe(16))
    current = records.dana
    for i in range(20):
        text = (current.working_memory or "") + f"- **Note {i}**: called about order A-{10492 + i}\n"
        event = AuditEvent.start(
            user,
            Action.WORKING_MEMORY_SAVE,
            "resource",
            current.id,
            before=current.working_memory or "",
            after=text,
            base_version=current.memory_version.token(),
        )
        current = store.memory.save_resource_working_memory(current.id, text, expected=current.memory_version)
        event.finish(Outcome.APPLIED, result_version=current.memory_version.token())
    return records


def _memory_review_form(records: Any, store: SQLiteStore) -> dict[str, str]:
    """What the textarea's live preview posts after one line was changed."""
    import json

    dana = store.memory.get_resource_by_id(records.dana.id)
    assert dana is not None and dana.working_memory
    return {
        "action": "review",
        "version": dana.memory_version.token(),
        "base": json.dumps(dana.working_memory, ensure_ascii=False),
        "draft": dana.working_memory.replace("Portland, OR", "Seattle, WA"),
    }


CASES += [
    PageCase(
        "memory: resource editor (20-edit history)",
        memory_with_history,
        lambda records, store: f"/resources/{records.dana.id}/memory/",
        role="editor",
    ),
    PageCase(
        "memory: resource memory, viewer (read-only)",
        memory_with_history,
        lambda records, store: f"/resources/{records.dana.id}/memory/",
    ),
    PageCase(
        "memory: resource editor, JSON (schema mode)",
        memory_with_history,
        lambda records, store: f"/resources/{records.arjun.id}/memory/",
        role="editor",
    ),
    PageCase(
        "memory: thread editor",
        memory_with_history,
        lambda records, store: f"/threads/{records.thread.id}/memory/",
        role="editor",
    ),
    PageCase(
        "memory: live preview + diff (htmx POST)",
        memory_with_history,
        lambda records, store: f"/resources/{records.dana.id}/memory/",
        HTMX,
        role="editor",
        form=_memory_review_form,
    ),
    PageCase(
        "audit: log (20 events)",
        memory_with_history,
        lambda records, store: "/audit/",
        role="admin",
    ),
]


# --- threads and resources ---------------------------------------------------------------------------


def scale_file(name: str) -> Callable[[], Path]:
    """bench/sqlite_scale.py's cached Mastra file: "small" (10k messages) or "large" (1M)."""

    def path() -> Path:
        sys.path.insert(0, str(ROOT / "bench"))
        import sqlite_scale

        return sqlite_scale.ensure(name, rebuild=False)

    path.__name__ = f"sqlite_scale_{name}"
    return path


def prebuilt(store: SQLiteStore) -> Any:
    """A prebuilt file: nothing to write."""
    return None


def huge_message_thread(store: SQLiteStore) -> Any:
    """40 messages, one of them 1 MB of text (a pasted log), as the thread's newest page."""
    from tests.dashboard.thread_records import long_thread, write

    records = long_thread(40, "thread-huge", title="Pasted build log")
    records.messages[-1] = replace(
        records.messages[-1],
        content={
            "format": 2,
            "parts": [{"type": "text", "text": "ERROR build step failed <see log>\n" * 30_000}],
        },
    )
    return write(store, records)


def hostile_messages(store: SQLiteStore) -> Any:
    from tests.dashboard.thread_records import hostile_thread, write

    return write(store, hostile_thread())


def every_format(store: SQLiteStore) -> Any:
    from tests.dashboard.thread_records import every_format_thread, write

    return write(store, every_format_thread())


def forty_messages(store: SQLiteStore) -> Any:
    """A 40-message thread: the first page a thread opens on."""
    from tests.dashboard.thread_records import long_thread, write

    return write(store, long_thread(40, "thread-40"))


def _busiest_demo_thread(data: Any, store: Any) -> str:
    counts = Counter(m.thread_id for m in data.messages)
    return f"/threads/{counts.most_common(1)[0][0]}/"


def _older_messages(thread_id: str) -> Callable[[Any, SQLiteStore], str]:
    """The "Load older" request for the page 1,000 messages back (a real cursor)."""

    def url(data: Any, store: Any) -> str:
        cursor = store.memory.message_feed(thread_id, limit=1_000).next_cursor
        return f"/threads/{thread_id}/?cursor={cursor}"

    return url


def _second_thread_page(data: Any, store: Any) -> str:
    return f"/threads/?cursor={store.memory.thread_feed(limit=25).next_cursor}&back="


SMALL, LARGE = scale_file("small"), scale_file("large")

CASES += [
    PageCase("threads: list (demo data)", demo_small, lambda data, store: "/threads/"),
    PageCase("threads: list, title search (demo data)", demo_small, lambda data, store: "/threads/?q=refund"),
    PageCase("threads: thread page (demo, busiest thread)", demo_small, _busiest_demo_thread),
    PageCase(
        "threads: thread page (every part type and format)",
        every_format,
        lambda d, s: "/threads/thread-every-format/",
    ),
    PageCase("threads: thread page (40 messages)", forty_messages, lambda d, s: "/threads/thread-40/"),
    PageCase(
        "threads: thread page (XSS corpus, 40 of 81)",
        hostile_messages,
        lambda d, s: "/threads/thread-hostile/",
    ),
    PageCase(
        "threads: thread page with a 1 MB message", huge_message_thread, lambda d, s: "/threads/thread-huge/"
    ),
    PageCase("resources: list (demo data)", demo_small, lambda data, store: "/resources/"),
    PageCase(
        "resources: resource page (demo)",
        demo_small,
        lambda data, store: f"/resources/{data.resources[0].id}/",
    ),
]
#: (page, URL builder, headers) timed on the 10k- and the 1M-message file; the 1M line also
#: prints its ratio to the 10k one (aim: ~1.0, each page reads O(page) rows).
SCALE_PAGES: list[tuple[str, Callable[[Any, SQLiteStore], str], dict[str, str]]] = [
    ("threads: list", lambda d, s: "/threads/", {}),
    ("threads: list page 2, htmx", _second_thread_page, HTMX),
    ("threads: list by resource", lambda d, s: "/threads/?resource=user-00042", {}),
    ("threads: 40-message page, big thread", lambda d, s: "/threads/thread-big/", {}),
    ("threads: load older, 1,000 back", _older_messages("thread-big"), HTMX),
    ("resources: list", lambda d, s: "/resources/", {}),
    ("resources: resource page", lambda d, s: "/resources/user-00042/", {}),
    # Not O(page) by design (a LIKE over every title), shown for honesty.
    ("threads: list, title search", lambda d, s: "/threads/?q=A-10042", {}),
    # The overview as main renders it (counts, recent records, store), and the "Needs attention"
    # lanes it loads as it opens (dashboard/health): together, what a user waits for.
    ("overview", lambda d, s: "/", {}),
    ("overview: needs attention lanes, htmx", lambda d, s: "/health/attention/", HTMX),
]
for _page, _url, _headers in SCALE_PAGES:
    CASES += [
        PageCase(f"{_page} (10k msgs)", prebuilt, _url, _headers, file=SMALL),
        PageCase(f"{_page} (1M msgs)", prebuilt, _url, _headers, file=LARGE, baseline=f"{_page} (10k msgs)"),
    ]
CASES += [
    PageCase(
        "threads: list (Convex dev, demo)", demo_small, lambda data, store: "/threads/", backend="convex"
    ),
    PageCase("threads: thread page (Convex dev, demo)", demo_small, _busiest_demo_thread, backend="convex"),
    PageCase(
        "resources: list (Convex dev, demo)", demo_small, lambda data, store: "/resources/", backend="convex"
    ),
    PageCase("overview (Convex dev, demo)", demo_small, lambda data, store: "/", backend="convex"),
    PageCase(
        "overview: needs attention lanes, htmx (Convex dev, demo)",
        demo_small,
        lambda data, store: "/health/attention/",
        HTMX,
        backend="convex",
    ),
    PageCase(
        "resources: resource page (Convex dev, demo)",
        demo_small,
        lambda data, store: f"/resources/{data.resources[0].id}/",
        backend="convex",
    ),
]


# --- scores ----------------------------------------------------------------------------------------------

#: The scores pages' "now" in the bench: the seeded scores end here, so the cached files stay valid.
SCORES_NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
SCORER = "answer-relevancy-scorer"
SCORES_BUILD_VERSION = 1


def scores_file(count: int) -> Callable[[], Path]:
    """A cached Mastra file, var/bench/scores_<count>.db: ``count`` Answer Relevancy scores (realistic
    rows from the demo data, ~2.5 KB each) with ``createdAt`` spread over the 90 days before
    ``SCORES_NOW``, saved one by one through ``SQLiteStore.save_score``."""

    def path() -> Path:
        import json
        import random

        from dashboard.demo.cast import Ids
        from dashboard.demo.scores import agent_score

        out = ROOT / "var" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        db, marker = out / f"scores_{count}.db", out / f"scores_{count}.json"
        want = {"version": SCORES_BUILD_VERSION, "scores": count, "now": SCORES_NOW.isoformat()}
        if db.exists() and marker.exists() and json.loads(marker.read_text()) == want:
            with SQLiteStore(db, create=False) as store:
                store.add_indexes()  # a file cached before a recommended index was added
            return db
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        marker.unlink(missing_ok=True)
        print(f"building {db} ({count:,} scores) ...", flush=True)
        started = time.perf_counter()
        rng = random.Random(count)
        ids = Ids(rng)
        with SQLiteStore(db) as store:
            for _ in range(count):
                created = SCORES_NOW - timedelta(seconds=rng.randint(60, 90 * 86_400))
                ask, answer = rng.choice(_SCORE_TURNS)
                score = agent_score(rng, ids, SCORER, created, SCORES_NOW, None, ask, answer)
                store.scores.save_score(score.payload, created_at=score.created_at)
        marker.write_text(json.dumps(want))
        print(
            f"  built in {time.perf_counter() - started:.0f} s, {db.stat().st_size / 1e6:,.0f} MB", flush=True
        )
        return db

    path.__name__ = f"scores_file_{count}"
    return path


_SCORE_TURNS = [
    (
        "Where is my order A-10492?",
        "Order A-10492 left our warehouse yesterday and should arrive within 2 days.",
    ),
    ("Can I return the blender?", "Yes: returns are free within 30 days. I've e-mailed you a return label."),
    (
        "I was charged twice for A-10377.",
        "Sorry about that! I've refunded the duplicate charge; expect it in 3-5 days.",
    ),
]


def _score_table_page_two(data: Any, store: Any) -> str:
    feed = store.scores.score_feed(
        SCORER, from_date=SCORES_NOW - timedelta(days=30), to_date=SCORES_NOW, limit=25
    )
    return f"/scores/{SCORER}/?cursor={feed.next_cursor}&back="


def _score_panel(data: Any, store: Any) -> str:
    return f"/scores/{SCORER}/{store.scores.score_feed(SCORER, limit=1).items[0].id}/"


# The whole run starts its clock at SCORES_NOW (time still passes, so sessions and caches behave),
# so the scores pages see the seeded scores in their ranges.
time_machine.travel(SCORES_NOW, tick=True).start()
SCORES_1K, SCORES_100K = scores_file(1_000), scores_file(100_000)
_SCORE_PAGES: list[tuple[str, Callable[[Any, Any], str], dict[str, str]]] = [
    ("scorer page, 30 days", lambda d, s: f"/scores/{SCORER}/", {}),
    ("scorer page, 90 days", lambda d, s: f"/scores/{SCORER}/?range=90d", {}),
    ("scorer page, all time", lambda d, s: f"/scores/{SCORER}/?range=all", {}),
    ("scorer page, 24 hours", lambda d, s: f"/scores/{SCORER}/?range=24h", {}),
    (
        "filter change, 7d LIVE (htmx)",
        lambda d, s: f"/scores/{SCORER}/?range=7d&source=LIVE",
        {**HTMX, "HX-Target": "scorer-results"},
    ),
    ("table page 2 (htmx)", _score_table_page_two, {**HTMX, "HX-Target": "score-table"}),
    (
        "lowest first, 90d (htmx table)",
        lambda d, s: f"/scores/{SCORER}/?range=90d&order=lowest",
        {**HTMX, "HX-Target": "score-table"},
    ),
    ("score panel (htmx)", _score_panel, {**HTMX, "HX-Target": "score-detail"}),
    ("overview, 7 days", lambda d, s: "/scores/", {}),
    ("overview, 90 days", lambda d, s: "/scores/?period=90d", {}),
]
for _label, _url, _headers in _SCORE_PAGES:
    CASES += [
        PageCase(f"scores: {_label} (1k)", prebuilt, _url, _headers, file=SCORES_1K),
        PageCase(
            f"scores: {_label} (100k)",
            prebuilt,
            _url,
            _headers,
            file=SCORES_100K,
            baseline=f"scores: {_label} (1k)",
        ),
    ]


# --- running -------------------------------------------------------------------------------------------


def signed_in_client(role: str = "viewer") -> Client:
    from django.contrib.auth.models import User

    from dashboard.accounts.roles import set_role

    user = User.objects.create_user(username=f"bench-{role}", password=secrets.token_urlsafe(16))
    set_role(user, role)
    client = Client()
    client.force_login(user)
    return client


def run(cases: list[PageCase], repeats: int) -> None:
    call_command("migrate", verbosity=0, interactive=False)
    clients = {role: signed_in_client(role) for role in ("viewer", "editor", "admin")}
    stores: dict[tuple[str, Any, Callable[[SQLiteStore], Any]], tuple[Any, Any]] = {}
    print(f"{'page':<52} {'median ms':>10} {'p90 ms':>8} {'store calls':>12} {'KB':>7}")
    medians: dict[str, float] = {}
    for case in cases:
        key = (case.backend, case.file, case.data)
        if key not in stores:
            store = open_store(case)
            stores[key] = (store, case.data(store))
        store, data = stores[key]
        url = case.url(data, store)
        client = clients[case.role]
        form = case.form(data, store) if case.form else None
        counting = CountingStore(store)
        times: list[float] = []
        calls: list[int] = []
        size = 0
        with use_store(counting):
            for i in range(repeats + 2):
                counting.calls.clear()
                started = time.perf_counter()
                if form is None:
                    response = client.get(url, headers=case.headers)
                else:
                    response = client.post(url, form, headers=case.headers)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{case.name}: {url} answered {response.status_code}")
                if i >= 2:  # two warm-up renders (template compilation, store connections)
                    times.append(elapsed)
                    calls.append(sum(counting.calls.values()))
                    size = len(response.content)
        times.sort()
        medians[case.name] = statistics.median(times)
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(
            f"{case.name:<52} {statistics.median(times):>10.1f} {p90:>8.1f} "
            f"{statistics.median(calls):>12.0f} {size / 1024:>7.1f}"
        )
    compared = [c for c in cases if c.baseline in medians]
    if compared:
        print(f"\n{'ratio of median times':<52} {'x':>10}")
        for case in compared:
            print(
                f"{case.name + ' / ' + case.baseline.rsplit(' (', 1)[-1].rstrip(')'):<52} "
                f"{medians[case.name] / medians[case.baseline]:>10.2f}"
            )
    for store, _ in stores.values():
        store.close()
    if _convex_server is not None:
        _convex_server.stop()


_convex_server: Any = None


def open_store(case: PageCase) -> Any:
    """An empty store for the case's data set, or its prebuilt file."""
    global _convex_server
    if case.backend == "convex":
        from dashboard.demo.convex_dev import ConvexDevServer
        from storeclient import ConvexStore

        if _convex_server is None:
            _convex_server = ConvexDevServer().start()
        _convex_server.reset()
        return ConvexStore(_convex_server.url, _convex_server.admin_key)
    if case.file is not None:
        return SQLiteStore(case.file(), create=False)
    return SQLiteStore(WORKDIR / f"{case.data.__name__}.db")


def run_interleaved(cases: list[PageCase], repeats: int) -> None:
    """Like ``run``, but one render of each case per round (a, b, c, a, b, c, ...), so load from other
    processes hits every case alike: use it to compare cases (10k vs 1M) on a busy machine."""
    call_command("migrate", verbosity=0, interactive=False)
    clients = {role: signed_in_client(role) for role in ("viewer", "editor", "admin")}
    stores: dict[tuple[str, Any, Callable[[SQLiteStore], Any]], tuple[Any, Any]] = {}
    prepared = []
    for case in cases:
        key = (case.backend, case.file, case.data)
        if key not in stores:
            store = open_store(case)
            stores[key] = (store, case.data(store))
        store, data = stores[key]
        form = case.form(data, store) if case.form else None
        prepared.append((case, case.url(data, store), form, CountingStore(store)))
    times: dict[str, list[float]] = {case.name: [] for case in cases}
    calls: dict[str, list[int]] = {case.name: [] for case in cases}
    sizes: dict[str, int] = {}
    for i in range(repeats + 2):
        for case, url, form, counting in prepared:
            counting.calls.clear()
            client = clients[case.role]
            with use_store(counting):
                started = time.perf_counter()
                if form is None:
                    response = client.get(url, headers=case.headers)
                else:
                    response = client.post(url, form, headers=case.headers)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{case.name}: {url} answered {response.status_code}")
            if i >= 2:
                times[case.name].append(elapsed)
                # The footer caches describe() per store object, and interleaving swaps the object on
                # every request: leave it out, as a steady server never repeats it.
                calls[case.name].append(sum(n for name, n in counting.calls.items() if name != "describe"))
                sizes[case.name] = len(response.content)
    print(f"{'page (interleaved)':<52} {'median ms':>10} {'p90 ms':>8} {'store calls':>12} {'KB':>7}")
    for case in cases:
        ts = sorted(times[case.name])
        p90 = ts[min(len(ts) - 1, int(len(ts) * 0.9))]
        print(
            f"{case.name:<52} {statistics.median(ts):>10.1f} {p90:>8.1f} "
            f"{statistics.median(calls[case.name]):>12.0f} {sizes[case.name] / 1024:>7.1f}"
        )
    compared = [c for c in cases if c.baseline in times]
    if compared:
        print(f"\n{'ratio of median times':<52} {'x':>10}")
        for case in compared:
            ratio = statistics.median(times[case.name]) / statistics.median(times[case.baseline])
            print(f"{case.name + ' / ' + case.baseline.rsplit(' (', 1)[-1].rstrip(')'):<52} {ratio:>10.2f}")
    for store, _ in stores.values():
        store.close()
    if _convex_server is not None:
        _convex_server.stop()


def profile(cases: list[PageCase], repeats: int, top: int) -> None:
    """cProfile of ``repeats`` renders of each case (after two warm-ups), and the SQL queries one
    render makes on the dashboard database: where a page's fixed cost goes."""
    import cProfile
    import pstats

    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    clients = {role: signed_in_client(role) for role in ("viewer", "editor", "admin")}
    stores: dict[tuple[str, Any, Callable[[SQLiteStore], Any]], tuple[Any, Any]] = {}
    for case in cases:
        key = (case.backend, case.file, case.data)
        if key not in stores:
            store = open_store(case)
            stores[key] = (store, case.data(store))
        store, data = stores[key]
        url = case.url(data, store)
        client = clients[case.role]
        with use_store(store):
            for _ in range(2):
                client.get(url, headers=case.headers)
            queries: list[str] = []

            def record(execute: Any, sql: str, *rest: Any, queries: list[str] = queries) -> Any:
                queries.append(sql)
                return execute(sql, *rest)

            # A wrapper, not CaptureQueriesContext: the connection closes at the end of the request.
            with connection.execute_wrapper(record):
                client.get(url, headers=case.headers)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(repeats):
                client.get(url, headers=case.headers)
            profiler.disable()
        print(f"\n=== {case.name}: {url}  ({len(queries)} dashboard-database queries per render)")
        for sql in queries:
            print(f"    {sql[:160]}")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(top)
    for store, _ in stores.values():
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--only", default="", help="run only cases whose name contains this text")
    parser.add_argument(
        "--interleave",
        action="store_true",
        help="render the cases in turn, round by round (fair comparisons)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="instead of timing, print each case's dashboard-database queries and its N costliest calls",
    )
    args = parser.parse_args()
    cases = [c for c in CASES if args.only.lower() in c.name.lower()]
    if args.profile:
        profile(cases, args.repeats, args.profile)
        return
    (run_interleaved if args.interleave else run)(cases, args.repeats)


if __name__ == "__main__":
    main()
