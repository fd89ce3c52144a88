"""Editors and admins review; viewers read. A viewer's POST with a valid CSRF token is refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from dashboard.reviews.models import Review, ReviewLabel, ReviewQueue

from .conftest import SCORER, start_queue


@pytest.fixture
def csrf_vera(vera) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(vera)
    return client


def _token(client: Client, url: str) -> str:
    client.get(url)
    return client.cookies["csrftoken"].value


def test_a_viewer_cannot_review_even_with_a_valid_csrf_token(csrf_vera, editor, demo_store):
    queue = start_queue(editor)
    score_id = queue.items.get(position=1).score_id
    token = _token(csrf_vera, reverse("reviews:item", args=[queue.pk, 1]))
    response = csrf_vera.post(
        reverse("reviews:save", args=[score_id]),
        {"verdict": "agree", "revision": "0"},
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_a_viewer_cannot_start_a_queue(csrf_vera):
    token = _token(csrf_vera, reverse("reviews:queues"))
    response = csrf_vera.post(
        reverse("reviews:start"), {"scorer": SCORER, "pick": "worst", "size": "5"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 403
    assert not ReviewQueue.objects.exists()


def test_a_viewer_reads_the_queue_without_a_form(vera_client, editor):
    queue = start_queue(editor)
    page = vera_client.get(reverse("reviews:item", args=[queue.pk, 1]))
    assert page.status_code == 200
    assert "Viewers read reviews" in page.content.decode()
    assert b'name="verdict"' not in page.content
    # Opening an item as a viewer claims nothing.
    assert (
        queue.items.get(position=1).claimed_by_id is None
        or queue.items.get(position=1).claimed_by.username == "eddie"
    )


def test_an_editor_cannot_edit_labels_but_an_admin_can(editor, ada_client):
    assert editor.post(reverse("reviews:labels"), {"name": "off-topic"}).status_code == 403
    response = ada_client.post(
        reverse("reviews:labels"), {"name": "off-topic", "description": "x", "active": "on"}
    )
    assert response.status_code == 302
    assert ReviewLabel.objects.filter(name="off-topic", active=True).exists()


def test_only_admins_set_the_threshold(editor, ada_client):
    url = reverse("reviews:agreement") + f"?scorer={SCORER}"
    data = {"threshold": "0.7", "scale_min": "0", "scale_max": "1"}
    assert editor.post(url, data).status_code == 403
    assert ada_client.post(url, data).status_code == 302
    from dashboard.audit.models import AuditEvent
    from dashboard.reviews.models import ScorerReviewSetting

    assert ScorerReviewSetting.objects.get(scorer_id=SCORER).threshold == 0.7
    assert AuditEvent.objects.filter(action="review.settings", target_id=SCORER).exists()


def test_review_events_in_the_audit_log_link_to_the_reviewed_score(editor, ada_client):
    queue = start_queue(editor)
    score_id = queue.items.get(position=1).score_id
    from .conftest import post_review

    post_review(editor, score_id, verdict="disagree", note="</td><script>alert(1)</script>")
    page = ada_client.get(reverse("audit:log") + "?action=review.save")
    assert page.status_code == 200
    assert f'href="{reverse("reviews:score", args=[score_id])}"' in page.content.decode()
    assert b"<script>alert(1)" not in page.content
    log = ada_client.get(reverse("audit:log") + "?action=review.queue_create").content.decode()
    assert f'href="{reverse("reviews:queue", args=[queue.pk])}"' in log


def test_an_admin_retires_a_label_and_it_is_no_longer_offered(ada_client, editor):
    label = ReviewLabel.objects.get(name="tone")
    response = ada_client.post(
        reverse("reviews:labels"), {"label": label.pk, "name": "tone", "description": ""}
    )
    assert response.status_code == 302
    label.refresh_from_db()
    assert label.active is False
    queue = start_queue(editor)
    page = editor.get(reverse("reviews:item", args=[queue.pk, 1])).content.decode()
    assert 'value="tone"' not in page and 'value="hallucination"' in page
