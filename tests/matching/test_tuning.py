"""Tuning the matcher on judged needs: re-ranking by a setting, strength calibration, k-fold
cross-validation, and evaluate_matching's --per-need and --folds."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from matching.matches.tuning import (
    Candidate,
    Setting,
    calibrate_strength,
    cross_validate,
    ranking,
    strength_quality,
)
from tests.bundled import NEEDS, QRELS, judged_sample, load_bundled_results

TEXT_ONLY = Setting({"text": 1.0, "semantic": 0.0}, 0.0)
MEANING_ONLY = Setting({"text": 0.0, "semantic": 1.0}, 0.0)


def _candidate(ref: str, text: float, semantic: float) -> Candidate:
    return Candidate(ref, {"text": text, "semantic": semantic}, cosine=semantic, text_score=text)


def test_a_setting_reranks_the_candidates_as_its_weights_say() -> None:
    candidates = [_candidate("a", 0.9, 0.1), _candidate("b", 0.2, 0.8)]
    assert [ref for ref, _ in ranking(candidates, TEXT_ONLY)] == ["a", "b"]
    assert [ref for ref, _ in ranking(candidates, MEANING_ONLY)] == ["b", "a"]


def test_strong_threshold_separates_relevant_from_the_rest_when_it_can() -> None:
    pairs = [(0.9, True), (0.8, True), (0.5, False), (0.4, True), (0.2, False), (0.1, False)]
    thresholds = calibrate_strength(pairs)
    assert thresholds.strong == 0.4 or thresholds.strong == 0.8
    assert thresholds.possible <= thresholds.strong
    quality = strength_quality(pairs, thresholds)
    assert quality.relevant_weak <= 0.1


def test_cross_validation_measures_each_choice_on_needs_it_did_not_see() -> None:
    # Needs n0..n5: text ranks the relevant result first in every one, meaning in none.
    runs = {f"n{i}": [_candidate("good", 0.9, 0.1), _candidate("bad", 0.1, 0.9)] for i in range(6)}
    qrels = {f"n{i}": {"good": 1} for i in range(6)}
    result = cross_validate(runs, qrels, [MEANING_ONLY, TEXT_ONLY], MEANING_ONLY, folds=3)
    assert len(result.folds) == 3
    assert sorted(n for f in result.folds for n in f.needs) == sorted(runs)
    assert all(f.chosen == TEXT_ONLY for f in result.folds)
    assert result.tuned_ndcg == pytest.approx(1.0)
    assert result.reference_ndcg < result.tuned_ndcg


def test_cross_validation_refuses_fewer_than_two_folds() -> None:
    runs = {"n1": [_candidate("a", 1, 0)]}
    with pytest.raises(ValueError):
        cross_validate(runs, {"n1": {"a": 1}}, [TEXT_ONLY], TEXT_ONLY, folds=1)


@pytest.mark.django_db
def test_evaluate_matching_prints_each_need_and_the_cross_validation(tmp_path) -> None:
    load_bundled_results()
    needs, qrels = judged_sample(tmp_path, 9)
    out = StringIO()
    call_command(
        "evaluate_matching", "--needs", str(needs), "--qrels", str(qrels),
        "--per-need", "--folds", "3", stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "N0001" in text and "lexical" in text
    assert "cross-validation, 3 folds" in text and "held-out nDCG@10: tuned" in text


def test_evaluate_matching_refuses_one_fold() -> None:
    with pytest.raises(CommandError):
        call_command(
            "evaluate_matching", "--needs", str(NEEDS), "--qrels", str(QRELS), "--folds", "1",
            stdout=StringIO(),
        )  # fmt: skip


@pytest.mark.semantic
@pytest.mark.database_independent  # the bundled listings and judgements, ranked
@pytest.mark.django_db
def test_the_hybrid_matcher_beats_its_lexical_self_on_dev_held_out(settings) -> None:
    # The acceptance rule, measured as evaluate_matching --folds does: on the dev
    # judgements, with the real embedder, the held-out nDCG@10 of the configured hybrid
    # matcher is above that of the same matcher without embeddings.
    import json

    from kernel.tabular import load_json
    from matching.matches.evaluation import evaluate_run
    from matching.matches.evaluation_runs import collect, configured_setting, grid
    from matching.search import get_search_backend

    load_bundled_results()
    qrels = load_json(QRELS)
    judged = [n for n in json.loads(NEEDS.read_text(encoding="utf-8")) if n["id"] in qrels]
    runs = collect(judged, get_search_backend(), depth=20)
    assert runs.semantic, "the embedder ran"
    lexical = evaluate_run(runs.lexical, qrels)
    result = cross_validate(runs.candidates, qrels, grid(), configured_setting(), folds=5)
    held_out_lexical = sum(
        lexical.per_need[n]["ndcg@10"] for fold in result.folds for n in fold.needs
    ) / sum(len(fold.needs) for fold in result.folds)
    assert result.reference_ndcg > held_out_lexical
    assert evaluate_run(runs.full, qrels).ndcg_at_10 > lexical.ndcg_at_10
