"""gunicorn settings for the dashboard: ``gunicorn -c python:dashboard.gunicorn_conf`` (in a checkout
also ``gunicorn -c gunicorn.conf.py``).

Threaded workers (gthread): a page waits on Convex over HTTP most of its time, so a few processes
with several threads each serve a team comfortably on a small machine. Each worker builds its own
store (and HTTP connection pool) on first use, after the fork. Every value can be set from the
environment (``GUNICORN_*`` / ``PORT`` / ``WEB_CONCURRENCY``) without editing this file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "dashboard.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"
# Measured with bench/gunicorn_load.py (README "Performance"): 2 workers x 8 threads served more than
# 2 x 4 and as much as 4 x 4 at half the memory (workers level off at ~80 MB on the demo data).
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# CONVEX_TIMEOUT (10 s) per store call and at most a few calls per page: well under this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# No recycling by default: a worker's memory levels off (measured, above), and each restart is a
# cold worker (imports, templates, the store's first calls) in the middle of the traffic.
# GUNICORN_MAX_REQUESTS=N turns it on (with jitter, so workers do not restart all at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 0)
max_requests_jitter = max_requests // 10
# Behind a TLS proxy, set this to the address(es) gunicorn sees the proxy connect from (the first
# field of the access log; CIDR networks work): gunicorn then takes https from the proxy's
# X-Forwarded-Proto and Django gets it as the request's scheme, while anyone else claiming https
# with that header is ignored. Prefer this to DJANGO_TRUST_X_FORWARDED_PROTO, which makes Django
# believe the header from every client that reaches gunicorn. Default: a proxy on the same machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
# Logs to stdout/stderr for the container runtime. The access log leaves out query strings' values
# no more than the URL does: the dashboard puts no secret in a URL.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# Request line and header limits (defaults spelled out): a bigger request is refused with 400.
limit_request_line = 8190
limit_request_fields = 100

# DJANGO_LOG_FORMAT=json: gunicorn's own lines (access log included) as JSON objects too, through
# the dashboard's formatter (which also blanks the admin key).
if (os.environ.get("DJANGO_LOG_FORMAT") or "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "dashboard.log_format.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }

# /metrics adds up every worker's counts from files in this directory (prometheus_client's
# multiprocess mode). It must be set before the workers load the app, and start empty.
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="mastra-dashboard-metrics-")


def on_starting(server: object) -> None:
    for stale in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
        stale.unlink()


def on_exit(server: object) -> None:
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server: object, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
