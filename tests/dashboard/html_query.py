"""Find elements in a rendered page by tag, class and attributes (stdlib only), for tests that
assert on what a page marks up rather than on exact strings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    _parts: list[str] = field(default_factory=list, repr=False)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.elements.append(element)
        if tag not in _VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                for element in self.open[i:]:
                    element.text = "".join(element._parts)
                del self.open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element._parts.append(data)


def find_all(
    html: str | bytes, tag: str | None = None, *, cls: str | None = None, **attrs: str
) -> list[Element]:
    """Elements matching ``tag`` (any when ``None``), having class ``cls`` and every attribute in
    ``attrs`` (``data_step_key="x"`` means ``data-step-key="x"``; value ``...`` means "present")."""
    collector = _Collector()
    collector.feed(html.decode() if isinstance(html, bytes) else html)
    collector.close()
    for element in collector.open:
        element.text = "".join(element._parts)
    wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
    return [
        e
        for e in collector.elements
        if (tag is None or e.tag == tag)
        and (cls is None or cls in e.classes)
        and all(
            name in e.attrs and (value is ... or e.attrs[name] == value) for name, value in wanted.items()
        )
    ]


def find_one(html: str | bytes, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Element:
    found = find_all(html, tag, cls=cls, **attrs)
    assert len(found) == 1, f"expected one {tag or 'element'} {cls or ''} {attrs}, found {len(found)}"
    return found[0]


def page_content(html: str | bytes) -> str:
    """The page without its site header, which carries the same search box (``q``, ``hx-get``) on
    every page: what a test of one page's own controls or of stored content should look at."""
    text = html.decode() if isinstance(html, bytes) else html
    return re.sub(r'<header class="site-header">.*?</header>', "", text, count=1, flags=re.S)
