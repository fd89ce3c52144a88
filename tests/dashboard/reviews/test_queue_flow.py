"""Starting a queue from a scorer's filters, going through it, and two reviewers sharing it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from dashboard.audit.models import AuditEvent
from dashboard.reviews import queues
from dashboard.reviews.models import QueueItem, Review

from ..html_query import find_all, find_one
from .conftest import SCORER, post_review, signed_in, start_queue, store_reads


def test_a_worst_first_queue_holds_the_scorers_lowest_scores_in_order(eddie_client, demo_store):
    queue = start_queue(eddie_client, size="5")
    lowest = demo_store.scores.score_feed(SCORER, lowest_first=True, limit=5).items
    assert [i.score_id for i in queue.items.order_by("position")] == [s.id for s in lowest]
    assert "worst first" in queue.description and "unreviewed only" in queue.description


def test_worst_first_follows_a_lower_is_better_scorer_to_its_highest_scores(eddie_client, demo_store):
    from django.contrib.auth import get_user_model

    from dashboard.scores.models import Direction, set_direction

    admin = get_user_model().objects.create_user("direction-admin")
    set_direction(admin, SCORER, Direction.LOWER)
    queue = start_queue(eddie_client, size="5")
    picked = [demo_store.scores.get_score_by_id(i.score_id) for i in queue.items.order_by("position")]
    every = demo_store.scores.list_scores_by_scorer_id(SCORER, per_page=False).scores
    top = sorted((s.score for s in every), reverse=True)[:5]
    # Many scores share the top value, so compare values (the queue holds the five highest: the worst, for this scorer).
    assert [s.score for s in picked] == top


def test_starting_a_queue_is_audited(eddie_client):
    queue = start_queue(eddie_client)
    event = AuditEvent.objects.get(action="review.queue_create")
    assert (event.username, event.target_id, event.outcome) == ("eddie", str(queue.pk), "applied")


def test_building_reads_score_rows_not_whole_scores(eddie_client, counting):
    start_queue(eddie_client, size="25")
    assert store_reads(counting) == ["score_rows"]


def test_newest_unreviewed_skips_the_reviewed_ones_in_order(eddie_client, eddie, demo_store):
    newest = demo_store.scores.score_feed(SCORER, limit=12).items
    for score in newest[:7]:
        assert post_review(eddie_client, score.id, verdict="agree").status_code == 200
    queue = start_queue(eddie_client, pick="newest", size="5")
    assert [i.score_id for i in queue.items.order_by("position")] == [s.id for s in newest[7:12]]


def test_a_queue_that_runs_out_of_scores_to_look_at_is_shorter_and_says_why(
    eddie_client, demo_store, monkeypatch
):
    monkeypatch.setattr(queues, "FEED_PAGE", 4)
    monkeypatch.setattr(queues, "MAX_LOOKED_AT", 8)
    for score in demo_store.scores.score_feed(SCORER, limit=9).items:
        post_review(eddie_client, score.id, verdict="agree")
    queue = start_queue(eddie_client, pick="newest", size="5")
    nine = demo_store.scores.score_feed(SCORER, limit=10).items
    # The 8 newest were looked at and are reviewed: nothing found, and the queue says so.
    assert queue.items.count() == 0
    assert "Only 0 matching scores found among the 8 looked at" in queue.description
    assert len(nine) == 10  # the scorer has more scores; the bound stopped the search, not the data


def test_a_random_sample_reads_a_bounded_number_of_pages_and_has_distinct_scores(eddie_client, counting):
    queue = start_queue(eddie_client, pick="sample", size="10")
    ids = list(queue.items.values_list("score_id", flat=True))
    assert len(ids) == len(set(ids)) == 10
    assert store_reads(counting) == ["score_rows"]
    assert "random sample of 10 from the newest 1,000" in queue.description


def test_a_queue_across_scorers_takes_from_every_scorer(eddie_client, demo_store):
    queue = start_queue(eddie_client, scorer="", pick="newest", size="30")
    assert set(queue.items.values_list("scorer_id", flat=True)) == set(demo_store.scores.scorer_ids())


def test_opening_the_queue_lands_on_the_first_item_and_an_item_is_one_score_read(eddie_client, counting):
    queue = start_queue(eddie_client)
    counting.log.clear()
    response = eddie_client.get(reverse("reviews:queue", args=[queue.pk]))
    assert response["Location"] == reverse("reviews:item", args=[queue.pk, 1])
    page = eddie_client.get(response["Location"])
    assert page.status_code == 200
    reads = store_reads(counting)
    assert reads.count("get_score_by_id") == 1 and len(reads) <= 3, reads
    first = queue.items.get(position=1)
    assert find_one(page.content, "form", id="review-form").get("data-score-id") == first.score_id
    # The judged conversation is shown around the scored answer.
    assert find_all(page.content, "article", cls="message")


def test_a_verdict_is_saved_as_made_and_the_queue_moves_on(eddie_client, eddie):
    queue = start_queue(eddie_client)
    first = queue.items.get(position=1)
    response = post_review(eddie_client, first.score_id, verdict="agree", queue=str(queue.pk))
    assert response.status_code == 200
    assert "Saved: agree" in response.content.decode()
    review = Review.objects.get(score_id=first.score_id, reviewer=eddie)
    assert review.verdict == "agree" and review.revision == 1 and review.queue == queue
    # The next save names the new revision (sent out of band with the answer).
    assert find_one(response.content, "input", id="review-revision").get("value") == "1"
    nxt = eddie_client.get(reverse("reviews:queue", args=[queue.pk]) + "?after=1")
    assert nxt["Location"] == reverse("reviews:item", args=[queue.pk, 2])


def test_reload_mid_queue_resumes_at_the_first_item_not_yet_reviewed(eddie_client):
    queue = start_queue(eddie_client)
    for item in queue.items.filter(position__lte=2):
        post_review(eddie_client, item.score_id, verdict="disagree", human_score="0.1")
    response = eddie_client.get(reverse("reviews:queue", args=[queue.pk]))
    assert response["Location"] == reverse("reviews:item", args=[queue.pk, 3])


def test_two_reviewers_on_one_queue_are_handed_different_items(eddie_client, ada, client):
    queue = start_queue(eddie_client)
    eddie_first = eddie_client.get(reverse("reviews:queue", args=[queue.pk]))["Location"]
    ada_client = Client()
    ada_client.force_login(ada)
    ada_first = ada_client.get(reverse("reviews:queue", args=[queue.pk]))["Location"]
    assert eddie_first.endswith("/1/") and ada_first.endswith("/2/")
    # Ada opening Eddie's item sees that he has it open.
    page = ada_client.get(eddie_first)
    assert find_one(page.content, "p", data_held_by=...).text.startswith("eddie has this item open")


def test_a_queue_for_two_reviewers_each_hands_every_item_to_both(eddie_client, ada):
    queue = start_queue(eddie_client, reviews_wanted="2")
    ada_client = Client()
    ada_client.force_login(ada)
    assert eddie_client.get(reverse("reviews:queue", args=[queue.pk]))["Location"].endswith("/1/")
    assert ada_client.get(reverse("reviews:queue", args=[queue.pk]))["Location"].endswith("/1/")


def test_a_stale_page_cannot_overwrite_a_verdict(eddie_client, eddie):
    queue = start_queue(eddie_client)
    score_id = queue.items.get(position=1).score_id
    post_review(eddie_client, score_id, verdict="agree")
    # A second tab still showing "no review yet" (revision 0) posts a different verdict.
    response = post_review(eddie_client, score_id, verdict="disagree", revision=0)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#review-form"
    assert "changed elsewhere" in response.content.decode()
    assert Review.objects.get(score_id=score_id, reviewer=eddie).verdict == "agree"
    checked = find_one(response.content, "input", name="verdict", checked=...)
    assert checked.get("value") == "agree"


def test_each_change_edits_the_one_review_and_every_change_is_audited(eddie_client, eddie):
    queue = start_queue(eddie_client)
    score_id = queue.items.get(position=1).score_id
    post_review(eddie_client, score_id, verdict="disagree")
    post_review(
        eddie_client, score_id, revision=1, verdict="disagree", human_score="0.2", labels=["hallucination"]
    )
    post_review(
        eddie_client,
        score_id,
        revision=2,
        verdict="disagree",
        human_score="0.2",
        labels=["hallucination"],
        note="Made up a refund policy",
    )
    review = Review.objects.get(score_id=score_id, reviewer=eddie)
    assert (review.revision, review.human_score, review.note) == (3, 0.2, "Made up a refund policy")
    assert [label.name for label in review.labels.all()] == ["hallucination"]
    events = AuditEvent.objects.filter(action="review.save", target_id=score_id).order_by("id")
    assert len(events) == 3 and all(e.outcome == "applied" and e.username == "eddie" for e in events)
    assert '"note": "Made up a refund policy"' in events[2].after and '"note": ""' in events[2].before


def test_undo_puts_back_the_review_before_the_last_change(eddie_client, eddie):
    queue = start_queue(eddie_client)
    score_id = queue.items.get(position=1).score_id
    post_review(eddie_client, score_id, verdict="agree")
    second = post_review(eddie_client, score_id, revision=1, verdict="disagree")
    undo_button = find_one(second.content, "button", data_review_undo=...)
    response = eddie_client.post(
        reverse("reviews:undo", args=[score_id]),
        {"event": undo_button.get("value"), "revision": "2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert Review.objects.get(score_id=score_id, reviewer=eddie).verdict == "agree"
    assert AuditEvent.objects.filter(action="review.undo", target_id=score_id).count() == 1


def test_undoing_the_first_verdict_removes_the_review(eddie_client, eddie):
    queue = start_queue(eddie_client)
    score_id = queue.items.get(position=1).score_id
    first = post_review(eddie_client, score_id, verdict="agree")
    event = find_one(first.content, "button", data_review_undo=...).get("value")
    eddie_client.post(
        reverse("reviews:undo", args=[score_id]), {"event": event, "revision": "1"}, HTTP_HX_REQUEST="true"
    )
    assert not Review.objects.filter(score_id=score_id, reviewer=eddie).exists()
    # Back in the queue, that item is next again.
    assert eddie_client.get(reverse("reviews:queue", args=[queue.pk]))["Location"].endswith("/1/")


def test_someone_elses_change_cannot_be_undone(eddie_client, ada):
    queue = start_queue(eddie_client)
    score_id = queue.items.get(position=1).score_id
    first = post_review(eddie_client, score_id, verdict="agree")
    event = find_one(first.content, "button", data_review_undo=...).get("value")
    ada_client = Client()
    ada_client.force_login(ada)
    response = ada_client.post(reverse("reviews:undo", args=[score_id]), {"event": event, "revision": "0"})
    assert response.status_code == 404
    assert Review.objects.get(score_id=score_id).verdict == "agree"


def test_a_score_outside_the_scale_is_refused_with_a_reason(eddie_client):
    queue = start_queue(eddie_client)
    score_id = queue.items.get(position=1).score_id
    response = post_review(eddie_client, score_id, human_score="7")
    assert response.status_code == 400
    assert "from 0 to 1" in response.content.decode()
    assert not Review.objects.exists()


def test_an_item_whose_score_was_deleted_says_so_instead_of_failing(eddie_client):
    queue = start_queue(eddie_client)
    QueueItem.objects.filter(queue=queue, position=1).update(score_id="deleted-score")
    page = eddie_client.get(reverse("reviews:item", args=[queue.pk, 1]))
    assert page.status_code == 404
    assert find_all(page.content, "article", data_score_gone=...)
    assert find_all(page.content, "a", data_review_nav="next")


def test_when_everything_is_reviewed_the_queue_says_so(eddie_client):
    queue = start_queue(eddie_client, size="2")
    for item in queue.items.all():
        post_review(eddie_client, item.score_id, verdict="agree")
    page = eddie_client.get(reverse("reviews:queue", args=[queue.pk]))
    assert page.status_code == 200
    assert "you reviewed 2 of 2" in find_one(page.content, "p", data_nothing_left=...).text


def test_unreviewed_only_leaves_out_scores_someone_reviewed(eddie_client):
    first = start_queue(eddie_client, size="3")
    reviewed = first.items.get(position=1).score_id
    post_review(eddie_client, reviewed, verdict="agree")
    second = start_queue(eddie_client, size="3")
    assert reviewed not in set(second.items.values_list("score_id", flat=True))


def test_the_scorer_table_and_the_score_panel_show_review_state(editor, vera):
    queue = start_queue(editor, size="2")
    first = queue.items.get(position=1).score_id
    post_review(editor, first, verdict="disagree", note="Wrong refund amount")
    viewer = signed_in(vera)
    table = viewer.get(reverse("scores:scorer", args=[SCORER]) + "?range=all&order=lowest")
    row = find_one(table.content, "tr", data_score_id=first)
    assert row.text.count("1 review · 1 disagree") == 1
    panel = viewer.get(reverse("scores:score", args=[SCORER, first]))
    reviewed = find_one(panel.content, "li", data_review_by="eddie")
    assert "disagree" in reviewed.text and "Wrong refund amount" in reviewed.text
    # Viewers are not offered to review; editors are, from the scorer page with its filters.
    assert not find_all(panel.content, "a", href=reverse("reviews:score", args=[first]))
    link = find_one(
        editor.get(reverse("scores:scorer", args=[SCORER]) + "?range=all").content, "a", data_start_review=...
    )
    assert link.get("href") == reverse("reviews:start") + f"?range=all&scorer={SCORER}"


def test_a_score_can_be_reviewed_outside_a_queue(editor, eddie):
    score_id = start_queue(editor, size="1").items.get().score_id
    page = editor.get(reverse("reviews:score", args=[score_id]))
    assert page.status_code == 200
    assert find_one(page.content, "form", id="review-form").get("data-score-id") == score_id
    post_review(editor, score_id, verdict="agree")
    assert Review.objects.get(score_id=score_id, reviewer=eddie).queue is None


def test_the_start_form_is_filled_from_the_scorer_page(editor):
    page = editor.get(reverse("reviews:start") + f"?range=7d&source=LIVE&scorer={SCORER}")
    assert page.status_code == 200
    assert find_one(page.content, "option", value="7d", selected=...)
    assert find_one(page.content, "option", value="LIVE", selected=...)
    assert find_one(page.content, "option", value=SCORER, selected=...)


def test_a_bad_start_link_gets_the_400_panel(editor):
    response = editor.get(reverse("reviews:start") + "?range=forever")
    assert response.status_code == 400


def test_a_page_showing_a_review_that_was_undone_cannot_overwrite_the_next_one(editor, eddie):
    score_id = start_queue(editor, size="1").items.get().score_id
    first = post_review(editor, score_id, verdict="agree")  # revision 1, shown in tab A
    event = find_one(first.content, "button", data_review_undo=...).get("value")
    editor.post(
        reverse("reviews:undo", args=[score_id]), {"event": event, "revision": "1"}, HTTP_HX_REQUEST="true"
    )
    post_review(editor, score_id, verdict="disagree")  # tab B, a new review
    stale = post_review(editor, score_id, revision=1, verdict="agree")  # tab A again
    assert stale.status_code == 409
    assert Review.objects.get(score_id=score_id, reviewer=eddie).verdict == "disagree"


def test_a_workflow_score_is_shown_with_its_runs_step_outputs(editor, demo_store, demo_set):
    run_ids = {run.run_id for run in demo_set.runs}
    queue = start_queue(editor, scorer="refund-policy-compliance", pick="newest", size="20")
    item = next(
        i for i in queue.items.all() if demo_store.scores.get_score_by_id(i.score_id).run_id in run_ids
    )
    page = editor.get(reverse("reviews:item", args=[queue.pk, item.position]))
    assert page.status_code == 200
    score = demo_store.scores.get_score_by_id(item.score_id)
    run = demo_store.workflows.get_workflow_run_by_id(score.run_id, workflow_name=score.entity_id)
    step_ids = [key for key in run.snapshot["context"] if key != "input"]
    shown = [s.text for s in find_all(page.content, "span", cls="mono")]
    assert step_ids and set(step_ids[:12]) <= set(shown)
    assert "Run status" in page.content.decode()
