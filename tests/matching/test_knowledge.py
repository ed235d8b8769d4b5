"""Problem-to-technology knowledge: the rule files' parser, growth from listings, the command,
and the rules in related terms and match reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from matching.knowledge import mining, rules
from matching.knowledge.rules import parse
from matching.scoring import NeedFeatures, ResultFeatures, related_fields
from matching.scoring.components import field_part, keywords_part
from matching.search import segment
from matching.search.analysis import related_terms

HEADER = "# version: 3, grown from sha256:0123456789abcdef on 2026-12-01"


def _grown(*lines: str, header: str = HEADER) -> str:
    return "\n".join((header, "# kind\tleft\tright\tcount\tevidence\tshared", *lines)) + "\n"


# --- the parser ------------------------------------------------------------------------------
def test_header_gives_version_digest_and_date() -> None:
    parsed = parse(_grown("problem\t钢渣+堆积\t钢渣气淬\t2\tN0001 R0001\t钢渣"))
    assert (parsed.version, parsed.digest, parsed.grown_on) == (
        3,
        "sha256:0123456789abcdef",
        "2026-12-01",
    )
    (rule,) = parsed.rules
    assert rule.problem == ("钢渣", "堆积")
    assert rule.label == "钢渣堆积"
    assert rule.evidence == ("N0001", "R0001")
    assert rule.shared == ("钢渣",)
    assert rule.version == 3 and not rule.curated
    assert parsed.problems == ()


def test_missing_header_is_reported_on_line_1() -> None:
    parsed = parse("problem\t钢渣+堆积\t钢渣气淬\t2\tN0001 R0001\t钢渣\n")
    assert [p.line for p in parsed.problems] == [1]
    assert parsed.version == 0
    assert len(parsed.rules) == 1


def test_bad_lines_are_reported_with_their_line_numbers_and_left_out() -> None:
    text = _grown(
        "problem\t钢渣+堆积\t钢渣气淬\t2\tN0001 R0001\t钢渣",  # line 3: good
        "problem\t钢渣堆积\t钢渣气淬\t2\tN0001\t钢渣",  # 4: no object+cue
        "magic\ta\tb\t2\tN0001\t",  # 5: unknown kind
        "ipc\tH01\tnew_energy\t2\tR0001\t",  # 6: not a subclass
        "field\tnew_energy\tchemicals\tmany\tR0001\t",  # 7: count not a number
        "field\tnew_energy\tchemicals",  # 8: too few columns
        "",  # 9: blank
        "problem\t钢渣+堆积\t钢渣气淬\t2\tN0001 R0001\t钢渣",  # 10: the same again
        "ipc\tH01M\tnew_energy\t2\tR0001 R0002\tH01M",  # 11: good
        "field\t新能源\tchemicals\t3\tR0001\t",  # 12: a label, not a code
    )
    parsed = parse(text)
    assert [p.line for p in parsed.problems] == [4, 5, 6, 7, 8, 10, 12]
    assert "field code" in parsed.problems[-1].message
    assert "object+cue" in parsed.problems[0].message
    assert str(parsed.problems[1]).startswith("line 5: unknown kind")
    assert [(r.kind, r.left) for r in parsed.rules] == [("problem", "钢渣+堆积"), ("ipc", "H01M")]


def test_curated_rules_need_a_source_and_win_over_grown_ones(tmp_path: Path) -> None:
    curated = tmp_path / "curated.tsv"
    curated.write_text(
        "# version: 2\n"
        "ipc\tH01M\tnew_energy\tWIPO IPC scheme\n"
        "ipc\tC04B\tconstruction\t\n",  # line 3: no source
        encoding="utf-8",
    )
    grown = tmp_path / "grown.tsv"
    grown.write_text(
        _grown(
            "ipc\tH01M\tchemicals\t2\tR0001 R0002\tH01M",
            "ipc\tG06F\telectronics\t2\tR0003 R0004\tG06F",
        ),
        encoding="utf-8",
    )
    parsed = rules.read(curated, curated=True)
    assert [p.line for p in parsed.problems] == [3]
    combined = rules.knowledge(grown, curated)
    assert [(r.left, r.right, r.curated) for r in combined.rules] == [
        ("H01M", "new_energy", True),
        ("G06F", "electronics", False),
    ]
    assert combined.rules[0].name("zh") == "人工规则 v2"


def test_the_committed_files_parse_cleanly() -> None:
    grown = rules.read(rules.GROWN_PATH)
    curated = rules.read(rules.CURATED_PATH, curated=True)
    assert grown.problems == () and curated.problems == ()
    assert grown.version >= 1 and grown.digest.startswith("sha256:")
    assert all(rule.count >= 1 and rule.evidence for rule in grown.rules)
    assert all(rule.source for rule in curated.rules)


# --- growth ----------------------------------------------------------------------------------
def _terms(text: str) -> list[str]:
    """A stand-in for the domain words: the few technical terms of the tiny corpus."""
    return [word for word in ("钢渣", "轴承", "尾矿") if word in text]


NEED = mining.Listing("N1", "need", "energy_saving", "钢渣处理", "厂区钢渣堆积如山，占地污染。")
SLAG = mining.Listing(
    "R1",
    "result",
    "energy_saving",
    "钢渣气淬技术",
    "高温钢渣气淬成粒，用于建材。",
    keywords=("钢渣气淬", "固废资源化", "钢渣"),
)
OTHER_FIELD = mining.Listing(
    "R2", "result", "metallurgy", "钢渣微粉", "钢渣磨成微粉。", keywords=("钢渣微粉",)
)
BEARING = mining.Listing(
    "R3", "result", "energy_saving", "轴承寿命", "轧机轴承。", keywords=("载荷均布",)
)


def test_a_problem_rule_is_grown_with_its_evidence() -> None:
    settings = mining.GrowthSettings(max_object_share=0.7)  # 钢渣 is in 2 of the 3 results
    grown = mining.grow([NEED, SLAG, OTHER_FIELD, BEARING], settings, _terms)
    found = {(r.left, r.right): r for r in grown if r.kind == "problem"}
    rule = found[("钢渣+堆积", "钢渣气淬")]
    assert rule.count == 2
    assert rule.evidence == ("N1", "R1")
    assert rule.shared == ("钢渣",)
    assert ("钢渣+堆积", "固废资源化") in found
    assert ("钢渣+占地", "钢渣气淬") in found
    # Not the object itself, not a result of another field, nothing about bearings.
    assert not {right for _, right in found} & {"钢渣", "钢渣微粉", "载荷均布"}


def test_a_rule_below_the_evidence_minimum_is_not_grown() -> None:
    assert mining.grow([NEED, SLAG], mining.GrowthSettings(), _terms)  # 2 listings: enough
    strict = mining.GrowthSettings(min_listings=3)
    assert not [r for r in mining.grow([NEED, SLAG], strict, _terms) if r.kind == "problem"]
    assert not mining.grow([NEED, BEARING], mining.GrowthSettings(), _terms)


def test_an_object_in_too_many_results_names_no_problem() -> None:
    crowd = [
        mining.Listing(f"R{i}", "result", "energy_saving", "钢渣", "钢渣", keywords=(f"技{i}",))
        for i in range(30)
    ]
    assert not mining.grow([NEED, *crowd], mining.GrowthSettings(), _terms, kinds=("problem",))


def test_ipc_and_field_rules_need_their_minimum() -> None:
    def result(i: int, field: str, ipc: str, keywords: tuple[str, ...]) -> mining.Listing:
        return mining.Listing(f"R{i}", "result", field, "t", "x", keywords=keywords, ipc=(ipc,))

    listings = [
        result(1, "electronics", "H04N 5/225", ("图像传感器", "视觉检测", "机器人")),
        result(2, "electronics", "H04N7/18", ("视频监控",)),
        result(3, "medical_devices", "A61B5/00", ("图像传感器", "视觉检测", "机器人")),
        result(4, "chemicals", "C07C1/00", ("图像传感器",)),
    ]
    grown = mining.grow(listings, mining.GrowthSettings(), _terms, kinds=("ipc", "field"))
    assert [(r.kind, r.left, r.right, r.count, r.evidence) for r in grown] == [
        ("ipc", "H04N", "electronics", 2, ("R1", "R2")),
        ("field", "electronics", "medical_devices", 3, ("R1", "R3")),
    ]
    known = [frozenset({"electronics", "medical_devices"})]
    assert not mining.field_rules(listings, mining.GrowthSettings(), known)


def test_rendered_file_parses_back() -> None:
    grown = mining.grow([NEED, SLAG], mining.GrowthSettings(), _terms)
    digest = mining.corpus_digest([SLAG, NEED])
    assert digest == mining.corpus_digest([NEED, SLAG])
    text = mining.render(grown, version=4, digest=digest, day="2026-12-01")
    parsed = parse(text)
    assert parsed.problems == ()
    assert (parsed.version, parsed.digest) == (4, digest)
    assert [r.line() for r in parsed.rules] == [r.line() for r in grown]


def test_domain_words_are_the_technical_terms() -> None:
    words = segment.domain_words("厂区钢渣堆积如山，轧机轴承买不到")
    assert "钢渣" in words and "轴承" in words
    assert "厂区" not in words


# --- the command -----------------------------------------------------------------------------
def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_command_versions_the_file(tmp_path: Path) -> None:
    results = [
        {
            "id": "R1",
            "field": "节能环保",
            "title": "钢渣气淬技术",
            "summary": "钢渣气淬成粒",
            "keywords": ["钢渣气淬", "固废资源化"],
        },
        {
            "id": "R2",
            "field": "节能环保",
            "title": "尾矿制砖",
            "summary": "尾矿",
            "keywords": ["尾矿砖"],
        },
    ]
    needs = [
        {
            "id": "N1",
            "field": "节能环保",
            "title": "钢渣处理",
            "description": "钢渣堆积如山，占地污染",
            "keywords": [],
        }
    ]
    res, nd = _write(tmp_path / "r.json", results), _write(tmp_path / "n.json", needs)
    out = tmp_path / "grown.tsv"
    args = ["--results", str(res), "--needs", str(nd), "--output", str(out), "--kinds", "problem"]
    call_command("grow_knowledge", *args)
    first = rules.read(out)
    assert first.version == 1 and first.problems == ()
    assert ("钢渣+堆积", "钢渣气淬") in {(r.left, r.right) for r in first.rules}
    call_command("grow_knowledge", *args)
    assert rules.read(out).version == 1  # same rules: the file is left as it is
    needs[0]["description"] = "钢渣堆积如山，尾矿堆积"
    _write(nd, needs)
    call_command("grow_knowledge", *args)
    assert rules.read(out).version == 2
    call_command("grow_knowledge", "--check", "--output", str(out))


@pytest.mark.django_db
def test_command_grows_from_published_listings(tmp_path: Path) -> None:
    from marketplace.choices import Field, ListingStatus
    from tests.factories import ResearchResultFactory, TechnologyNeedFactory

    slag = {"field": Field.ENERGY_SAVING, "title": "钢渣气淬技术", "summary": "钢渣气淬成粒"}
    ResearchResultFactory(**slag, keywords=["钢渣气淬"], source_id="R0001")
    ResearchResultFactory(title="储能", field=Field.ENERGY_SAVING)
    TechnologyNeedFactory(
        field=Field.ENERGY_SAVING, title="钢渣处理", description="钢渣堆积如山", keywords=[]
    )
    TechnologyNeedFactory(
        field=Field.ENERGY_SAVING,
        title="钢渣",
        description="钢渣占地",
        status=ListingStatus.DRAFT,
        published_at=None,
    )
    out = tmp_path / "grown.tsv"
    call_command("grow_knowledge", "--published", "--kinds", "problem", "--output", str(out))
    grown = rules.read(out)
    assert {(r.left, r.right) for r in grown.rules} == {("钢渣+堆积", "钢渣气淬")}
    (rule,) = grown.rules
    assert rule.evidence[-1] == "R0001" and rule.evidence[0].startswith("N#")


def test_command_refuses_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("grow_knowledge", "--results", str(bad), "--output", str(tmp_path / "o"))
    with pytest.raises(CommandError, match="Unknown kinds"):
        call_command("grow_knowledge", "--kinds", "magic", "--output", str(tmp_path / "o"))
    broken = tmp_path / "broken.tsv"
    broken.write_text("problem\tx\ty\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad lines"):
        call_command("grow_knowledge", "--check", "--output", str(broken))


# --- the rules at work -----------------------------------------------------------------------
@pytest.fixture
def knowledge_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    grown = tmp_path / "grown.tsv"
    grown.write_text(
        _grown(
            "problem\t钢渣+堆积\t钢渣综合利用\t2\tN0001 R0001\t钢渣",
            "ipc\tH04N\telectronics\t2\tR0002 R0003\tH04N",
            "field\tfood\tmedical_devices\t3\tN0001 R0004\t检测, 传感器, 包装",
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(rules, "GROWN_PATH", grown)
    monkeypatch.setattr(rules, "CURATED_PATH", tmp_path / "none.tsv")
    return grown


@pytest.mark.usefixtures("knowledge_files")
def test_related_terms_add_the_targets_of_problem_rules() -> None:
    assert "钢渣综合利用" in related_terms("厂区钢渣堆积如山，占地污染")
    assert "钢渣综合利用" not in related_terms("钢渣。堆积")  # not in one sentence
    assert "钢渣综合利用" not in related_terms("钢渣堆积，钢渣综合利用")  # already there


@pytest.mark.usefixtures("knowledge_files")
def test_the_reason_names_the_rule() -> None:
    text = "厂区钢渣堆积如山，占地污染"
    need = NeedFeatures(title="钢渣处理", text=text, related_terms=related_terms(text))
    result = ResultFeatures(title="钢渣综合利用成套技术", text="气淬后做建材")
    part = keywords_part(need, result)
    assert part.score > 0
    assert "需求的‘钢渣堆积’指向成果的‘钢渣综合利用’（知识规则 v3）" in part.zh
    assert "the need's '钢渣堆积' points to the result's '钢渣综合利用' (knowledge rule v3)" in (
        part.en
    )


@pytest.mark.usefixtures("knowledge_files")
def test_field_and_ipc_rules_relate_fields_with_a_reason() -> None:
    food = field_part(
        NeedFeatures(title="n", field="food"), ResultFeatures(title="r", field="medical_devices")
    )
    assert food.score == 0.4 and "知识规则 v3" in food.zh and "knowledge rule v3" in food.en
    ipc = field_part(
        NeedFeatures(title="n", field="electronics"),
        ResultFeatures(title="r", field="agriculture", ipc=("H04N 5/225",)),
    )
    assert ipc.score == 0.4 and "H04N" in ipc.zh and "knowledge rule v3" in ipc.en
    assert "medical_devices" in related_fields("food")  # their listings are pooled too
    none = field_part(
        NeedFeatures(title="n", field="food"), ResultFeatures(title="r", field="electronics")
    )
    assert none.score == 0.0


@pytest.mark.django_db
def test_a_saved_needs_related_terms_follow_its_edits_and_the_rules_in_force(
    knowledge_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching.listing_features import need_features
    from tests import factories

    monkeypatch.setattr(rules, "RECHECK_SECONDS", 0.0)  # see a rewritten file at once
    need = factories.TechnologyNeedFactory(
        title="厂区钢渣堆积如山", description="占地污染", keywords=[]
    )
    assert "钢渣综合利用" in need_features(need).related_terms
    # An edit (a new updated_at) is seen; the kept terms of the old text are not used.
    need.title, need.description = "厂区粉尘超标", "车间空气差"
    need.save()
    assert "钢渣综合利用" not in need_features(need).related_terms
    # A rule file rewritten (as grow_knowledge does) is seen without an edit of the need.
    need.title = "厂区钢渣堆积如山"
    need.save()
    assert "钢渣综合利用" in need_features(need).related_terms
    knowledge_files.write_text(
        _grown("problem\t钢渣+堆积\t钢渣气淬\t2\tN0001 R0001\t钢渣"), encoding="utf-8"
    )
    terms = need_features(need).related_terms
    assert "钢渣气淬" in terms and "钢渣综合利用" not in terms


@pytest.mark.usefixtures("knowledge_files")
def test_an_unsaved_needs_related_terms_are_computed_each_time() -> None:
    from marketplace.models import TechnologyNeed
    from matching.listing_features import need_features

    need = TechnologyNeed(title="厂区钢渣堆积如山", description="占地污染", keywords=[])
    assert "钢渣综合利用" in need_features(need).related_terms
    need.title = "厂区粉尘超标"
    assert "钢渣综合利用" not in need_features(need).related_terms


@pytest.mark.django_db
@pytest.mark.usefixtures("knowledge_files")
def test_a_saved_needs_related_terms_are_computed_once_while_nothing_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matching import listing_features
    from tests import factories

    need = factories.TechnologyNeedFactory(
        title="厂区钢渣堆积如山", description="占地污染", keywords=[]
    )
    calls: list[str] = []

    def counted(text: str, keywords: tuple[str, ...] = ()) -> tuple[str, ...]:
        calls.append(text)
        return related_terms(text, keywords)

    monkeypatch.setattr(listing_features, "related_terms", counted)
    first = listing_features.need_features(need).related_terms
    assert listing_features.need_features(need).related_terms == first
    assert len(calls) == 1
