"""What every response and every HTML page of the dashboard must satisfy (ZAP's passive rules, as
assertions): a strict, enforced CSP whose nonce is on every script; no inline handlers, styles or
javascript: URLs; nosniff, frame denial, referrer and opener policies; CSRF tokens in POST forms."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.http import HttpResponse

FORBIDDEN_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_headers(response: HttpResponse, where: str) -> None:
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("Referrer-Policy") == "same-origin", where
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert "Content-Security-Policy-Report-Only" not in response, where
    header = response.get("Content-Security-Policy")
    if "html" in response.get("Content-Type", ""):
        assert header, f"{where}: an HTML response without Content-Security-Policy"
    if header:
        check_policy(header, where)


def check_policy(header: str, where: str) -> None:
    policy = csp_directives(header)
    script = policy.get("script-src", policy.get("default-src"))
    assert script is not None, f"{where}: no script-src"
    assert "'self'" in script, where
    assert not FORBIDDEN_SOURCES & set(script), f"{where}: script-src {script}"
    assert not {"'unsafe-inline'", "*"} & set(policy.get("style-src", [])), f"{where}: style-src"
    assert policy.get("object-src") == ["'none'"], where
    assert policy.get("base-uri") == ["'none'"], where
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert policy.get("default-src") == ["'self'"], where
    assert policy.get("form-action") == ["'self'"], where


def nonce_of(header: str) -> str | None:
    for source in csp_directives(header).get("script-src", []):
        match = re.fullmatch(r"'nonce-([A-Za-z0-9+/=_-]+)'", source)
        if match:
            return match.group(1)
    return None


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[dict[str, str]] = []
        self.post_forms = 0
        self.csrf_inputs = 0
        self._in_post_form = False
        self._form_has_token = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> inline event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=...> inline style")
            if name.startswith("hx-on") or name.startswith("data-hx-on"):
                self.problems.append(f"<{tag} {name}> hx-on")
            if (
                name in ("href", "src", "action", "formaction", "hx-get", "hx-post")
                and re.match(r"\s*(javascript|vbscript|data):", value, re.IGNORECASE)
                and not (tag == "img" and value.startswith("data:image/"))
            ):
                self.problems.append(f"<{tag} {name}={value[:40]!r}> script URL")
            if name in ("hx-vals", "hx-headers") and value.lstrip().startswith("js:"):
                self.problems.append(f"<{tag} {name}=js:...> eval")
        if tag == "style":
            self.problems.append("<style> element (style-src has no nonce)")
        if tag == "script":
            self.scripts.append(values)
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.post_forms += 1
            self._in_post_form, self._form_has_token = True, False
        if tag == "input" and values.get("name") == "csrfmiddlewaretoken" and self._in_post_form:
            self._form_has_token = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_post_form:
            if not self._form_has_token:
                self.problems.append("a POST form without csrfmiddlewaretoken")
            self._in_post_form = False


def check_html(response: HttpResponse, where: str) -> None:
    """The body of an HTML response, against its own CSP header."""
    if response.streaming or "html" not in response.get("Content-Type", "") or not response.content:
        return
    audit = _Audit()
    audit.feed(response.content.decode())
    audit.close()
    assert not audit.problems, f"{where}: {audit.problems}"
    nonce = nonce_of(response.get("Content-Security-Policy", ""))
    for script in audit.scripts:
        assert nonce is not None and script.get("nonce") == nonce, (
            f"{where}: <script {script}> without the response's nonce ({nonce})"
        )
