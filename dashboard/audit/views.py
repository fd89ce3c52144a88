"""``/audit/``: every change made through the dashboard, filterable, for admins (``view_audit``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.core.htmx import read_query, template_for, vary_on_htmx
from dashboard.core.paging import Pager

from .forms import AuditFilterForm
from .history import event_diff
from .models import AuditEvent

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
    }
    return vary_on_htmx(render(request, template_for(request, "audit/log.html", "audit-results"), context))


@require_GET
def event(request: HttpRequest, pk: int) -> HttpResponse:
    _require_audit_permission(request)
    entry = get_object_or_404(AuditEvent, pk=pk)
    context = {"entry": entry, "outcome": entry.shown_outcome(), "diff": event_diff(entry)}
    return render(request, "audit/event.html", context)
