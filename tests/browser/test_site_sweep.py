"""Every page of the dashboard on the demo data, at a phone's width (390x844) and a laptop's
(1440x900), in the light and the dark theme. Each page is loaded once per size and theme and
checked for both:

* layout: the page never scrolls sideways, nothing sticks out of the viewport except inside its own
  scroll box, and every area of the menu and Sign out can be reached;
* accessibility: an axe-core scan finds no serious or critical violation of WCAG 2.2 A/AA (the
  sign-in page too).

(One load for both checks: the layout and axe sweeps used to load every page separately, and were
the slowest part of the suite.)
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from dashboard.preferences.models import Preferences

from .axe_checks import blocking_violations
from .layout_checks import AREAS, check_fits, check_menu_reachable
from .site_pages import DESKTOP, PHONE, site_pages
from .waits import wait_until_settled


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_fits_the_screen_and_has_no_serious_accessibility_violation(
    signed_in, live_server, demo_site, demo_store, theme, viewport
):
    pages = site_pages(*demo_site)
    page = signed_in("admin")
    Preferences.objects.update_or_create(
        user=User.objects.get(username="admin-persona"), defaults={"theme": theme}
    )
    page.set_viewport_size(viewport)
    problems: list[str] = []
    for name, path in pages:
        page.goto(live_server.url + path)
        wait_until_settled(page)
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        try:
            check_fits(page, name)
        except AssertionError as exc:
            problems.append(str(exc))
        problems += blocking_violations(page, name)
    page.goto(live_server.url + "/")
    check_menu_reachable(page, AREAS)

    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    wait_until_settled(page)
    problems += blocking_violations(page, "sign-in")
    assert problems == [], "\n".join(problems)
