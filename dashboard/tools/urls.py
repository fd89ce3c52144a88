from __future__ import annotations

from django.urls import path, register_converter

from . import views


class ToolNameConverter:
    """Any tool name an agent chose, newlines and slashes included (``path`` stops at a newline),
    so every tool listed on /tools/ has a page."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ToolNameConverter, "tool_name")

app_name = "tools"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<tool_name:tool_name>/", views.tool, name="tool"),
]
