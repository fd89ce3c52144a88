"""Vector indexes: what semantic recall (and any other ``MastraVector`` use) has stored, and the
nearest stored neighbours of one stored vector, computed from the stored embeddings (no model
call, so the dashboard needs no embedding provider or key).

Store calls: the list makes one (``list_indexes``, which counts each index within a bound); an
index page two (the indexes, a sample), three with neighbours (the vector and a bounded scan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboard.core.htmx import read_query, vary_on_htmx
from dashboard.core.pages import not_found, url_or_empty
from dashboard.core.store import get_store
from storeclient.models import StoredVector

from .forms import NeighbourForm

SAMPLE_SIZE = 5
NEIGHBOURS = 5
#: Stored message text shown per row (semantic recall keeps the message's text in ``content``).
CONTENT_PREVIEW = 240


@dataclass(frozen=True)
class VectorRow:
    vector: StoredVector
    score: float | None
    preview: str
    role: str
    message_url: str
    neighbours_url: str


def _row(index_name: str, vector: StoredVector, score: float | None = None) -> VectorRow:
    meta: dict[str, Any] = vector.metadata if isinstance(vector.metadata, dict) else {}
    content = meta.get("content")
    preview = " ".join(content.split()) if isinstance(content, str) else ""
    thread_id, message_id = meta.get("thread_id"), meta.get("message_id")
    message_url = ""
    if isinstance(thread_id, str) and thread_id:
        message_url = url_or_empty("threads:detail", thread_id)
        if message_url and isinstance(message_id, str) and message_id:
            message_url += f"#msg-{quote(message_id, safe='')}"
    page = reverse("vectors:index", args=[index_name])
    return VectorRow(
        vector=vector,
        score=score,
        preview=preview if len(preview) <= CONTENT_PREVIEW else preview[: CONTENT_PREVIEW - 1] + "…",
        role=str(meta.get("role") or ""),
        message_url=message_url,
        neighbours_url=f"{page}?of={quote(vector.id, safe='')}",
    )


@require_GET
def index_list(request: HttpRequest) -> HttpResponse:
    return vary_on_htmx(
        render(request, "vectors/indexes.html", {"indexes": get_store().vectors.list_indexes()})
    )


@require_GET
def index_detail(request: HttpRequest, index_name: str) -> HttpResponse:
    form = read_query(request, NeighbourForm)
    store = get_store()
    index = next((i for i in store.vectors.list_indexes() if i.name == index_name), None)
    if index is None:
        return not_found(
            request,
            "Vector index not found",
            f"There is no vector index named “{index_name}”.",
            reverse("vectors:indexes"),
            "All vector indexes",
        )
    sample = [_row(index.name, v) for v in store.vectors.sample(index.name, limit=SAMPLE_SIZE)]
    of = form.cleaned_data["of"]
    neighbours = store.vectors.neighbours(index.name, of, top_k=NEIGHBOURS) if of else None
    context = {
        "index": index,
        "sample": sample,
        "form": form,
        "of": of,
        "neighbours": neighbours,
        "of_row": _row(index.name, neighbours.of) if neighbours else None,
        "neighbour_rows": [
            _row(index.name, StoredVector(n.id, n.metadata), n.score)
            for n in (neighbours.items if neighbours else [])
        ],
    }
    return vary_on_htmx(render(request, "vectors/index.html", context))
