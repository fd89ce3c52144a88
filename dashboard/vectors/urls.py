from __future__ import annotations

from django.urls import path

from . import views

app_name = "vectors"

# /vectors/
urlpatterns = [
    path("", views.index_list, name="indexes"),
    path("<str:index_name>/", views.index_detail, name="index"),
]
