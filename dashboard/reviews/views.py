"""Human review of scores: queues, one item at a time, verdicts saved as they are made, agreement
between judge and people, and exports of the reviewed set. Under ``/scores/(reviews)/``.

Editors and admins review (``reviews.review_scores``); admins also edit labels and scorer review
settings (``reviews.manage_reviews``); viewers read queues, reviews and agreement.

Store calls: starting a queue reads feed pages (queues.py says how many, at most); an item page
makes one ``get_score_by_id`` and one or two reads for its context (context.py); a save makes one
``get_score_by_id``. The queue list and the agreement page read only the dashboard's database.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from dashboard.audit.models import Action, AuditEvent, Outcome, TargetType, record_event
from dashboard.core.csv_export import csv_lines
from dashboard.core.htmx import SWAP_ERROR_HEADER, BadQuery, read_query, vary_on_htmx
from dashboard.core.pages import not_found
from dashboard.core.rendering import render_untrusted_markdown
from dashboard.core.store import get_store
from dashboard.scores.cards import scorer_info, scorer_label
from dashboard.scores.forms import ScoreQuery
from dashboard.scores.presenting import run_url, score_problem, thread_url
from storeclient.codec import to_iso
from storeclient.models import Score

from . import agreement as stats
from .context import judged_context
from .forms import AgreementForm, LabelForm, ReviewForm, ScorerSettingForm, StartQueueForm, UndoForm
from .models import (
    MANAGE_PERMISSION,
    REVIEW_PERMISSION,
    Review,
    ReviewLabel,
    ReviewQueue,
    ScorerReviewSetting,
)
from .queues import (
    MAX_QUEUE,
    PICKS,
    SAMPLE_POOL,
    QueueRequest,
    build_queue,
    claim,
    holder,
    next_item,
    progress,
)
from .saving import ReviewState, Saved, Stale, save_review, state_from_form, undo

QUEUES_SHOWN = 50
#: Quick scores offered (keys 1–5): evenly across the scorer's scale.
QUICK_SCORES = 5


def _require(request: HttpRequest, permission: str, what: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied(what)


def setting_for(scorer_id: str) -> ScorerReviewSetting:
    """The scorer's review settings; the defaults (0–1 scale, threshold 0.5) until an admin sets them."""
    return ScorerReviewSetting.objects.filter(scorer_id=scorer_id).first() or ScorerReviewSetting(
        scorer_id=scorer_id
    )


# --- queues ---------------------------------------------------------------------------------------


@require_GET
def queue_list(request: HttpRequest) -> HttpResponse:
    queues = list(ReviewQueue.objects.select_related("created_by")[:QUEUES_SHOWN])
    user = request.user
    rows = [(queue, progress(queue, user)) for queue in queues]  # type: ignore[arg-type]
    return render(
        request,
        "reviews/queues.html",
        {
            "rows": rows,
            "may_review": user.has_perm(REVIEW_PERMISSION),
            "may_manage": user.has_perm(MANAGE_PERMISSION),
        },
    )


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """GET: the start form, filled from the scorer page's filters. POST: build the queue, open it."""
    _require(request, REVIEW_PERMISSION, "Starting a review queue needs the editor or admin role.")
    if request.method == "GET":
        form = read_query(request, StartQueueForm)
        return render(request, "reviews/start.html", _start_context(form))
    form = StartQueueForm(request.POST, starting=True)
    if not form.is_valid():
        return render(request, "reviews/start.html", _start_context(form), status=400)
    data = form.cleaned_data
    scorer_id = data["scorer"].strip()
    queue_request = QueueRequest(
        scorer_id=scorer_id,
        query=ScoreQuery.from_form(form),
        pick=data["pick"],
        size=data["size"],
        unreviewed_only=data["unreviewed_only"],
        reviews_wanted=data["reviews_wanted"] or 1,
    )
    now = timezone.now()
    name = (
        data["name"].strip()
        or f"{scorer_label(scorer_id) if scorer_id else 'Every scorer'} · {PICKS[data['pick']].lower()}"
    )
    built = build_queue(queue_request, request.user, name=name, now=now)  # type: ignore[arg-type]
    url = reverse("reviews:queue", args=[built.queue.pk])
    return redirect(url)


def _start_context(form: StartQueueForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    scorer_id = (data.get("scorer") or form.data.get("scorer") or "").strip()
    return {
        "form": form,
        "scorer_id": scorer_id,
        "scorer_label": scorer_label(scorer_id) if scorer_id else "every scorer",
        "scorer_ids": get_store().scores.scorer_ids(),
        "picks": list(PICKS.items()),
        "sample_pool": SAMPLE_POOL,
        "max_queue": MAX_QUEUE,
    }


@require_GET
def queue(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's place in the queue: their next item (a reload resumes here), or the end."""
    queue_obj = get_object_or_404(ReviewQueue, pk=pk)
    after = _int(request.GET.get("after"))
    if request.user.has_perm(REVIEW_PERMISSION):
        item = next_item(queue_obj, request.user, after=after)  # type: ignore[arg-type]
        if item is not None:
            return HttpResponseRedirect(reverse("reviews:item", args=[pk, item.position]))
    items = list(queue_obj.items.order_by("position")[:1])
    context = {
        "queue": queue_obj,
        "progress": progress(queue_obj, request.user),  # type: ignore[arg-type]
        "first_url": reverse("reviews:item", args=[pk, items[0].position]) if items else "",
        "may_review": request.user.has_perm(REVIEW_PERMISSION),
    }
    return render(request, "reviews/queue_done.html", context)


def _int(value: str | None) -> int:
    try:
        return max(int(value or 0), 0)
    except ValueError:
        return 0


@require_GET
def item(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    queue_obj = get_object_or_404(ReviewQueue, pk=pk)
    entry = queue_obj.items.filter(position=position).select_related("claimed_by").first()
    if entry is None:
        return not_found(
            request,
            "Not in this queue",
            f"The queue “{queue_obj.name}” has no item {position}.",
            reverse("reviews:queue", args=[pk]),
            "Back to the queue",
        )
    user: AbstractBaseUser = request.user  # type: ignore[assignment]
    may_review = user.has_perm(REVIEW_PERMISSION)
    someone_else = holder(entry, user)
    if may_review and not someone_else:
        claim(entry, user)
    score = get_store().scores.get_score_by_id(entry.score_id)
    queue_progress = progress(queue_obj, user)
    context: dict[str, Any] = {
        "queue": queue_obj,
        "entry": entry,
        "total": queue_progress.total,
        "progress": queue_progress,
        "previous_url": reverse("reviews:item", args=[pk, position - 1]) if position > 1 else "",
        "next_url": reverse("reviews:queue", args=[pk]) + f"?after={position}",
        "may_review": may_review,
        "holder": someone_else,
        "score": score,
    }
    if score is None:
        return render(request, "reviews/item.html", context, status=404)
    return _review_page(request, score, queue_obj, context)


@require_GET
def score_review(request: HttpRequest, score_id: str) -> HttpResponse:
    """One score reviewed outside any queue (from the score panel)."""
    found = _score_or_404(request, score_id)
    if isinstance(found, HttpResponse):
        return found
    context = {"queue": None, "may_review": request.user.has_perm(REVIEW_PERMISSION)}
    return _review_page(request, found, None, context)


def _review_page(
    request: HttpRequest, score: Score, queue_obj: ReviewQueue | None, context: dict[str, Any]
) -> HttpResponse:
    user: AbstractBaseUser = request.user  # type: ignore[assignment]
    mine = _my_review(score.id, user)
    context |= _score_context(score)
    context |= _form_context(score, user, mine, queue_obj)
    context["context"] = judged_context(score)
    # Others' verdicts are shown once you have given yours, so they do not sway it.
    others = Review.objects.filter(score_id=score.id).exclude(reviewer=user).select_related("reviewer")
    context["others"] = list(others.prefetch_related("labels")) if mine else []
    context["others_count"] = others.count()
    return render(request, "reviews/item.html", context)


def _my_review(score_id: str, user: AbstractBaseUser) -> Review | None:
    return Review.objects.filter(score_id=score_id, reviewer=user).prefetch_related("labels").first()


#: Prompt fields of a score shown on the review page, in the order a scorer runs them.
PROMPTS = (
    ("preprocessPrompt", "Preprocess"),
    ("extractPrompt", "Extract"),
    ("analyzePrompt", "Analyze"),
    ("generateScorePrompt", "Generate score"),
    ("generateReasonPrompt", "Generate reason"),
    ("reasonPrompt", "Reason"),
)


def _score_context(score: Score) -> dict[str, Any]:
    record = score.to_record()
    return {
        "scorer_id": score.scorer_id,
        "scorer_name": scorer_info(score).get("name", scorer_label(score.scorer_id)),
        "score_problem": score_problem(score),
        "reason": render_untrusted_markdown(score.reason),
        "thread_url": thread_url(score),
        "run_url": run_url(score),
        "score_input": record.get("input"),
        "has_input": "input" in record,
        "score_output": record.get("output"),
        "has_output": "output" in record,
        "prompts": [(label, record[key]) for key, label in PROMPTS if record.get(key)],
    }


def _form_context(
    score: Score,
    user: AbstractBaseUser,
    review: Review | None,
    queue_obj: ReviewQueue | None,
    *,
    undo_event: int | None = None,
    message: str = "",
) -> dict[str, Any]:
    setting = setting_for(score.scorer_id)
    step = (setting.scale_max - setting.scale_min) / (QUICK_SCORES - 1)
    state = ReviewState.of(review)
    return {
        "score": score,
        "review": review,
        "state": state,
        "setting": setting,
        "quick_scores": [(i + 1, round(setting.scale_min + i * step, 4)) for i in range(QUICK_SCORES)],
        "labels": list(ReviewLabel.objects.filter(active=True))
        + list(ReviewLabel.objects.filter(active=False, name__in=state.labels if state else ())),
        "queue_id": queue_obj.pk if queue_obj else "",
        "undo_event": undo_event,
        "message": message,
        "may_review": user.has_perm(REVIEW_PERMISSION),
    }


# --- saving ---------------------------------------------------------------------------------------


def _score_or_404(request: HttpRequest, score_id: str) -> Score | HttpResponse:
    score = get_store().scores.get_score_by_id(score_id)
    if score is None:
        return not_found(
            request,
            "Score not found",
            f"There is no score with the id “{score_id}” in the store. It may have been deleted.",
            reverse("reviews:queues"),
            "Review queues",
        )
    return score


@require_POST
def save(request: HttpRequest, score_id: str) -> HttpResponse:
    """One change of the reviewer's verdict (htmx posts the whole form on every change)."""
    _require(request, REVIEW_PERMISSION, "Reviewing scores needs the editor or admin role.")
    found = _score_or_404(request, score_id)
    if isinstance(found, HttpResponse):
        return found
    score = found
    user: AbstractBaseUser = request.user  # type: ignore[assignment]
    form = ReviewForm(request.POST, setting=setting_for(score.scorer_id))
    queue_obj = None
    if form.is_valid() and form.cleaned_data["queue"]:
        queue_obj = ReviewQueue.objects.filter(pk=form.cleaned_data["queue"]).first()
    if not form.is_valid():
        problems = [f"{form.fields[name].label or name}: {error}" if name in form.fields else error
                    for name, errors in form.errors.items() for error in errors]  # fmt: skip
        response = render(
            request,
            "reviews/item.html#review-status",
            {"problems": problems, "score": score, "state": ReviewState.of(_my_review(score.id, user))},
            status=400,
        )
        response[SWAP_ERROR_HEADER] = "true"
        return response
    outcome = save_review(
        user,
        score,
        state_from_form(form.cleaned_data),
        revision=form.cleaned_data["revision"],
        queue=queue_obj,
    )
    return _answer(request, score, user, queue_obj, outcome)


@require_POST
def undo_save(request: HttpRequest, score_id: str) -> HttpResponse:
    _require(request, REVIEW_PERMISSION, "Reviewing scores needs the editor or admin role.")
    found = _score_or_404(request, score_id)
    if isinstance(found, HttpResponse):
        return found
    score = found
    user: AbstractBaseUser = request.user  # type: ignore[assignment]
    form = UndoForm(request.POST)
    if not form.is_valid():
        raise BadQuery("That undo is not valid", ["Reload the page and try again."], request.path)
    outcome = undo(user, score, form.cleaned_data["event"], revision=form.cleaned_data["revision"])
    if outcome is None:
        return not_found(
            request, "Nothing to undo", "That change is not yours to undo.", request.path, "Back"
        )
    queue_obj = ReviewQueue.objects.filter(pk=_int(request.POST.get("queue"))).first()
    return _answer(request, score, user, queue_obj, outcome, undone=True)


def _answer(
    request: HttpRequest,
    score: Score,
    user: AbstractBaseUser,
    queue_obj: ReviewQueue | None,
    outcome: Saved | Stale,
    *,
    undone: bool = False,
) -> HttpResponse:
    if isinstance(outcome, Stale):
        # Nothing was written: show what is stored, in place of the whole form.
        context = _form_context(
            score,
            user,
            _my_review(score.id, user),
            queue_obj,
            message="Not saved: this review was changed elsewhere (another tab?) since this page showed it. "
            "Here is what is stored now; change it again if you need to.",
        )
        response = render(request, "reviews/item.html#review-form", context, status=409)
        response[SWAP_ERROR_HEADER] = "true"
        return reswap(retarget(response, "#review-form"), "outerHTML")
    review = _my_review(score.id, user) if outcome.review is not None else None
    context = _form_context(
        score,
        user,
        review,
        queue_obj,
        undo_event=None if undone else outcome.event.pk,
        message="Undone." if undone else "",
    )
    if undone:
        # The inputs must show the restored state: the whole form is replaced.
        response = render(request, "reviews/item.html#review-form", context)
        return reswap(retarget(response, "#review-form"), "outerHTML")
    return render(request, "reviews/item.html#review-saved", context)


# --- agreement --------------------------------------------------------------------------------------


def _judged(reviews: Any) -> list[stats.Judged]:
    return [
        stats.Judged(
            score_id=r["score_id"],
            reviewer=r["reviewer__username"],
            judge=r["judge_score"],
            verdict=r["verdict"],
            human=r["human_score"],
            at=r["created_at"],
            note=r["note"],
        )
        for r in reviews
    ]


REVIEW_FIELDS = (
    "id",
    "score_id",
    "scorer_id",
    "reviewer__username",
    "judge_score",
    "verdict",
    "human_score",
    "created_at",
    "note",
)


@require_http_methods(["GET", "POST"])
def agreement(request: HttpRequest) -> HttpResponse:
    form = read_query(request, AgreementForm)
    scorer_id = form.cleaned_data["scorer"]
    period = form.cleaned_data["trend"] or "week"
    setting = setting_for(scorer_id) if scorer_id else None
    setting_form = ScorerSettingForm(instance=setting) if setting else None
    status = 200
    if request.method == "POST":
        _require(request, MANAGE_PERMISSION, "Changing a scorer's review settings needs the admin role.")
        if setting is None:
            raise BadQuery("Pick a scorer first", ["Settings belong to one scorer."], request.path)
        before = (
            f"threshold={setting.threshold} scale={setting.scale_min}..{setting.scale_max}"
            if setting.pk
            else ""
        )
        setting_form = ScorerSettingForm(request.POST, instance=setting)
        if setting_form.is_valid():
            saved = setting_form.save(commit=False)
            saved.updated_at = timezone.now()
            saved.save()
            _audit_settings(request.user, TargetType.SCORER, scorer_id, before,  # type: ignore[arg-type]
                            f"threshold={saved.threshold} scale={saved.scale_min}..{saved.scale_max}")  # fmt: skip
            return redirect(request.get_full_path())
        status = 400
    rows = Review.objects.values(*REVIEW_FIELDS).order_by("created_at")
    scorer_ids = list(Review.objects.order_by("scorer_id").values_list("scorer_id", flat=True).distinct())
    if scorer_id:
        rows = rows.filter(scorer_id=scorer_id)
    rows = list(rows)
    judged = _judged(rows)
    threshold = setting.threshold if setting else 0.5
    per_scorer = []
    if not scorer_id:
        grouped: dict[str, list[stats.Judged]] = defaultdict(list)
        for row, j in zip(rows, judged, strict=True):
            grouped[row["scorer_id"]].append(j)
        settings_by_id = {s.scorer_id: s for s in ScorerReviewSetting.objects.filter(scorer_id__in=grouped)}
        for sid, items in sorted(grouped.items()):
            t = settings_by_id[sid].threshold if sid in settings_by_id else 0.5
            per_scorer.append((sid, scorer_label(sid), stats.agreement(items, t)))
    disagreements = stats.disagreements(judged, threshold)
    scorer_by_score = dict(
        Review.objects.filter(score_id__in=[d.review.score_id for d in disagreements]).values_list(
            "score_id", "scorer_id"
        )
    )
    context = {
        "form": form,
        "scorer_id": scorer_id,
        "scorer_ids": scorer_ids,
        "period": period,
        "summary": stats.agreement(judged, threshold) if scorer_id else None,
        "per_scorer": per_scorer,
        "trend": stats.trend(judged, threshold, period),
        "disagreements": [
            (d, reverse("scores:score", args=[scorer_by_score.get(d.review.score_id, ""), d.review.score_id]))
            for d in disagreements
        ],
        "setting": setting,
        "setting_form": setting_form,
        "may_manage": request.user.has_perm(MANAGE_PERMISSION),
        "export_csv": reverse("reviews:export_csv") + (f"?scorer={scorer_id}" if scorer_id else ""),
        "export_jsonl": reverse("reviews:export_jsonl") + (f"?scorer={scorer_id}" if scorer_id else ""),
    }
    return vary_on_htmx(render(request, "reviews/agreement.html", context, status=status))


def _audit_settings(
    user: AbstractBaseUser, target_type: str, target_id: str, before: str, after: str
) -> None:
    event = AuditEvent.start(
        user, Action.REVIEW_SETTINGS_CHANGE, target_type, target_id, before=before, after=after
    )
    event.finish(Outcome.APPLIED)


# --- labels -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def labels(request: HttpRequest) -> HttpResponse:
    """The labels reviewers can choose from; admins add, rename, describe and retire them."""
    may_manage = request.user.has_perm(MANAGE_PERMISSION)
    form = LabelForm()
    status = 200
    if request.method == "POST":
        _require(request, MANAGE_PERMISSION, "Editing review labels needs the admin role.")
        existing = ReviewLabel.objects.filter(pk=_int(request.POST.get("label"))).first()
        before = _label_text(existing) if existing else ""
        form = LabelForm(request.POST, instance=existing)
        if form.is_valid():
            label = form.save()
            _audit_settings(request.user, TargetType.REVIEW_LABEL, str(label.pk), before, _label_text(label))  # type: ignore[arg-type]
            return redirect(reverse("reviews:labels"))
        status = 400
    context = {"form": form, "labels": ReviewLabel.objects.all(), "may_manage": may_manage}
    return render(request, "reviews/labels.html", context, status=status)


def _label_text(label: ReviewLabel) -> str:
    return f"{label.name}\n{label.description}\n{'active' if label.active else 'retired'}"


# --- export -----------------------------------------------------------------------------------------

#: One row per review, in order. Never reorder: people script against them.
CSV_COLUMNS = (
    "scoreId",
    "scorerId",
    "scoreCreatedAt",
    "judgeScore",
    "judgeReason",
    "input",
    "output",
    "reviewer",
    "verdict",
    "humanScore",
    "labels",
    "note",
    "reviewedAt",
)
EXPORT_BATCH = 200


def _reviews_by_score(scorer_id: str) -> Iterator[tuple[str, list[Review]]]:
    """Every review, grouped by score (scores in the order they were first reviewed), in batches."""
    reviews = Review.objects.select_related("reviewer").prefetch_related(
        Prefetch("labels", queryset=ReviewLabel.objects.order_by("name"))
    )
    if scorer_id:
        reviews = reviews.filter(scorer_id=scorer_id)
    score_ids = list(reviews.order_by("score_id").values_list("score_id", flat=True).distinct())
    for start_at in range(0, len(score_ids), EXPORT_BATCH):
        batch = score_ids[start_at : start_at + EXPORT_BATCH]
        grouped: dict[str, list[Review]] = defaultdict(list)
        for review in reviews.filter(score_id__in=batch).order_by("score_id", "created_at", "id"):
            grouped[review.score_id].append(review)
        for score_id in batch:
            yield score_id, grouped[score_id]


def export_records(scorer_id: str) -> Iterator[dict[str, Any]]:
    """The reviewed set, one record per score: what was judged, the judge's verdict, and every
    person's. Shaped to seed a dataset: ``input``, ``output``, and ``expected`` (the people's
    pass/fail at the scorer's threshold when they agree among themselves)."""
    store = get_store()
    thresholds: dict[str, float] = {}
    for score_id, reviews in _reviews_by_score(scorer_id):
        first = reviews[0]
        threshold = thresholds.setdefault(first.scorer_id, setting_for(first.scorer_id).threshold)
        score = store.scores.get_score_by_id(score_id)
        judged = [
            stats.Judged(
                score_id, r.reviewer.get_username(), r.judge_score, r.verdict, r.human_score, r.created_at
            )
            for r in reviews
        ]
        classes = {c for c in (stats.human_passes(j, threshold) for j in judged) if c is not None}
        record = score.to_record() if score else {}
        yield {
            "scoreId": score_id,
            "scorerId": first.scorer_id,
            "scoreCreatedAt": to_iso(first.score_created_at) if first.score_created_at else None,
            "inStore": score is not None,
            "input": record.get("input"),
            "output": record.get("output"),
            "judge": {
                "score": first.judge_score,
                "reason": record.get("reason"),
                "passed": stats.judge_passes(first.judge_score, threshold)
                if first.judge_score is not None
                else None,
                "threshold": threshold,
            },
            "humans": [
                {
                    "reviewer": r.reviewer.get_username(),
                    "verdict": r.verdict or None,
                    "score": r.human_score,
                    "labels": [label.name for label in r.labels.all()],
                    "note": r.note,
                    "reviewedAt": to_iso(r.updated_at),
                }
                for r in reviews
            ],
            "expected": {"passed": classes.pop()} if len(classes) == 1 else None,
        }


@require_GET
def export(request: HttpRequest, fmt: str) -> StreamingHttpResponse:
    scorer_id = read_query(request, AgreementForm).cleaned_data["scorer"]
    records = export_records(scorer_id)
    record_event(
        request.user,
        Action.EXPORT_REVIEWS,
        TargetType.SCORER if scorer_id else "",
        scorer_id or "",
        detail=f"{fmt.upper()} · {request.GET.urlencode() or 'every scorer'}",
    )
    if fmt == "csv":

        def rows() -> Iterator[list[Any]]:
            for record in records:
                for human in record["humans"]:
                    row = {
                        "scoreId": record["scoreId"],
                        "scorerId": record["scorerId"],
                        "scoreCreatedAt": record["scoreCreatedAt"],
                        "judgeScore": record["judge"]["score"],
                        "judgeReason": record["judge"]["reason"],
                        "input": record["input"],
                        "output": record["output"],
                        "reviewer": human["reviewer"],
                        "verdict": human["verdict"],
                        "humanScore": human["score"],
                        "labels": ";".join(human["labels"]),
                        "note": human["note"],
                        "reviewedAt": human["reviewedAt"],
                    }
                    yield [row[c] for c in CSV_COLUMNS]

        response = StreamingHttpResponse(
            csv_lines(CSV_COLUMNS, rows()), content_type="text/csv; charset=utf-8"
        )
    else:

        def jsonl() -> Iterator[str]:
            for record in records:
                # U+2028/U+2029 are line breaks to many line readers (str.splitlines, editors):
                # escaped, so a record is always exactly one line.
                line = json.dumps(record, ensure_ascii=False)
                yield line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"

        response = StreamingHttpResponse(jsonl(), content_type="application/x-ndjson; charset=utf-8")
    name = "reviews" + (f"-{_safe(scorer_id)}" if scorer_id else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.{"csv" if fmt == "csv" else "jsonl"}"'
    response["Cache-Control"] = "no-store"
    return response


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "scorer"
