from __future__ import annotations

from django.urls import path

from . import views

app_name = "preferences"

urlpatterns = [
    path("", views.edit, name="edit"),
    path("theme/", views.set_theme, name="theme"),
]
