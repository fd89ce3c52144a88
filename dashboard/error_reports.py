"""Error reports through ``sentry-sdk`` (the ``sentry`` extra), started by settings when
``SENTRY_DSN`` is set.

An event carries the exception's message, every frame's local variables and the request: any of
them can hold the Convex admin key (the store's constructor argument, a message quoting it). Each
event and breadcrumb is walked before it is sent and every string holding the key, or its secret
half, is blanked; no user identity nor request body is sent, and no traces.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from dashboard.log_format import redact_admin_key


def scrub(value: Any, key: str) -> Any:
    """``value`` (an event, or any part of it) with the admin key blanked in every string, keys of
    mappings included."""
    if isinstance(value, str):
        return redact_admin_key(value, key)
    if isinstance(value, dict):
        return {scrub(k, key): scrub(v, key) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(item, key) for item in value)
    return value


def _admin_key() -> str:
    from django.conf import settings

    return str(getattr(settings, "CONVEX_ADMIN_KEY", "") or "")


def before_send(event: Any, hint: Any) -> Any:
    return scrub(event, _admin_key())


def before_breadcrumb(crumb: Any, hint: Any) -> Any:
    return scrub(crumb, _admin_key())


def start_error_reports(dsn: str, *, environment: str, **options: Any) -> None:
    """``sentry_sdk.init`` with the scrubbing above (``options``: e.g. a test's transport)."""
    try:
        import sentry_sdk
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'mastra-dashboard[sentry]'."
        ) from None
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        # Who was signed in, request bodies: not sent (the dashboard's users are not the report's business).
        data_collection={"user_info": False, "http_bodies": []},
        traces_sample_rate=0.0,
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
        **options,
    )
