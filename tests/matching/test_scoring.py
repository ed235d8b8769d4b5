"""The pure match scorer: each component's rule and reason, weights, totals, neutral unknowns."""

from __future__ import annotations

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from matching import scoring
from matching.scoring import (
    COMPONENTS,
    NeedFeatures,
    ResultFeatures,
    normalise_text_scores,
    normalise_weights,
    parse_source_date,
    related_fields,
    score_match,
)

TODAY = date(2025, 6, 1)
EQUAL = {name: 1.0 for name in COMPONENTS}


def need(**kw) -> NeedFeatures:
    base = {
        "title": "储能电站电池安全",
        "text": "需要提升储能电站电池的安全性",
        "keywords": ("储能", "电池"),
    }
    base.update(kw)
    return NeedFeatures(**base)


def result(**kw) -> ResultFeatures:
    base = {
        "title": "锂电池热管理",
        "text": "一种储能电池热管理系统",
        "keywords": ("储能", "电池", "热管理"),
    }
    base.update(kw)
    return ResultFeatures(**base)


def comp(n: NeedFeatures, r: ResultFeatures, name: str, text: float = 0.5):
    return score_match(n, r, text, EQUAL, TODAY).component(name)


def test_scoring_module_imports_nothing_from_django():
    trees = [
        ast.parse(path.read_text(encoding="utf-8"))
        for path in Path(scoring.__file__).parent.glob("*.py")
    ]
    modules = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [m for m in modules if m and (m.startswith("django") or m.startswith("marketplace"))]


def test_weights_are_normalised_to_sum_one_and_missing_names_weigh_zero():
    weights = normalise_weights({"text": 3, "field": 1, "unknown": 5})
    assert sum(weights.values()) == pytest.approx(1.0)
    assert weights["text"] == pytest.approx(0.75)
    assert weights["region"] == 0.0


@pytest.mark.parametrize("bad", [{"text": -1, "field": 2}, {"text": 0}])
def test_negative_or_all_zero_weights_are_rejected(bad):
    with pytest.raises(ValueError):
        normalise_weights(bad)


def test_total_is_weighted_mean_in_zero_one_and_components_carry_weights():
    scored = score_match(need(), result(), 0.8, {"text": 2, "keywords": 2}, TODAY)
    assert 0.0 <= scored.total <= 1.0
    assert sum(c.weight for c in scored.components) == pytest.approx(1.0)
    expected = 0.5 * 0.8 + 0.5 * scored.component("keywords").score
    assert scored.total == pytest.approx(expected, abs=1e-3)
    assert [c.name for c in scored.components] == list(COMPONENTS)


def test_total_stays_in_range_for_out_of_range_text_relevance():
    assert score_match(need(), result(), 7.0, EQUAL, TODAY).total <= 1.0
    assert score_match(need(), result(), -3.0, EQUAL, TODAY).total >= 0.0


def test_text_relevance_max_normalisation_gives_best_candidate_one():
    assert normalise_text_scores([2.0, 1.0, 0.0]) == [1.0, 0.5, 0.0]
    assert normalise_text_scores([]) == []
    sat = normalise_text_scores([3.0, 1.0, 1.0], mode="saturate")
    assert sat[0] == pytest.approx(0.75) and sat[1] == pytest.approx(0.5)


def test_shared_keywords_are_named_in_both_languages():
    c = comp(need(), result(), "keywords")
    assert c.score == 1.0
    assert c.reason_zh == "关键词重合：储能、电池"
    assert c.reason_en == "shared keywords: 储能, 电池"


def test_keyword_contained_in_other_sides_text_counts_fuzzily():
    n = need(keywords=("热管理系统",))
    r = result(keywords=("散热",), text="本成果提供热管理系统方案")
    c = comp(n, r, "keywords")
    assert 0 < c.score < 1
    assert "热管理系统" in c.reason_zh


def test_keywords_sharing_most_bigrams_count_as_similar_not_shared():
    n = need(keywords=("沥青混凝土",), text="道路材料")
    r = result(keywords=("加气混凝土",), text="加气混凝土砌块", title="砌块")
    c = comp(n, r, "keywords")
    assert 0 < c.score < 0.5
    assert c.reason_en == "similar keywords: 沥青混凝土"
    assert c.reason_zh == "相近关键词：沥青混凝土"


def test_related_fields_are_symmetric():
    assert "chemicals" in related_fields("new_materials")
    assert "new_materials" in related_fields("chemicals")
    assert "new_materials" not in related_fields("new_materials")


def test_related_vocabulary_terms_count_and_are_explained():
    n = need(keywords=("钢渣",), text="钢渣堆积如山，占地污染", related_terms=("气淬",))
    r = result(keywords=("余热发电",), text="钢渣改性气淬处理技术", title="气淬")
    c = comp(n, r, "keywords")
    assert c.score > 0
    assert "气淬" in c.reason_zh and "related technology terms" in c.reason_en


def test_no_shared_keywords_scores_zero():
    n = need(keywords=("轴承",), text="轴承")
    c = comp(n, result(keywords=("疫苗",), text="疫苗"), "keywords")
    assert c.score == 0.0
    assert c.reason_en == "no shared keywords"


def test_ipc_same_group_beats_same_subclass_and_unknown_is_neutral():
    same_group = comp(need(ipc=("H01M 10/052",)), result(ipc=("H01M10/60",)), "ipc")
    same_sub = comp(need(ipc=("H01M 4/00",)), result(ipc=("H01M10/60",)), "ipc")
    different = comp(need(ipc=("A61K 36/00",)), result(ipc=("H01M10/60",)), "ipc")
    unknown = comp(need(), result(ipc=("H01M10/60",)), "ipc")
    assert same_group.score == 1.0 and same_sub.score == 0.8 and different.score == 0.0
    assert unknown.score == 0.5 and not unknown.known
    assert same_group.reason_en == "same IPC group: H01M10"


def test_field_same_related_different_and_unknown():
    assert comp(need(field="new_energy"), result(field="new_energy"), "field").reason_en == (
        "both in new energy"
    )
    related = comp(need(field="new_materials"), result(field="chemicals"), "field")
    assert related.score == 0.4
    assert comp(need(field="food"), result(field="metallurgy"), "field").score == 0.0
    assert comp(need(field=""), result(field="food"), "field").score == 0.5


def test_maturity_meets_minimum_and_reason_states_both_levels():
    c = comp(need(trl=4), result(trl=6), "maturity")
    assert c.score == 1.0
    assert c.reason_zh == "技术就绪度 6，需求要求至少 4"
    assert c.reason_en == "TRL 6, need asks for at least 4"


def test_maturity_below_minimum_costs_a_quarter_per_level():
    assert comp(need(trl=7), result(trl=5), "maturity").score == 0.5


def test_maturity_unknown_is_neutral_and_stage_estimates_result_trl():
    assert comp(need(), result(trl=6), "maturity").score == 0.5
    assert comp(need(trl=4), result(), "maturity").score == 0.5
    estimated = comp(need(trl=5), result(stage="industrial"), "maturity")
    assert estimated.score == 1.0 and "about 8" in estimated.reason_en


def test_price_within_budget_over_budget_and_unknown():
    n = need(budget_min_cny=Decimal("100000"), budget_max_cny=Decimal("500000"))
    within = comp(n, result(asking_price_cny=Decimal("300000")), "price")
    assert within.score == 1.0
    assert within.reason_zh == "报价 30万元 在预算范围内"
    assert within.reason_en == "asking price CNY 300,000 within budget"
    over = comp(n, result(asking_price_cny=Decimal("750000")), "price")
    assert over.score == pytest.approx(0.5)
    assert comp(n, result(), "price").score == 0.5
    assert comp(need(), result(asking_price_cny=Decimal("1")), "price").score == 0.5


def test_modes_shared_compatible_different_and_unknown():
    shared = comp(need(modes=("joint_development",)), result(modes=("joint_development",)), "modes")
    assert shared.score == 1.0 and shared.reason_zh == "双方均接受合作开发"
    compatible = comp(
        need(modes=("joint_development",)), result(modes=("commissioned_development",)), "modes"
    )
    assert compatible.score == 0.7
    different = comp(need(modes=("joint_development",)), result(modes=("assignment",)), "modes")
    assert different.score == 0.1
    assert comp(need(modes=("licence",)), result(), "modes").score == 0.5


@pytest.mark.parametrize(
    ("n_place", "r_place", "score", "reason_en"),
    [
        (("河北", "衡水"), ("河北", "衡水"), 1.0, "both in Hengshui"),
        (("河北省", "沧州"), ("河北", "保定"), 0.75, "both in Hebei"),
        (("北京", ""), ("北京市", "北京"), 1.0, "both in Beijing"),
        (("河北", "衡水"), ("天津", "天津"), 0.5, "both in Beijing–Tianjin–Hebei (Hebei, Tianjin)"),
        (("山东", ""), ("天津", ""), 0.2, "different regions: Shandong and Tianjin"),
    ],
)
def test_region_rule(n_place, r_place, score, reason_en):
    c = comp(
        need(province=n_place[0], city=n_place[1]),
        result(province=r_place[0], city=r_place[1]),
        "region",
    )
    assert c.score == score
    assert c.reason_en == reason_en


def test_region_same_province_reason_in_chinese():
    c = comp(need(province="河北", city="沧州"), result(province="河北", city="保定"), "region")
    assert c.reason_zh == "同在河北省"


def test_region_unknown_is_neutral():
    assert comp(need(), result(province="天津"), "region").score == 0.5


def test_freshness_decays_over_three_years_with_floor_and_unknown_neutral():
    new = comp(need(), result(date=date(2025, 5, 1)), "freshness").score
    mid = comp(need(), result(date=date(2023, 12, 1)), "freshness").score
    old = comp(need(), result(date=date(2010, 1, 1)), "freshness").score
    assert new > mid > old
    assert new > 0.95 and old == pytest.approx(0.1)
    assert comp(need(), result(), "freshness").score == 0.5


def test_freshness_uses_the_candidate_side():
    n = need(date=date(2010, 1, 1))
    r = result(date=date(2025, 5, 1))
    as_result = score_match(n, r, 0.5, EQUAL, TODAY, candidate="result").component("freshness")
    as_need = score_match(n, r, 0.5, EQUAL, TODAY, candidate="need").component("freshness")
    assert as_result.score > as_need.score


def test_all_unknown_components_are_neutral_and_marked_unknown():
    bare_need = NeedFeatures(title="x")
    bare_result = ResultFeatures(title="y")
    scored = score_match(bare_need, bare_result, 0.0, EQUAL, TODAY)
    for name in COMPONENTS[1:]:
        if name == "semantic":
            continue  # its own rule, below
        c = scored.component(name)
        assert c.score == 0.5 and not c.known, name


def test_a_candidate_without_a_vector_gets_no_semantic_credit():
    scored = score_match(NeedFeatures(title="x"), ResultFeatures(title="y"), 0.0, EQUAL, TODAY)
    semantic = scored.component("semantic")
    assert semantic.score == 0.0 and not semantic.known


def test_summary_names_strongest_known_components():
    n = need(field="new_energy", province="河北", city="衡水")
    r = result(field="new_energy", province="河北", city="衡水")
    scored = score_match(n, r, 0.9, EQUAL, TODAY)
    assert "shared keywords: 储能, 电池" in scored.reason_en
    assert "neutral" not in scored.reason_en
    assert scored.reason("zh-hans") == scored.reason_zh


def test_parse_source_date_forms():
    assert parse_source_date("2023-07") == date(2023, 7, 1)
    assert parse_source_date("2023-07-15") == date(2023, 7, 15)
    assert parse_source_date("") is None and parse_source_date("July") is None


def test_freshness_reason_uses_singular_for_one_year():
    one_year_old = date(TODAY.year - 1, TODAY.month - 1, 1)
    c = comp(need(), result(date=one_year_old), "freshness")
    assert c.reason_en.endswith("about 1 year old")


def test_scoring_labels_repeat_the_choices_exactly():
    """Scoring copies the field and mode names so that it needs no Django; the copies must
    stay equal to marketplace.choices."""
    from django.utils import translation

    from marketplace.choices import Field, TransferMode
    from matching.scoring import FIELD_LABELS, MODE_LABELS

    for choices, labels in ((Field, FIELD_LABELS), (TransferMode, MODE_LABELS)):
        assert set(labels) == set(choices.values)
        for value, label in choices.choices:
            with translation.override("zh-hans"):
                assert labels[value][0] == str(label), value


def test_summary_never_explains_a_match_by_maturity_or_region_alone():
    n = need(keywords=("钢渣",), province="河北", city="衡水", trl=4)
    r = result(keywords=("光伏",), province="河北", city="衡水", trl=6)
    scored = score_match(n, r, 0.2, EQUAL, TODAY)
    # Region and maturity fit well; the text hardly does, and the summary says so first.
    assert scored.component("region").score >= 0.5 and scored.component("text").score < 0.5
    assert scored.reason_en.startswith("descriptions weakly related (0.20)")
    assert scored.reason_zh.startswith("描述文本相关度低（0.20）")


def test_a_score_explains_itself_only_when_asked_and_then_as_always():
    scored = score_match(need(), result(), 0.8, EQUAL, TODAY)
    # A list scores every candidate and explains only the page it shows.
    assert "components" not in vars(scored) and "_summary" not in vars(scored)
    assert scored.reason_zh and scored.reason_en and scored.reason("zh-hans") == scored.reason_zh
    assert [c.name for c in scored.components] == list(COMPONENTS)
    assert scored.component("text").score == 0.8 and scored.component("text").reason_zh
