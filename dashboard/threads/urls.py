from __future__ import annotations

from django.urls import path

from . import views

app_name = "threads"

urlpatterns = [
    path("", views.thread_list, name="list"),
    path("<str:thread_id>/", views.thread_detail, name="detail"),
    path("<str:thread_id>/messages/<str:message_id>/raw/", views.message_raw, name="message_raw"),
]
