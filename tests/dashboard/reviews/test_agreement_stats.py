"""Agreement figures against examples worked by hand, including the degenerate ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard.reviews import agreement as stats
from dashboard.reviews.agreement import Judged

MONDAY = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def review(judge, human=None, verdict="", *, score_id=None, reviewer="eddie", at=MONDAY, note=""):
    return Judged(score_id or f"s{judge}-{human}-{verdict}", reviewer, judge, verdict, human, at, note)


#: Two agreements and two disagreements by class at 0.5 (worked out in the first test).
FOUR = [review(0.9, 0.8), review(0.2, 0.3), review(0.7, 0.1), review(0.4, 0.6)]


def test_four_scored_reviews_worked_by_hand():
    # Classes at 0.5: (pass, pass) (fail, fail) (pass, fail) (fail, pass): p_o = 0.5.
    # Both raters pass half the time: p_e = 0.5·0.5 + 0.5·0.5 = 0.5, so κ = 0.
    # MAE = (0.1 + 0.1 + 0.6 + 0.2) / 4 = 0.25.
    # Pearson: deviations (0.35, −0.35, 0.15, −0.15) and (0.35, −0.15, −0.35, 0.15):
    # Σxy = 0.1, Σx² = Σy² = 0.29, r = 0.1 / 0.29.
    result = stats.agreement(FOUR, 0.5)
    assert result.rate.value == pytest.approx(0.5)
    assert result.mae.value == pytest.approx(0.25)
    assert result.kappa.value == pytest.approx(0.0)
    assert result.pearson.value == pytest.approx(0.1 / 0.29)
    assert result.reviews == 4


def test_kappa_of_a_textbook_table():
    # 4 both pass, 3 both fail, 2 judge-only pass, 1 person-only pass: p_o = 0.7,
    # p_e = 0.6·0.5 + 0.4·0.5 = 0.5, κ = (0.7 − 0.5) / 0.5 = 0.4.
    pairs = [(True, True)] * 4 + [(False, False)] * 3 + [(True, False)] * 2 + [(False, True)]
    assert stats.cohens_kappa(pairs).value == pytest.approx(0.4)


def test_verdicts_class_the_person_against_the_judge():
    # Agree with a passing judge: pass. Disagree with a passing judge: fail.
    agree, disagree = review(0.8, verdict="agree"), review(0.8, verdict="disagree")
    assert stats.human_passes(agree, 0.5) is True
    assert stats.human_passes(disagree, 0.5) is False
    assert stats.agreement_rate([agree, disagree], 0.5).value == pytest.approx(0.5)


def test_a_verdict_wins_over_the_classes_for_the_agreement_rate():
    # A person who scores 0.45 against a judge's 0.55 but says "agree" agrees.
    assert stats.agreement_rate([review(0.55, 0.45, "agree")], 0.5).value == 1.0


def test_when_everyone_agrees_and_everything_passes_kappa_is_na_with_the_reason():
    reviews = [review(0.9, verdict="agree"), review(0.8, verdict="agree"), review(0.7, verdict="agree")]
    result = stats.agreement(reviews, 0.5)
    assert result.rate.value == 1.0
    assert result.kappa.value is None
    assert "one class only" in result.kappa.why
    assert result.pearson.value is None and "at least two" in result.pearson.why
    assert result.mae.value is None and "no review gives a score" in result.mae.why


def test_one_class_for_the_judge_only_still_has_a_kappa():
    # The judge passes all four, people pass two: p_e = 1·0.5 + 0·0.5 = 0.5; p_o = 0.5; κ = 0.
    reviews = [review(0.9, 0.9), review(0.8, 0.7), review(0.7, 0.2), review(0.6, 0.1)]
    assert stats.judge_human_kappa(reviews, 0.5).value == pytest.approx(0.0)


def test_a_single_review():
    result = stats.agreement([review(0.3, 0.5)], 0.5)
    assert result.rate.value == 0.0  # fail against pass
    assert result.mae.value == pytest.approx(0.2)
    # One item, the raters on opposite classes: p_o = 0, p_e = 0·1 + 1·0 = 0, κ = 0.
    assert result.kappa.value == pytest.approx(0.0)
    assert result.pearson.value is None and "(1 so far)" in result.pearson.why
    assert result.inter_reviewer.value is None and "two or more people" in result.inter_reviewer.why


def test_pearson_is_na_when_people_never_vary():
    result = stats.judge_human_pearson([review(0.1, 0.5), review(0.9, 0.5), review(0.4, 0.5)])
    assert result.value is None and "people's scores never vary" in result.why


def test_no_reviews_at_all_gives_only_na():
    result = stats.agreement([], 0.5)
    assert [
        f.value for f in (result.rate, result.mae, result.kappa, result.pearson, result.inter_reviewer)
    ] == [None] * 5


def test_inter_reviewer_agreement_counts_pairs_of_people_on_the_same_score():
    # s1: eddie pass, ada pass, vera fail -> pairs (e,a) agree, (e,v) and (a,v) not: 1/3. s2 has one review.
    reviews = [
        review(0.5, 0.9, score_id="s1", reviewer="eddie"),
        review(0.5, 0.8, score_id="s1", reviewer="ada"),
        review(0.5, 0.1, score_id="s1", reviewer="vera"),
        review(0.5, 0.9, score_id="s2", reviewer="eddie"),
    ]
    figure = stats.inter_reviewer(reviews, 0.5)
    assert figure.value == pytest.approx(1 / 3)
    assert figure.why == "3 pairs on 1 score"


def test_the_threshold_changes_the_classes():
    # At 0.5 both pass (agree); at 0.85 the judge passes and the person does not.
    reviews = [review(0.9, 0.8)]
    assert stats.agreement_rate(reviews, 0.5).value == 1.0
    assert stats.agreement_rate(reviews, 0.85).value == 0.0


def test_the_trend_buckets_by_week_oldest_first():
    week_two = MONDAY + timedelta(days=8)
    reviews = [
        review(0.9, 0.8, at=week_two),
        review(0.9, 0.1, at=MONDAY),
        review(0.2, 0.3, at=MONDAY + timedelta(days=6)),
    ]
    points = stats.trend(reviews, 0.5, "week")
    assert [(p.start.isoformat(), p.reviews, p.rate.value) for p in points] == [
        ("2026-01-05", 2, 0.5),
        ("2026-01-12", 1, 1.0),
    ]


def test_disagreements_list_the_widest_gaps_first():
    reviews = [*FOUR, review(0.8, verdict="disagree")]
    found = stats.disagreements(reviews, 0.5)
    assert [(d.review.judge, d.gap) for d in found] == [
        (0.7, pytest.approx(0.6)),
        (0.4, pytest.approx(0.2)),
        (0.8, None),
    ]
