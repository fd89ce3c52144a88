from __future__ import annotations

from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("", views.resource_list, name="list"),
    # <path:>: a resource id is whatever the agent chose, "/" included.
    path("<path:resource_id>/", views.resource_detail, name="detail"),
]
