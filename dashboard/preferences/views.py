"""A user's own preferences: the page (theme and time zone) and the header's theme switch. Every
signed-in user may change their own; nobody else's."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from .forms import PreferencesForm, ThemeForm
from .middleware import preferences_of
from .models import Preferences
from .zones import browser_zone


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest) -> HttpResponse:
    current = _own(request)
    form = PreferencesForm(request.POST or None, instance=current, browser_zone=browser_zone(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Preferences saved.")
        return HttpResponseRedirect(reverse("preferences:edit"))
    status = 400 if request.method == "POST" else 200
    return render(request, "preferences/edit.html", {"form": form}, status=status)


@require_POST
def set_theme(request: HttpRequest) -> HttpResponse:
    form = ThemeForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose system, light or dark.")
    current = _own(request)
    current.theme = form.cleaned_data["theme"]
    current.save()
    back = form.cleaned_data["next"]
    safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure())
    return HttpResponseRedirect(back if back and safe else reverse("core:overview"))


def _own(request: HttpRequest) -> Preferences:
    found = preferences_of(request)
    assert found is not None  # LoginRequiredMiddleware: only signed-in users get here
    return found
