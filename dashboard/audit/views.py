"""``/audit/``: every change made through the dashboard, filterable, for admins (``view_audit``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard.core.store_errors import is_partial_request

from .forms import AuditFilterForm
from .history import event_diff
from .models import AuditEvent

VIEW_PERMISSION = "accounts.view_audit"
PER_PAGE = 50


def _require_audit_permission(request: HttpRequest) -> None:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied("The audit log needs the admin role.")


@require_GET
@vary_on_headers("HX-Request")
def log(request: HttpRequest) -> HttpResponse:
    _require_audit_permission(request)
    form = AuditFilterForm(request.GET)
    events = AuditEvent.objects.all()
    if form.is_valid():
        events = form.filter(events)
    # The texts can be up to a MiB each; the list shows only their sizes.
    events = events.defer("before", "after")
    paginator = Paginator(events, PER_PAGE)
    page = paginator.get_page(form.cleaned_data.get("page") if form.is_valid() else 1)
    now = timezone.now()
    rows = [(event, event.shown_outcome(now)) for event in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": any(request.GET.get(f) for f in form.fields),
    }
    template = "audit/log.html"
    if is_partial_request(request):
        template += "#audit-results"
    return render(request, template, context)


@require_GET
def event(request: HttpRequest, pk: int) -> HttpResponse:
    _require_audit_permission(request)
    entry = get_object_or_404(AuditEvent, pk=pk)
    context = {"entry": entry, "outcome": entry.shown_outcome(), "diff": event_diff(entry)}
    return render(request, "audit/event.html", context)
