"""Deny by default: every route needs a signed-in user except an explicit, asserted public list."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: The only routes an anonymous visitor may reach. Adding a public route means adding it here.
#: (A password link is opened signed out: its one-time token is the credential.)
PUBLIC = {
    "core:healthz",
    "accounts:login",
    "accounts:oidc_login",
    "accounts:oidc_callback",
    "accounts:password_set",
}

SAMPLE = {"int": "1", "slug": "sample", "uuid": "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "path": "a/b"}


def all_routes(
    resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(name, sample URL) for every pattern, with sample values filled in for path converters."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from all_routes(pattern, route, ns)
        elif isinstance(pattern, URLPattern):
            # Regex routes (the admin's): a named group of literal choices takes the first one.
            route = re.sub(
                r"\(\?P<\w+>([^)]*)\)",
                lambda m: m.group(1).split("|")[0] if re.fullmatch(r"[\w|-]+", m.group(1)) else "sample",
                route,
            )
            url = "/" + re.sub(
                r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "sample"), route
            )
            yield f"{namespace}{pattern.name}", url.replace("^", "").replace("$", "")


ROUTES = sorted(all_routes())


def test_the_public_list_names_routes_that_exist():
    names = {name for name, _ in ROUTES}
    assert names >= PUBLIC


@pytest.mark.parametrize(("name", "url"), [r for r in ROUTES if r[0] not in PUBLIC])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, name, url):
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (
            f"{name} {url} answered {response.status_code} to an anonymous visitor"
        )
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize(("name", "url"), [r for r in ROUTES if r[0] in PUBLIC])
def test_public_routes_answer_without_a_session(client, name, url):
    response = client.get(url)
    # The single sign-on routes answer 404 while OIDC_ISSUER is unset; none sends to the login page.
    assert response.status_code in ((200, 404) if "oidc" in name else (200,))


def test_an_expired_session_during_an_htmx_request_sends_the_whole_tab_to_the_login_page(client):
    # LoginRequiredMiddleware redirects; the browser follows inside the XHR and lands on the login
    # view, which answers with HX-Redirect back to the page the user was on.
    response = client.get(
        "/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/?tab=runs"},
        follow=True,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2F%3Ftab%3Druns"
    assert b"<form" not in response.content
