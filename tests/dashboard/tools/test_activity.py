"""/activity/: the newest messages across conversations from the index, errors marked, filters,
polling that stops once nothing new has arrived for a while."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from storeclient.models import Message
from tests.dashboard.search.records import ORDER, text

pytestmark = pytest.mark.django_db


def shown_ids(page: str) -> list[str]:
    return re.findall(r'data-message-id="([^"]*)"', page)


def test_newest_first_with_tool_errors_marked(vera_client, support_store):
    page = vera_client.get("/activity/").content.decode()  # catches the index up itself
    ids = shown_ids(page)
    assert ids[0] == "m-recipe-2" and len(ids) == 8
    assert page.count("activity-error") == 2  # the refund's output-error, the parcel's isError
    assert 'href="/threads/thr-order/?at=m-order-2#msg-m-order-2"' in page


def test_filters(vera_client, support_store):
    assert shown_ids(vera_client.get("/activity/?errors_only=1").content.decode()) == [
        "m-order-2",
        "m-refund-2",
    ]
    assert shown_ids(vera_client.get("/activity/?tool=lookupOrder").content.decode()) == ["m-refund-2"]
    assert set(shown_ids(vera_client.get("/activity/?resource=USER_D82").content.decode())) == {
        "m-refund-1",
        "m-refund-2",
        "m-refund-3",
    }
    assert vera_client.get("/activity/?role=nobody").status_code == 400


def test_polling_stops_when_nothing_new_arrives_and_runs_while_messages_do(vera_client, support_store):
    page = vera_client.get("/activity/").content.decode()
    assert "data-poll=" not in page and "no new message in the last" in page  # the records are old
    support_store.memory.save_messages(
        [Message("m-now", ORDER.id, "user", timezone.now(), text("Any news?"), ORDER.resource_id)]
    )
    partial = vera_client.get("/activity/", headers={"HX-Request": "true", "HX-Target": "activity-live"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="activity-live"') and 'data-poll="3000"' in body
    assert shown_ids(body)[0] == "m-now"
