from __future__ import annotations

from django.urls import path

from . import views

app_name = "threads"

# Ids are whatever the agent chose, "/" included: <path:> carries them, and the raw route comes
# first so a thread page's <path:> does not swallow ".../messages/<id>/raw/".
urlpatterns = [
    path("", views.thread_list, name="list"),
    path("<path:thread_id>/messages/<path:message_id>/raw/", views.message_raw, name="message_raw"),
    path("<path:thread_id>/", views.thread_detail, name="detail"),
]
