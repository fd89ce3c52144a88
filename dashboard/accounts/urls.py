from __future__ import annotations

from django.urls import path

from . import user_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    # Single sign-on (OpenID Connect); both answer 404 while OIDC_ISSUER is not set.
    path("oidc/login/", views.oidc_login, name="oidc_login"),
    path("oidc/callback/", views.oidc_callback, name="oidc_callback"),
    # The team's accounts, for admins (user_views.py); a password link opens password/<uid>/<token>/.
    path("users/", user_views.user_list, name="users"),
    path("users/add/", user_views.user_add, name="user_add"),
    path("users/<int:pk>/", user_views.user_detail, name="user"),
    path("password/<uidb64>/<token>/", user_views.password_set, name="password_set"),
]
