"""User management in the Django admin: one role per user instead of groups and flags.

Only the admin role gets here (see admin_site.py). The role select replaces ``is_staff``,
``is_superuser``, groups and per-user permissions, which are hidden: roles are the only way access
is granted, so what the README says about roles stays true. Groups are not editable either (the
roles' permissions are fixed by migrations).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db.models import QuerySet
from django.http import HttpRequest

from . import team
from .admin_site import MANAGE_USERS
from .models import OIDCIdentity
from .roles import ROLES, set_role

User = get_user_model()

ROLE_HELP = (
    "viewer: reads everything · editor: also edits and restores working memory · "
    "admin: also reads the audit log and manages users."
)


def _role_field() -> forms.ChoiceField:
    return forms.ChoiceField(choices=[(role, role) for role in ROLES], initial="viewer", help_text=ROLE_HELP)


def _current_role(user: Any) -> str | None:
    # From the prefetched groups (the change list shows a role per row without a query each).
    names = {group.name for group in user.groups.all()}
    return next((role for role in reversed(ROLES) if role in names), None)


class RoleChangeForm(UserChangeForm):
    role = _role_field()
    #: The admin making the change (set by DashboardUserAdmin.get_form).
    acting_user: AbstractBaseUser | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = _current_role(self.instance) or "viewer"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        acting = self.acting_user
        if acting is not None and self.instance.pk == acting.pk:
            # Nobody locks themselves out of user management by accident.
            if data.get("role") != "admin":
                self.add_error("role", "You cannot take the admin role from yourself.")
            if data.get("is_active") is False:
                self.add_error("is_active", "You cannot deactivate yourself.")
        return data


class RoleCreationForm(AdminUserCreationForm):
    role = _role_field()


class OIDCIdentityInline(admin.TabularInline):
    model = OIDCIdentity
    extra = 0
    can_delete = True
    fields = ("issuer", "subject", "created_at", "last_login_at")
    readonly_fields = fields
    verbose_name_plural = (
        "single sign-on identities (deleting one unlinks it; the next SSO sign-in creates a new user)"
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(MANAGE_USERS))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm(MANAGE_USERS))


class DashboardUserAdmin(UserAdmin):
    form = RoleChangeForm
    add_form = RoleCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password", "role", "is_active")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "role", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "email", "role", "is_active", "sign_in", "last_login")
    list_filter = ("is_active", "groups")
    inlines = (OIDCIdentityInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("groups", "oidc_identities")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, RoleChangeForm):
            form = type(form.__name__, (form,), {"acting_user": request.user})
        return form

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else ()

    @admin.display(description="role")
    def role(self, obj: Any) -> str:
        return _current_role(obj) or "none"

    @admin.display(description="signs in with")
    def sign_in(self, obj: Any) -> str:
        methods = []
        if obj.has_usable_password():
            methods.append("password")
        if obj.oidc_identities.all():
            methods.append("SSO")
        return " + ".join(methods) or "nothing (disabled)"

    # Changes made here are audited like those made on the dashboard's user pages (team.py).
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        acting: Any = request.user
        role = form.cleaned_data["role"]
        if not change:
            set_role(obj, role)
            team.record_creation(acting, obj, role, "in the Django admin")
            return
        team.change_role(acting, obj, role)
        if "is_active" in form.changed_data:
            team.record_activation(acting, obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        team.record_deletion(request.user, obj)  # type: ignore[arg-type]
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for user in queryset:
            team.record_deletion(request.user, user)  # type: ignore[arg-type]
        super().delete_queryset(request, queryset)

    # Every action is gated on the one permission the admin role has, not on auth's per-model
    # permissions (which no role is given).
    def _may_manage(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(MANAGE_USERS))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_manage(request) and (obj is None or obj.pk != request.user.pk)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, DashboardUserAdmin)
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
