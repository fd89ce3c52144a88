"""``/audit/``: every change made through the dashboard, filterable and exportable as CSV, for admins
(``view_audit``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.core.csv_export import csv_lines
from dashboard.core.htmx import read_query, template_for, vary_on_htmx
from dashboard.core.paging import Pager

from .forms import AuditFilterForm
from .history import event_diff
from .models import Action, AuditEvent, TargetType, record_event

VIEW_PERMISSION = "accounts.view_audit"
PER_PAGE = 50


def _require_audit_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied("The audit log needs the admin role.")


@require_GET
def log(request: HttpRequest) -> HttpResponse:
    _require_audit_permission(request)
    form = read_query(request, AuditFilterForm)
    # The texts can be up to a MiB each; the list shows only their sizes.
    events = form.filter(AuditEvent.objects.all()).defer("before", "after")
    page = Paginator(events, PER_PAGE).get_page(form.cleaned_data["page"])
    now = timezone.now()
    rows = [(event, event.shown_outcome(now)) for event in page.object_list]

    def page_url(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return "?" + query.urlencode()

    context = {
        "form": form,
        "page": page,
        "pager": Pager.for_page(
            page, page_url, f"{page.start_index()}–{page.end_index()} of {page.paginator.count}"
        ),
        "rows": rows,
        "filtered": any(request.GET.get(f) for f in form.fields),
        "export_query": _without_page(request),
    }
    return vary_on_htmx(render(request, template_for(request, "audit/log.html", "audit-results"), context))


@require_GET
def event(request: HttpRequest, pk: int) -> HttpResponse:
    _require_audit_permission(request)
    entry = get_object_or_404(AuditEvent, pk=pk)
    context = {"entry": entry, "outcome": entry.shown_outcome(), "diff": event_diff(entry)}
    return render(request, "audit/event.html", context)


#: The columns of the CSV export, in order (the texts before/after are left out: up to a MiB each,
#: and one event's page shows them).
EXPORT_COLUMNS = (
    "id",
    "created_at",
    "completed_at",
    "user",
    "action",
    "kind",
    "target_type",
    "target_id",
    "outcome",
    "detail",
    "error",
)


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Every event under the page's filters, newest first, as CSV (streamed)."""
    _require_audit_permission(request)
    form = read_query(request, AuditFilterForm)
    events = form.filter(AuditEvent.objects.all()).defer("before", "after")
    now = timezone.now()
    exported = record_event(
        request.user,
        Action.EXPORT_AUDIT,
        TargetType.AUDIT_LOG,
        "",
        detail=f"CSV · {_without_page(request) or 'no filters'}",
    )
    # The file is the log as it was when asked for: without the record of this very export.
    events = events.exclude(pk=exported.pk)
    rows = (
        (
            event.pk,
            event.created_at.isoformat(),
            event.completed_at.isoformat() if event.completed_at else "",
            event.username,
            event.action,
            event.kind,
            event.target_type,
            event.target_id,
            event.shown_outcome(now),
            event.detail,
            event.error,
        )
        for event in events.iterator(chunk_size=500)
    )
    response = StreamingHttpResponse(csv_lines(EXPORT_COLUMNS, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{now:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
