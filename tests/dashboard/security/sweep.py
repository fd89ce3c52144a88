"""Every named route of the site with real values for its path parameters, for the sweeps.

``named_routes()`` walks the resolver (nothing to keep in step by hand: a new page is swept as soon
as it is routed); ``route_url`` fills each parameter from ``sample_values`` — ids that exist in the
demo data set, so the sweep sees the pages people see, not only 404s.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from dashboard.demo import dataset
from storeclient.interface import Store


@dataclass(frozen=True)
class Route:
    name: str
    params: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


def _params(pattern: URLPattern | URLResolver) -> tuple[str, ...]:
    if isinstance(pattern.pattern, RoutePattern):
        return tuple(pattern.pattern.converters)
    return tuple(pattern.pattern.regex.groupindex)


def named_routes(
    resolver: URLResolver | None = None, namespace: str = "", params: tuple[str, ...] = ()
) -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern, ns, params + _params(pattern))
        elif pattern.name:
            yield Route(f"{namespace}{pattern.name}", params + _params(pattern))


def sample_values(data: dataset.DemoData, store: Store, **extra: str) -> dict[str, str]:
    """Path parameter values that exist in the demo data set (written into ``store``)."""
    thread = next(t for t in data.threads if any(m.thread_id == t.id for m in data.messages))
    message = next(m for m in data.messages if m.thread_id == thread.id)
    resource = next((r for r in data.resources if r.working_memory), data.resources[0])
    run = data.runs[0]
    scorer_id = str(data.scores[0].payload["scorerId"])
    score = store.scores.list_scores_by_scorer_id(scorer_id, per_page=1).scores[0]
    return {
        "thread_id": thread.id,
        "message_id": message.id,
        "resource_id": resource.id,
        "workflow_name": run.workflow_name,
        "run_id": run.run_id,
        "scorer_id": scorer_id,
        "score_id": score.id,
        # Audit events and the admin's routes (integers; tests pass real ones where it matters).
        "pk": "1",
        "id": "1",
        # A review queue's item (queues are made by the tests that need one).
        "position": "1",
        "object_id": "1",
        "content_type_id": "1",
        "app_label": "auth",
        **extra,
    }


def route_url(route: Route, values: Mapping[str, str]) -> str:
    return reverse(route.name, kwargs={name: values.get(name, "sample") for name in route.params})


def all_pages(values: Mapping[str, str]) -> list[tuple[str, str]]:
    """(route name, URL) for every named route."""
    return [(route.name, route_url(route, values)) for route in named_routes()]
