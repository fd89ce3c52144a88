"""What is new since the reader opened a thread or the thread list: "3 new messages — show" and
"N new threads — show", answered by the polls of ``#thread-news`` (dashboard/threads/live.py)."""

from __future__ import annotations

import html as html_lib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from storeclient.models import Message, Thread

from .html_query import find_all, find_one
from .search.records import ORDER, REFUND, text, write_conversations
from .support import HTMX

NEWS = {**HTMX, "HX-Target": "thread-news"}


@pytest.fixture
def store(empty_store):
    write_conversations(empty_store)
    return empty_store


def say(store, message_id: str, words: str, *, thread: Thread = ORDER, at: datetime | None = None) -> None:
    store.memory.save_messages(
        [Message(message_id, thread.id, "user", at or datetime.now(UTC), text(words), thread.resource_id)]
    )


def region(response):
    return find_one(response.content, "div", id="thread-news")


def poll(client, response):
    """The region's next poll, as static/js/poll.js sends it."""
    return client.get(html_lib.unescape(region(response).get("data-poll-url")), headers=NEWS)


def status_text(response) -> str:
    return " ".join(find_one(response.content, "p", cls="news-status").text.split())


def thread_url(thread: Thread = ORDER) -> str:
    return reverse("threads:detail", args=[thread.id])


# --- a thread --------------------------------------------------------------------------------------


def test_the_thread_page_polls_from_its_newest_message(vera_client, store):
    page = vera_client.get(thread_url())
    news = region(page)
    assert news.get("data-poll") == "3000"
    query = parse_qs(urlsplit(html_lib.unescape(news.get("data-poll-url"))).query)
    assert query["after"] == ["m-order-3"]
    assert status_text(page) == ""


def test_an_idle_poll_announces_nothing_and_keeps_polling(vera_client, store):
    answer = poll(vera_client, vera_client.get(thread_url()))
    assert answer.status_code == 200
    assert status_text(answer) == ""
    assert region(answer).get("data-poll") == "3000"
    assert "HX-Target" in answer["Vary"]


def test_messages_written_after_the_page_opened_are_announced(vera_client, store):
    page = vera_client.get(thread_url())
    say(store, "m-new-1", "Any news on my parcel?")
    say(store, "m-new-2", "Hello?")
    say(store, "m-elsewhere", "Another thread", thread=REFUND)
    answer = poll(vera_client, page)
    assert status_text(answer) == "2 new messages — show"
    assert not find_all(answer.content, "article")  # announced, not shown yet
    # The next poll still counts from what the reader has.
    say(store, "m-new-3", "Still there?")
    assert status_text(poll(vera_client, answer)) == "3 new messages — show"


def test_show_appends_the_new_messages_and_counts_from_them(vera_client, store):
    page = vera_client.get(thread_url())
    say(store, "m-new-1", "Any news on my parcel?")
    say(store, "m-new-2", "Hello?")
    announced = poll(vera_client, page)
    show = find_one(announced.content, "a", **{"hx-get": ...})
    shown = vera_client.get(html_lib.unescape(show.get("hx-get")), headers=NEWS)
    appended = find_one(shown.content, "div", id="message-list")
    assert appended.get("hx-swap-oob") == "beforeend"
    ids = [a.get("id") for a in find_all(shown.content, "article", cls="message")]
    assert ids == ["msg-m-new-1", "msg-m-new-2"]  # oldest first, below the ones on screen
    assert "Any news on my parcel?" in shown.content.decode()
    assert status_text(shown) == ""
    assert status_text(poll(vera_client, shown)) == ""  # the shown ones are no longer new


def test_an_empty_thread_announces_its_first_message_and_drops_the_empty_note(vera_client, store):
    empty = Thread("thr-empty", "user_b11", "Nothing yet", datetime.now(UTC), datetime.now(UTC), {})
    store.memory.save_thread(empty)
    page = vera_client.get(thread_url(empty))
    assert "No messages in this thread." in page.content.decode()
    say(store, "m-first", "First words", thread=empty)
    announced = poll(vera_client, page)
    assert status_text(announced) == "1 new message — show"
    show = find_one(announced.content, "a", **{"hx-get": ...})
    shown = vera_client.get(html_lib.unescape(show.get("hx-get")), headers=NEWS)
    assert find_one(shown.content, "p", id="no-messages").get("hx-swap-oob") == "delete"
    assert [a.get("id") for a in find_all(shown.content, "article")] == ["msg-m-first"]


def test_more_new_messages_than_fit_are_shown_by_reloading(vera_client, store):
    page = vera_client.get(thread_url())
    start = datetime.now(UTC)
    for n in range(45):
        say(store, f"m-burst-{n:02}", f"burst {n}", at=start + timedelta(milliseconds=n))
    answer = poll(vera_client, page)
    assert status_text(answer) == "40+ new messages — show"
    link = find_one(answer.content, "a", href=thread_url())
    assert link.get("hx-get") is None  # a plain reload: the page shows the newest 40


def test_an_older_page_does_not_poll(vera_client, store):
    start = datetime.now(UTC)
    for n in range(45):
        say(store, f"m-burst-{n:02}", f"burst {n}", at=start + timedelta(milliseconds=n))
    newest = vera_client.get(thread_url())
    older = find_one(newest.content, "a", **{"hx-target": "closest .load-older"})
    page = vera_client.get(html_lib.unescape(older.get("href")))
    assert page.status_code == 200
    assert not find_all(page.content, "div", id="thread-news")
    assert find_all(page.content, "a", href=thread_url())  # "Show the newest messages" instead


def test_after_a_long_quiet_the_region_stops_polling_and_says_how_to_look_again(vera_client, store):
    long_ago = (datetime.now(UTC) - timedelta(minutes=11)).isoformat()
    answer = vera_client.get(thread_url(), {"after": "m-order-3", "quiet_since": long_ago}, headers=NEWS)
    assert region(answer).get("data-poll") is None
    assert "Not checking for new messages" in status_text(answer)


def test_a_mangled_poll_link_is_a_clear_400(vera_client, store):
    answer = vera_client.get(thread_url(), {"after_at": "yesterday-ish"}, headers=NEWS)
    assert answer.status_code == 400


# --- the thread list ---------------------------------------------------------------------------------


def new_thread(store, thread_id: str, resource: str = "user_b11") -> Thread:
    now = datetime.now(UTC)
    thread = Thread(thread_id, resource, f"New: {thread_id}", now, now, {})
    store.memory.save_thread(thread)
    return thread


def test_the_list_announces_threads_created_after_it_was_opened(vera_client, store):
    page = vera_client.get(reverse("threads:list"))
    assert region(page).get("data-poll") == "3000"
    assert status_text(poll(vera_client, page)) == ""
    new_thread(store, "thr-new-1")
    new_thread(store, "thr-new-2")
    answer = poll(vera_client, page)
    assert status_text(answer) == "2 new threads — show"
    # The top of the list has not moved since: still two, read from the one newest thread.
    assert status_text(poll(vera_client, answer)) == "2 new threads — show"
    show = find_one(answer.content, "a", **{"hx-target": "#thread-table"})
    table = vera_client.get(
        html_lib.unescape(show.get("hx-get")), headers={**HTMX, "HX-Target": "thread-table"}
    )
    assert "New: thr-new-2" in table.content.decode()
    assert status_text(table) == ""  # the table came back with a new starting point


def test_a_message_in_an_old_thread_is_not_a_new_thread(vera_client, store):
    page = vera_client.get(reverse("threads:list"))
    say(store, "m-new-1", "Any news?")
    assert status_text(poll(vera_client, page)) == ""


def test_the_count_follows_the_lists_filters(vera_client, store):
    page = vera_client.get(reverse("threads:list"), {"resource": "user_b"})
    new_thread(store, "thr-other", resource="user_zz9")
    assert status_text(poll(vera_client, page)) == ""
    new_thread(store, "thr-mine", resource="user_b11")
    assert status_text(poll(vera_client, page)) == "1 new thread — show"


def test_later_pages_of_the_list_do_not_poll(vera_client, store):
    for n in range(12):
        new_thread(store, f"thr-many-{n:02}")
    first = vera_client.get(reverse("threads:list"), {"per_page": "10"})
    next_link = find_one(first.content, "a", rel="next")
    page = vera_client.get(html_lib.unescape(next_link.get("href")))
    assert page.status_code == 200
    assert not find_all(page.content, "div", id="thread-news")
