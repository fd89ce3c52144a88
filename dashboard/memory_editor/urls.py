"""Mounted at the site root (before the threads and resources apps, whose ``<id>/`` routes would
otherwise be tried first): ``memory:resource`` and ``memory:thread``, each taking the record id."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "memory"

urlpatterns = [
    path("resources/<str:resource_id>/memory/", views.resource_memory, name="resource"),
    path("threads/<str:thread_id>/memory/", views.thread_memory, name="thread"),
    path("resources/<str:resource_id>/memory/timeline/", views.resource_timeline, name="resource-timeline"),
    path("threads/<str:thread_id>/memory/timeline/", views.thread_timeline, name="thread-timeline"),
    path(
        "threads/<str:thread_id>/memory/turns/<str:message_id>/", views.turn_memory_change, name="turn-change"
    ),
]
