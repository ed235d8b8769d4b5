"""Ranking metrics on hand-computed examples."""

from __future__ import annotations

import math

import pytest

from matching.matches.evaluation import (
    dcg,
    evaluate_run,
    gain,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
)


def test_graded_gain_is_two_to_the_grade_minus_one():
    assert [gain(g) for g in (0, 1, 2, 3)] == [0.0, 1.0, 3.0, 7.0]


def test_dcg_discounts_by_log2_of_rank_plus_one():
    # ranks 1..3 with grades 3, 0, 1: 7/log2(2) + 0 + 1/log2(4) = 7 + 0.5
    assert dcg([3, 0, 1], 10) == pytest.approx(7.5)


def test_ndcg_is_one_for_the_ideal_ranking():
    qrels = {"a": 2, "b": 1}
    assert ndcg_at_k(["a", "b", "x"], qrels) == pytest.approx(1.0)


def test_ndcg_hand_computed_for_swapped_ranking():
    qrels = {"a": 2, "b": 1}
    # ranking b, a: DCG = 1/1 + 3/log2(3); ideal = 3/1 + 1/log2(3)
    expected = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert ndcg_at_k(["b", "a"], qrels) == pytest.approx(expected)


def test_ndcg_ignores_items_below_the_cutoff():
    qrels = {"a": 1}
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    assert ndcg_at_k(ranked, qrels, 10) == 0.0


def test_ndcg_ideal_uses_all_judged_items_even_if_unretrieved():
    qrels = {"a": 1, "b": 1}
    # only a at rank 1: DCG 1; ideal 1 + 1/log2(3)
    assert ndcg_at_k(["a"], qrels) == pytest.approx(1 / (1 + 1 / math.log2(3)))


def test_recall_counts_relevant_in_top_k():
    qrels = {"a": 1, "b": 2, "c": 0}
    ranked = ["a"] + [f"x{i}" for i in range(19)] + ["b"]
    assert recall_at_k(ranked, qrels, 20) == pytest.approx(0.5)


def test_reciprocal_rank_of_first_relevant_and_zero_when_none():
    qrels = {"b": 1, "c": 0}
    assert reciprocal_rank(["c", "x", "b"], qrels) == pytest.approx(1 / 3)
    assert reciprocal_rank(["c", "x"], qrels) == 0.0


def test_evaluate_run_averages_only_over_needs_in_the_run_with_relevant_judgements():
    qrels = {"n1": {"a": 1}, "n2": {"b": 1}, "n3": {"c": 0}, "n4": {"d": 1}}
    run = {"n1": ["a"], "n2": ["x", "b"], "n3": ["c"]}
    scores = evaluate_run(run, qrels)
    assert scores.count == 2
    assert scores.mrr == pytest.approx((1 + 0.5) / 2)
    assert scores.recall_at_20 == pytest.approx(1.0)
    assert scores.ndcg_at_10 == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert set(scores.as_dict()) == {"ndcg@10", "recall@20", "mrr"}
