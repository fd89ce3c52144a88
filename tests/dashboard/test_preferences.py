"""/preferences/ and the header's theme switch: each user's theme and time zone, kept in the
dashboard's database and applied to every page they open."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from dashboard.preferences.models import Preferences
from dashboard.preferences.zones import BROWSER_ZONE_COOKIE

from .html_query import find_all, find_one

PAGE = "/preferences/"
THEME = "/preferences/theme/"


def html_theme(response) -> str | None:
    return find_one(response.content, "html").get("data-theme")


def shown_resource_created(response) -> str:
    """The resource page's "Created" fact, an absolute time in the zone the page is shown in."""
    facts = find_all(response.content, "dd")
    return facts[0].text


def test_a_new_user_follows_the_system_theme(vera_client):
    response = vera_client.get("/")
    assert html_theme(response) is None
    pressed = find_one(response.content, "button", name="theme", aria_pressed="true")
    assert pressed.text == "System"


def test_choosing_dark_in_the_header_darkens_every_page_and_returns_to_where_it_was(vera_client, vera):
    response = vera_client.post(THEME, {"theme": "dark", "next": "/threads/?q=refund"})
    assert response.status_code == 302 and response["Location"] == "/threads/?q=refund"
    assert Preferences.objects.get(user=vera).theme == "dark"
    page = vera_client.get("/scores/")
    assert html_theme(page) == "dark"
    assert find_one(page.content, "meta", name="color-scheme").get("content") == "dark"


def test_changing_the_theme_again_keeps_the_zone_and_the_one_saved_row(vera_client, vera):
    vera_client.post(PAGE, {"theme": "dark", "time_zone": "Asia/Tokyo"})
    vera_client.post(THEME, {"theme": "light"})
    page = vera_client.get("/threads/")
    assert html_theme(page) == "light"
    assert "times in Asia/Tokyo" in page.content.decode()
    assert Preferences.objects.filter(user=vera).count() == 1


def test_the_theme_switch_refuses_an_unknown_theme(vera_client, vera):
    response = vera_client.post(THEME, {"theme": "neon"})
    assert response.status_code == 400
    assert not Preferences.objects.filter(user=vera).exists()


def test_the_theme_switch_never_sends_anyone_to_another_site(vera_client):
    response = vera_client.post(THEME, {"theme": "light", "next": "https://evil.example/phish"})
    assert response["Location"] == "/"


def test_one_users_theme_is_not_anothers(vera_client, eddie, client):
    vera_client.post(THEME, {"theme": "dark"})
    client.force_login(eddie)
    assert html_theme(client.get("/")) is None


def test_times_are_shown_in_the_time_zone_the_user_chose(vera_client, vera, demo_set):
    resource = next(r for r in demo_set.resources if r.created_at)
    url = f"/resources/{resource.id}/"
    assert "UTC" in shown_resource_created(vera_client.get(url))
    response = vera_client.post(PAGE, {"theme": "system", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    tokyo = resource.created_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert shown_resource_created(vera_client.get(url)) == f"{tokyo:%Y-%m-%d %H:%M:%S} JST"


def test_without_a_choice_times_follow_the_browser(vera_client, demo_set):
    resource = next(r for r in demo_set.resources if r.created_at)
    vera_client.cookies[BROWSER_ZONE_COOKIE] = "America/New_York"
    shown = shown_resource_created(vera_client.get(f"/resources/{resource.id}/"))
    new_york = resource.created_at.astimezone(ZoneInfo("America/New_York"))
    assert shown == f"{new_york:%Y-%m-%d %H:%M:%S} {new_york.tzname()}"


def test_a_chosen_zone_wins_over_the_browsers(vera_client, demo_set):
    resource = next(r for r in demo_set.resources if r.created_at)
    vera_client.post(PAGE, {"theme": "system", "time_zone": "Asia/Tokyo"})
    vera_client.cookies[BROWSER_ZONE_COOKIE] = "America/New_York"
    assert shown_resource_created(vera_client.get(f"/resources/{resource.id}/")).endswith("JST")


def test_a_forged_zone_cookie_is_ignored(vera_client, demo_set):
    resource = next(r for r in demo_set.resources if r.created_at)
    vera_client.cookies[BROWSER_ZONE_COOKIE] = "../../etc/passwd"
    response = vera_client.get(f"/resources/{resource.id}/")
    assert response.status_code == 200
    assert shown_resource_created(response).endswith("UTC")


def test_the_page_offers_the_browsers_zone_first_and_says_which_it_is(vera_client):
    vera_client.cookies[BROWSER_ZONE_COOKIE] = "Europe/Oslo"
    response = vera_client.get(PAGE)
    first = find_all(response.content, "option")[0]
    assert first.get("value") == "" and first.text == "Your browser's (now Europe/Oslo)"
    assert "Times are shown in Europe/Oslo" in response.content.decode()


def test_an_unknown_zone_is_refused_with_a_message(vera_client, vera):
    response = vera_client.post(PAGE, {"theme": "light", "time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Preferences.objects.filter(user=vera).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    response = client.post(THEME, {"theme": "dark"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
