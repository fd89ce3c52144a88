"""Prometheus metrics: requests by view, store calls by operation, the search index's lag.

* ``mastra_dashboard_requests_total`` / ``..._request_duration_seconds``: by URL name (``threads:detail``,
  never the path, so ids do not become labels), method and status.
* ``mastra_dashboard_store_calls_total`` / ``..._store_call_duration_seconds`` /
  ``..._store_call_errors_total``: by store operation (``memory.list_threads``) and error type.
* ``mastra_dashboard_index_lag_seconds``: how far the search index is behind the store, read when
  scraped, once the search app (``settings.METRICS_INDEX_STATUS``) is installed and has indexed.

Under gunicorn every worker counts for itself; ``PROMETHEUS_MULTIPROC_DIR`` (set by
dashboard/gunicorn_conf.py) makes one scrape add them up. Labels are names from our code, never
values from a request or a record, and never a setting: nothing here can carry the admin key.
"""

from __future__ import annotations

import functools
import hmac
import inspect
import logging
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

#: Page and store latencies: most answers take milliseconds, a slow Convex call seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "mastra_dashboard_requests", "HTTP requests answered, by view.", ["view", "method", "status"]
)
REQUEST_DURATION = Histogram(
    "mastra_dashboard_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
STORE_CALLS = Counter(
    "mastra_dashboard_store_calls", "Calls to the Mastra store, by operation.", ["operation"]
)
STORE_CALL_DURATION = Histogram(
    "mastra_dashboard_store_call_duration_seconds",
    "Time a Mastra store call took, by operation.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
STORE_CALL_ERRORS = Counter(
    "mastra_dashboard_store_call_errors",
    "Mastra store calls that raised, by operation and error type (BackendUnavailable, AuthError, ...).",
    ["operation", "error"],
)

#: The store's domain objects whose methods are counted, and methods that are not operations.
STORE_DOMAINS = ("memory", "workflows", "scores")
NOT_OPERATIONS = frozenset({"close"})
#: Set on an instrumented object, so a store handed in twice (tests) is wrapped once.
_INSTRUMENTED = "_mastra_dashboard_metrics"


def _timed(operation: str, target: object, name: str) -> Callable[..., Any]:
    original = getattr(type(target), name)

    @functools.wraps(original)
    def call(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            # Looked up on the class at each call, so a method patched there later still runs.
            return getattr(type(target), name)(target, *args, **kwargs)
        except Exception as exc:
            STORE_CALL_ERRORS.labels(operation, type(exc).__name__).inc()
            raise
        finally:
            STORE_CALLS.labels(operation).inc()
            STORE_CALL_DURATION.labels(operation).observe(time.perf_counter() - started)

    return call


def _operations(target: object) -> Iterator[str]:
    """Names of the plain methods (not static or class methods, not properties) of ``target``."""
    for name, attribute in inspect.getmembers(type(target)):
        static = inspect.getattr_static(type(target), name)
        if isinstance(static, staticmethod | classmethod) or not inspect.isfunction(attribute):
            continue
        if not name.startswith("_") and name not in NOT_OPERATIONS:
            yield name


def instrument_store(store: object) -> None:
    """Count and time every public method of ``store`` and of its domain objects, on the instance:
    the store stays the same object (``isinstance`` checks, ``close``), only its calls are seen."""
    parts: list[tuple[str, object]] = [("store", store)]
    parts += [(name, getattr(store, name)) for name in STORE_DOMAINS if hasattr(store, name)]
    for prefix, target in parts:
        if getattr(target, _INSTRUMENTED, False):
            continue
        try:
            for name in _operations(target):
                operation = name if prefix == "store" else f"{prefix}.{name}"
                setattr(target, name, _timed(operation, target, name))
            setattr(target, _INSTRUMENTED, True)
        except AttributeError:  # an object without a __dict__ (slots): its calls go uncounted
            logger.debug("Cannot count the calls of %r", type(target).__name__)


class MetricsMiddleware:
    """Counts and times every request by the name of the URL it matched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        REQUESTS.labels(view, request.method or "-", str(response.status_code)).inc()
        REQUEST_DURATION.labels(view).observe(time.perf_counter() - started)
        return response


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered before routing (/healthz by HealthCheckMiddleware, a bad Host): named by route.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            # Unrouted paths (404s, scanners) share one label: paths are the client's, not ours.
            return "unrouted"
    return match.view_name or "unnamed"


INDEX_LAG = ("mastra_dashboard_index_lag_seconds", "How far the search index is behind the Mastra store.")


class IndexLagCollector(Collector):
    """The search index's lag, asked of the search app when scraped (it lives in the dashboard's
    database, kept by a worker that is not this process)."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Registering a collector without describe() makes prometheus_client call collect() at
        # once, which here means a database query at import time (before migrations, even).
        yield GaugeMetricFamily(
            "mastra_dashboard_index_lag_seconds", "How far the search index is behind the Mastra store."
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        path = getattr(settings, "METRICS_INDEX_STATUS", "")
        if not path:
            return
        try:
            status = import_string(path)
        except ImportError:
            return  # no search index in this install
        try:
            behind = status().seconds_behind
        except Exception:  # the scrape goes on without it (e.g. the index is not migrated yet)
            logger.warning("Could not read the search index status for the metrics", exc_info=True)
            return
        if behind is None:  # not built yet
            return
        yield GaugeMetricFamily(*INDEX_LAG, value=float(behind))


#: Who may read the metrics with a session: the admin role (its permission, as for the store's location).
READ_METRICS_PERMISSION = "accounts.manage_users"


def may_read_metrics(request: HttpRequest) -> bool:
    """An admin's session, or ``Authorization: Bearer <METRICS_TOKEN>`` (a scraper has no session)."""
    token = settings.METRICS_TOKEN
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), token.encode()):
        return True
    user = request.user
    return bool(user.is_authenticated and user.has_perm(READ_METRICS_PERMISSION))


def exposition() -> tuple[bytes, str]:
    """The text a scrape gets, and its content type."""
    registry: CollectorRegistry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every gunicorn worker's counts, added up from the files they write.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(IndexLagCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST


REGISTRY.register(IndexLagCollector())
