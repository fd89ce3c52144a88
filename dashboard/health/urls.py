from __future__ import annotations

from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("", views.health, name="health"),
    path("attention/", views.attention, name="attention"),
]
