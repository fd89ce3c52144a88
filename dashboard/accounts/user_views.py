"""``/accounts/users/``: the team's accounts, in the dashboard's own pages, for admins
(``accounts.manage_users``): list, add, change the role, deactivate, and a link to set a password.

Every change goes through ``team`` (so it is audited); every view checks the permission itself, a
POST included, so no page or partial is reachable by a viewer or an editor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods

from . import team
from .admin_site import MANAGE_USERS
from .forms import AddUserForm, RoleForm
from .roles import ROLES

PER_PAGE = 50


def _require_manage_users(request: HttpRequest) -> None:
    if not request.user.has_perm(MANAGE_USERS):
        raise PermissionDenied("Managing users needs the admin role.")


def _role(user: Any) -> str:
    # From the prefetched groups: one query for the whole page, not one per row.
    names = {group.name for group in user.groups.all()}
    return next((role for role in reversed(ROLES) if role in names), "none")


def _sign_in_methods(user: Any) -> str:
    methods = []
    if user.has_usable_password():
        methods.append("password")
    if user.oidc_identities.all():
        methods.append("single sign-on")
    return " + ".join(methods) or "not yet (no password set)"


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    _require_manage_users(request)
    users = (
        get_user_model()._default_manager.order_by("username").prefetch_related("groups", "oidc_identities")
    )
    page = Paginator(users, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(user, _role(user), _sign_in_methods(user)) for user in page.object_list]
    return render(request, "accounts/users.html", {"page": page, "rows": rows})


@require_http_methods(["GET", "POST"])
def user_add(request: HttpRequest) -> HttpResponse:
    _require_manage_users(request)
    form = AddUserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = team.create_user(request.user, data["username"], data["email"], data["role"])  # type: ignore[arg-type]
        link = team.password_link(request.user, user, request)  # type: ignore[arg-type]
        messages.success(request, f"Added {user.get_username()} as {data['role']}.")
        return _user_page(request, user, password_link=link)
    status = 400 if form.errors else 200
    return render(request, "accounts/user_add.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_manage_users(request)
    user = get_object_or_404(
        get_user_model()._default_manager.prefetch_related("groups", "oidc_identities"), pk=pk
    )
    if request.method == "GET":
        return _user_page(request, user)
    acting: Any = request.user
    action = request.POST.get("action", "")
    try:
        if action == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                return _user_page(request, user, role_form=form, status=400)
            if team.change_role(acting, user, form.cleaned_data["role"]):
                messages.success(request, f"{user.get_username()} is now {form.cleaned_data['role']}.")
        elif action in ("deactivate", "activate"):
            if team.set_active(acting, user, action == "activate"):
                done = "reactivated" if action == "activate" else "deactivated; they are signed out"
                messages.success(request, f"{user.get_username()} is {done}.")
        elif action == "password_link":
            return _user_page(request, user, password_link=team.password_link(acting, user, request))
        else:
            return _user_page(request, user, error="Choose what to change.", status=400)
    except team.RefusedChange as refused:
        return _user_page(request, user, error=refused.message, status=409)
    return HttpResponseRedirect(reverse("accounts:user", args=[user.pk]), status=303)


def _user_page(
    request: HttpRequest,
    user: Any,
    *,
    password_link: str = "",
    role_form: RoleForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    role = _role(user)
    context = {
        "member": user,
        "role": role,
        "sign_in": _sign_in_methods(user),
        "role_form": role_form or RoleForm(initial={"role": role if role in ROLES else "viewer"}),
        "password_link": password_link,
        "error": error,
        "is_self": user.pk == request.user.pk,
    }
    return render(request, "accounts/user.html", context, status=status)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The page a password link opens: the person chooses their password, then signs in."""

    template_name = "accounts/password_set.html"
    success_url = reverse_lazy("accounts:login")
    # Signing in stays the login form's job (rate limited, and audited as a sign-in).
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        team.record_password_set(form.user)
        messages.success(self.request, "Your password is set. Sign in with it.")
        return response


password_set = login_not_required(PasswordSetView.as_view())
