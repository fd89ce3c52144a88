"""The error panel that StoreErrorMiddleware shows for a StoreError escaping any view."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from storeclient.errors import (
    AuthError,
    BackendUnavailable,
    ConflictError,
    LimitError,
    NotDeployedError,
    StorageError,
    StoreError,
)

from .support import HTMX, SENTINEL_KEY

RAISED: list[StoreError] = []


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RAISED[0]


urlpatterns = [path("failing/", failing_view)]


@pytest.fixture
def raises():
    def set_error(error: StoreError) -> None:
        RAISED[:] = [error]

    yield set_error
    RAISED.clear()


@pytest.fixture(autouse=True)
def failing_urls(settings):
    # The real routes plus one view that raises whatever the test sets; the base template needs them.
    from dashboard import urls

    urlpatterns[1:] = urls.urlpatterns
    settings.ROOT_URLCONF = __name__
    yield
    del urlpatterns[1:]


CASES = [
    (AuthError("The deployment refused the admin key (HTTP 401 BadAdminKey)."), 502, "CONVEX_ADMIN_KEY"),
    (BackendUnavailable("Could not connect to the Convex deployment."), 503, "CONVEX_URL"),
    (
        NotDeployedError("mastra/storage:handle is not deployed.", function_path="mastra/storage:handle"),
        502,
        "Deploy convex/mastra/storage.ts",
    ),
    (LimitError("Too many documents read in a single function execution."), 502, "16 MiB"),
    (StorageError("Mastra reported: table missing", code="MASTRA_STORAGE_ERROR"), 502, "function logs"),
    (ConflictError("Working memory changed since you opened it.", current=None), 409, "Reload the page"),
]


@pytest.mark.parametrize(("error", "status", "advice"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_a_store_error_becomes_a_full_page_panel_with_advice(
    vera_client, raises, settings, error, status, advice
):
    settings.STORE_BACKEND = "convex"
    raises(error)
    response = vera_client.get("/failing/")
    assert response.status_code == status
    content = response.content.decode()
    assert "<html" in content
    assert 'id="store-error"' in content
    assert error.message in content
    assert advice in content


@pytest.mark.parametrize(("error", "status", "advice"), CASES[:2], ids=["AuthError", "BackendUnavailable"])
def test_an_htmx_request_gets_only_the_panel(vera_client, raises, error, status, advice):
    raises(error)
    response = vera_client.get("/failing/", headers=HTMX)
    assert response.status_code == status
    content = response.content.decode()
    assert "<html" not in content
    assert content.lstrip().startswith('<article class="panel panel-error" id="store-error"')
    assert response["X-Dashboard-Swap-Error"] == "true"
    assert "HX-Request" in response["Vary"]


def test_sqlite_unavailability_points_at_the_file_not_at_convex(vera_client, raises):
    raises(BackendUnavailable("database is locked"))
    content = vera_client.get("/failing/").content.decode()
    assert "MASTRA_SQLITE_PATH" in content
    assert "CONVEX_URL" not in content


def test_technical_detail_is_shown_folded_and_scrubbed_of_the_admin_key(vera_client, raises, settings):
    settings.CONVEX_ADMIN_KEY = SENTINEL_KEY
    secret = SENTINEL_KEY.partition("|")[2]
    raises(AuthError(f"Refused key {secret}", detail=f"HTTP 401 for key {SENTINEL_KEY}"))
    content = vera_client.get("/failing/").content.decode()
    assert "<summary>Technical detail</summary>" in content
    assert secret not in content
    assert "[redacted]" in content


def test_other_exceptions_are_left_to_django(vera_client, raises):
    RAISED[:] = [ValueError("not a store problem")]  # type: ignore[list-item]
    with pytest.raises(ValueError):
        vera_client.get("/failing/")


def test_an_error_panel_names_the_store_s_address_to_admins_only(client, vera, ada, unreachable_store):
    host = unreachable_store.deployment_url.split("//", 1)[1]
    client.force_login(vera)
    for_viewer = client.get("/threads/")
    assert for_viewer.status_code == 503
    assert host not in for_viewer.content.decode()
    assert "the Convex store" in for_viewer.content.decode()
    client.force_login(ada)
    for_admin = client.get("/threads/")
    assert for_admin.status_code == 503
    assert host in for_admin.content.decode()
