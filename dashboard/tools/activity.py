"""/activity/: the newest messages across every conversation, from the index, refreshing itself.

The list region polls (static/js/poll.js: every ``ACTIVITY_POLL_MS`` while the tab is visible, so
slowly while hidden that it is paused, and at once on return). When no worker keeps the index
current, each poll first catches up for up to ``SEARCH_CATCH_UP_SECONDS`` (as a search does). When
nothing new was written for ``ACTIVITY_IDLE_SECONDS`` the region comes back without ``data-poll``:
polling stops, and the page says how to resume.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.core.filter_prefix import IdPrefixField
from dashboard.core.htmx import read_query, template_for, vary_on_htmx
from dashboard.core.pages import url_or_empty
from dashboard.search.freshness import catch_up_if_idle
from dashboard.search.models import IndexedMessage, IndexedThread, ToolCall

from .freshness import message_link

logger = logging.getLogger(__name__)

ACTIVITY_MESSAGES = 50
ACTIVITY_POLL_MS = 3_000
#: While the tab is hidden: long enough to be a pause (coming back refreshes at once).
ACTIVITY_HIDDEN_POLL_MS = 3_600_000
ACTIVITY_IDLE_SECONDS = 600
SNIPPET_CHARS = 240


class ActivityForm(forms.Form):
    resource = IdPrefixField(label="Resource starts with", strip=True)
    thread = IdPrefixField(label="Thread starts with", strip=True)
    role = forms.ChoiceField(
        required=False, choices=[("", "any role"), *((r, r) for r in ("user", "assistant", "system", "tool"))]
    )
    tool = forms.CharField(required=False, max_length=200, label="Tool name")
    errors_only = forms.BooleanField(required=False, label="Errors only")


@dataclass
class ActivityRow:
    message: IndexedMessage
    title: str
    text: str
    url: str


@require_GET
def activity(request: HttpRequest) -> HttpResponse:
    form = read_query(request, ActivityForm)
    freshness = catch_up_if_idle()
    messages = IndexedMessage.objects.all()
    data = form.cleaned_data
    if data["resource"]:
        messages = messages.filter(resource_id_lower__startswith=data["resource"].lower())
    if data["thread"]:
        messages = messages.filter(thread_id_lower__startswith=data["thread"].lower())
    if data["role"]:
        messages = messages.filter(role=data["role"])
    if data["tool"]:
        messages = messages.filter(
            message_id__in=ToolCall.objects.filter(tool_name=data["tool"]).values("message_id")
        )
    if data["errors_only"]:
        messages = messages.filter(has_error=True)
    newest = list(messages.order_by("-created_at", "-id")[:ACTIVITY_MESSAGES])
    titles = dict(
        IndexedThread.objects.filter(thread_id__in={m.thread_id for m in newest}).values_list(
            "thread_id", "title"
        )
    )
    rows = [
        ActivityRow(
            m,
            (titles.get(m.thread_id) or "").strip() or "(untitled)",
            m.body[:SNIPPET_CHARS],
            message_link(url_or_empty("threads:detail", m.thread_id), m.message_id),
        )
        for m in newest
    ]
    idle = not newest or newest[0].created_at < timezone.now() - timedelta(seconds=ACTIVITY_IDLE_SECONDS)
    context = {
        "form": form,
        "rows": rows,
        "freshness": freshness,
        "problem": freshness.problem,
        "live": not idle,
        "poll_ms": ACTIVITY_POLL_MS,
        "poll_hidden_ms": ACTIVITY_HIDDEN_POLL_MS,
        "idle_minutes": ACTIVITY_IDLE_SECONDS // 60,
    }
    return vary_on_htmx(
        render(request, template_for(request, "tools/activity.html", "activity-live"), context), target=True
    )
