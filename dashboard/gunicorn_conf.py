"""gunicorn settings for the dashboard: ``gunicorn -c gunicorn.conf.py dashboard.wsgi``.

Threaded workers (gthread): a page waits on Convex over HTTP most of its time, so a few processes
with several threads each serve a team comfortably on a small machine. Each worker builds its own
store (and HTTP connection pool) on first use, after the fork. Every value can be set from the
environment (``GUNICORN_*`` / ``PORT`` / ``WEB_CONCURRENCY``) without editing this file.
"""

from __future__ import annotations

import os

wsgi_app = "dashboard.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8000}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
threads = int(os.environ.get("GUNICORN_THREADS") or 8)
# CONVEX_TIMEOUT (10 s) per store call and at most a few calls per page: well under this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (bounded memory growth), not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 2000)
max_requests_jitter = 200
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
