"""Waiting until a page is ready to be checked: its load event has fired and every htmx request
it made meanwhile (``hx-trigger="load"`` panels) has been answered and swapped in.

Instead of Playwright's "networkidle", which waits for half a second of network silence after
every navigation: over the sweeps' hundreds of page loads that silence alone was minutes. htmx is
the only thing on these pages that requests anything after the document (static/js has no fetch),
and it marks what is in flight with its classes until the new content has settled.
"""

from __future__ import annotations

from playwright.sync_api import Page

#: True once no element carries one of the classes htmx sets from a request's start to its settle.
HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


def wait_until_settled(page: Page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function(HTMX_IDLE)
