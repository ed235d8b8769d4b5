"""The matcher on the real bundled data: retrieval + pure scoring, visibility, unsaved needs,
and the evaluate_matching command."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from marketplace.choices import Field, ListingStatus
from marketplace.models import ResearchResult, TechnologyNeed
from matching.matcher import (
    match_needs_unsaved,
    matches_for_need,
    matches_for_result,
    need_features,
    need_from_record,
    result_features,
)
from matching.scoring import COMPONENTS
from matching.search.analysis import related_terms
from tests import factories
from tests.bundled import NEEDS, QRELS, judged_sample, load_bundled_results, reindex

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundled():
    load_bundled_results()


def slag_need(**kw) -> TechnologyNeed:
    values = {
        "title": "钢渣堆积如山，占地污染",
        "description": (
            "钢铁企业每年产生大量钢渣，堆积如山，占用土地并污染环境，希望找到钢渣处理和利用的办法。"
        ),
        "keywords": ["钢渣", "固废"],
        "field": Field.ENERGY_SAVING,
        "province": "河北",
        "city": "唐山",
        "budget_min_cny": None,
        "budget_max_cny": None,
    }
    values.update(kw)
    return factories.TechnologyNeedFactory(**values)


def source_ids(matches) -> list[str]:
    return [m.listing.source_id for m in matches]


def test_steel_slag_need_finds_steel_slag_result_in_top_10(bundled):
    need = slag_need()
    matches = matches_for_need(need=need, limit=10)
    assert "R0012" in source_ids(matches)  # 钢渣改性气淬处理技术


def test_bearing_problem_finds_rolling_mill_bearing_result(bundled):
    need = slag_need(
        title="轧机轴承寿命短，进口轴承有钱也买不到",
        description="热连轧产线的轧机轴承频繁损坏，寿命短，进口轴承供货周期长，有钱也买不到。",
        keywords=["轴承", "轧机"],
        field=Field.METALLURGY,
    )
    assert "R0102" in source_ids(matches_for_need(need=need, limit=10))


def test_matches_are_ranked_and_every_component_is_explained(bundled):
    matches = matches_for_need(need=slag_need(), limit=20)
    assert 0 < len(matches) <= 20
    totals = [m.score for m in matches]
    assert totals == sorted(totals, reverse=True)
    for match in matches:
        assert 0.0 <= match.score <= 1.0
        assert [c.name for c in match.scored.components] == list(COMPONENTS)
        assert sum(c.weight for c in match.scored.components) == pytest.approx(1.0, abs=1e-3)
        assert all(c.reason_zh and c.reason_en for c in match.scored.components)
    assert matches[0].scored.component("keywords").score > 0


def test_candidates_are_only_searchable_results_of_other_organisations(bundled):
    need = slag_need()
    hidden = factories.ResearchResultFactory(
        title="钢渣气淬处理新工艺", summary="钢渣气淬处理", keywords=["钢渣", "气淬"],
        status=ListingStatus.DRAFT, published_at=None,
    )
    own = factories.ResearchResultFactory(
        title="钢渣气淬处理工艺包", summary="钢渣气淬处理", keywords=["钢渣", "气淬"],
        owner=need.owner,
    )
    reindex()
    ids = [m.listing.pk for m in matches_for_need(need=need, limit=50)]
    assert hidden.pk not in ids
    assert own.pk not in ids


def test_matches_for_result_finds_the_need_it_solves(bundled):
    need = slag_need()
    factories.TechnologyNeedFactory(
        title="乳制品冷链温度监测", description="需要冷链运输温度监测方案", keywords=["冷链"]
    )
    reindex()
    result = ResearchResult.objects.get(source_id="R0012")
    matches = matches_for_result(result=result, limit=5)
    assert matches and matches[0].listing.pk == need.pk
    assert matches[0].kind == "need"


def test_match_needs_unsaved_ranks_without_saving(bundled):
    records = json.loads(NEEDS.read_text(encoding="utf-8"))[:3]
    before = TechnologyNeed.objects.count()
    rankings = match_needs_unsaved(records, limit=20)
    assert TechnologyNeed.objects.count() == before
    assert [r.need_id for r in rankings] == [rec["id"] for rec in records]
    for ranking in rankings:
        assert len(ranking.full) <= 20 and len(ranking.baseline) <= 20
        assert all(ref.startswith("R") for ref in ranking.full)
        assert set(ranking.full) <= set(ResearchResult.objects.values_list("source_id", flat=True))


def test_need_from_record_maps_chinese_labels_to_codes():
    record = json.loads(NEEDS.read_text(encoding="utf-8"))[0]
    need = need_from_record(record)
    assert need.pk is None
    assert need.field == Field.BIOMEDICINE
    assert need.cooperation_modes == ["joint_development"]
    assert str(need.budget_max_cny) == "4500000.00"


def test_need_from_record_reads_budgets_as_the_importer_does():
    record = {
        "id": "N9001",
        "title": "废水处理",
        "enterprise": "某某环保科技有限公司",
        "budget_cny": {"min": "50万", "max": "1.2亿"},
        "trl": "6",
    }
    need = need_from_record(record)
    assert need.budget_min_cny == Decimal("500000.00")
    assert need.budget_max_cny == Decimal("120000000.00")
    assert need.trl == 6


def test_need_from_record_drops_values_that_break_the_import_rules():
    record = {"id": "N9002", "title": "废水处理", "field": "不存在的领域",
              "budget_cny": {"max": "很多"}}
    need = need_from_record(record)
    assert need.field == ""
    assert need.budget_max_cny is None
    assert need.title == "废水处理"


def test_related_terms_come_from_the_domain_vocabulary():
    terms = related_terms("钢渣堆积如山", ["钢渣"])
    assert "steel slag" in terms or "钢渣处理" in terms
    assert "钢渣" not in terms


def test_evaluate_matching_json_output_shape(bundled):
    out = StringIO()
    call_command("evaluate_matching", "--needs", str(NEEDS), "--qrels", str(QRELS), "--json",
                 stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"full", "lexical", "baseline"}
    for side in data.values():
        assert set(side) == {"ndcg@10", "recall@20", "mrr"}
        assert all(0.0 <= value <= 1.0 for value in side.values())
    assert data["full"]["ndcg@10"] >= data["baseline"]["ndcg@10"]


def test_evaluate_matching_prints_a_table(bundled, tmp_path):
    needs, qrels = judged_sample(tmp_path, 6)
    out = StringIO()
    call_command("evaluate_matching", "--needs", str(needs), "--qrels", str(qrels), stdout=out)
    text = out.getvalue()
    assert "nDCG@10" in text and "Recall@20" in text and "MRR" in text and "baseline" in text


def test_evaluate_matching_rejects_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("evaluate_matching", "--needs", str(tmp_path / "none.json"),
                     "--qrels", str(QRELS))


@pytest.mark.database_independent  # the command runs on a SQLite file of its own
def test_evaluate_matching_on_an_unmigrated_database_says_to_migrate(tmp_path):
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("KEQIAO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "marketplace.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "KEQIAO_VAR_DIR": str(tmp_path),
        "ELASTICSEARCH_URL": "",
    }
    finished = subprocess.run(
        [sys.executable, "manage.py", "evaluate_matching", "--needs", str(NEEDS),
         "--qrels", str(QRELS)],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert finished.returncode == 1
    assert "run `manage.py migrate`" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_same_field_results_without_shared_words_still_reach_the_scorer(bundled):
    need = slag_need()
    unrelated_words = factories.ResearchResultFactory(
        title="甲乙丙丁工艺", summary="戊己庚辛壬癸", keywords=["子丑"],
        field=Field.ENERGY_SAVING,
    )
    reindex()
    matches = matches_for_need(need=need, limit=500)
    found = [m for m in matches if m.listing.pk == unrelated_words.pk]
    assert found and found[0].text_score == 0.0
    assert found[0].scored.component("field").score == 1.0


@pytest.mark.django_db
def test_freshness_dates_platform_listings_by_publication_and_imported_ones_by_source():
    native = factories.ResearchResultFactory(source_url="", source_date="")
    imported_undated = factories.ResearchResultFactory(
        source_id="R9999", source_url="https://example.com/news/1", source_date=""
    )
    dated = factories.ResearchResultFactory(source_date="2022-04")
    assert result_features(native).date is not None
    assert result_features(imported_undated).date is None
    assert str(result_features(dated).date).startswith("2022-04")
    need = factories.TechnologyNeedFactory(source_url="")
    assert need_features(need).date is not None


def _related_terms_term_by_term(text: str, keywords: list[str]) -> tuple[str, ...]:
    """The reference: the vocabulary's rules opened by searching for each term separately."""
    import re

    from matching.search.analysis import _vocabulary
    from matching.search.synonym_file import SYNONYMS_PATH, synonym_lines

    haystack = f"{text} {' '.join(keywords)}".lower()
    rules = _vocabulary(synonym_lines(SYNONYMS_PATH))
    terms = {t for left, right in rules for t in left | right if len(t) >= 2}

    def occurs(term: str) -> bool:
        if not term.isascii():
            return term in haystack
        return re.search(rf"(?<![a-z0-9]){re.escape(term)}(?![a-z0-9])", haystack) is not None

    present = {t for t in terms if occurs(t)}
    found: dict[str, None] = {}
    for index in sorted(i for i, (left, _) in enumerate(rules) if left & present):
        for term in sorted(rules[index][1]):
            if term not in present:
                found[term] = None
    return tuple(found)


def test_related_terms_match_a_term_by_term_search_on_every_bundled_listing():
    records = [
        *json.loads((NEEDS.parent / "results.json").read_text(encoding="utf-8")),
        *json.loads(NEEDS.read_text(encoding="utf-8")),
    ]
    assert len(records) > 200
    with_related = 0
    for record in records:
        body = record.get("summary") or record.get("description", "")
        text = f"{record.get('title', '')}\n{body}"
        keywords = [str(k) for k in record.get("keywords") or []]
        found = related_terms(text, keywords)
        assert found == _related_terms_term_by_term(text, keywords), record["id"]
        with_related += bool(found)
    # Not vacuous: many listings open rules of the vocabulary.
    assert with_related > 20


def test_the_matcher_never_segments_a_candidate_again(bundled, monkeypatch):
    """Candidates' terms are read back from the index: the only texts segmented while
    matching are the need's own."""
    from matching.search import segment

    segmented: list[str] = []
    original = segment.index_terms

    def counting(text: str) -> list[str]:
        segmented.append(text)
        return original(text)

    need = slag_need()
    monkeypatch.setattr(segment, "index_terms", counting)
    matches = matches_for_need(need=need, limit=50)
    assert len(matches) >= 20
    candidate_texts = {m.listing.summary for m in matches} | {m.listing.title for m in matches}
    assert segmented, "the need itself is analysed"
    assert not candidate_texts & set(segmented)
    assert len(segmented) <= 5
