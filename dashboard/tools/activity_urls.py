from __future__ import annotations

from django.urls import path

from . import activity

app_name = "activity"

urlpatterns = [path("", activity.activity, name="activity")]
