"""The search analyser: jieba's segmentation (rjieba, checked against Python jieba) with the
domain dictionary, search-mode sub-words, stop words, English words, synonyms and
highlighting."""

from __future__ import annotations

import logging
import random
import tempfile
import unicodedata
from pathlib import Path

import jieba
import pytest

from matching.search import analysis, segment
from matching.search.highlights import highlight
from matching.search.synonym_file import synonym_lines
from tests.bundled import raw_records


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("储能电池热管理", "储能"),
        ("储能电池热管理", "热管理"),
        ("光伏组件", "光伏"),
        ("氢能重卡", "氢能"),
        ("钢渣改性气淬处理技术", "钢渣"),
        ("钢渣改性气淬处理技术", "气淬"),
    ],
)
def test_two_character_terms_are_found_inside_longer_words(text: str, term: str) -> None:
    assert term in segment.index_terms(text)


@pytest.mark.parametrize("term", ["储能", "光伏", "氢能", "钢渣"])
def test_every_bundled_listing_containing_a_term_is_indexed_with_it(term: str) -> None:
    texts = [
        "\n".join([r["title"], *r["keywords"], r.get("summary") or r.get("description") or ""])
        for r in raw_records().values()
    ]
    containing = [text for text in texts if term in text]
    assert containing, f"the bundled data mentions {term}"
    assert all(term in segment.index_terms(text) for text in containing)


def test_long_words_keep_the_whole_word_and_all_dictionary_parts() -> None:
    terms = segment.index_terms("高效率氢燃料电池发动机系统")
    for expected in ["氢燃料电池", "燃料电池", "电池", "发动机", "高效率"]:
        assert expected in terms


def test_latin_words_are_lower_cased_and_plurals_folded() -> None:
    assert segment.index_terms("Li-ion Batteries for Energy Storage") == [
        "li",
        "ion",
        "battery",
        "energy",
        "storage",
    ]


def test_full_width_letters_and_digits_become_ascii() -> None:
    assert segment.index_terms("ＣＯ２捕集") == segment.index_terms("CO2捕集")
    assert "co2" in segment.index_terms("ＣＯ２捕集")


def test_punctuation_and_stop_words_are_dropped() -> None:
    terms = segment.index_terms("一种储能技术的方法，用于电网（调峰）。")
    assert "储能" in terms
    assert "电网" in terms
    for dropped in ["一种", "技术", "的", "用于", "，", "（", "。"]:
        assert dropped not in terms


def test_ji_shu_is_a_stop_word_because_most_listings_contain_it() -> None:
    """The measurement behind the stop-word decision, on the bundled data."""
    records = list(raw_records().values())
    with_jishu = [
        r for r in records if "技术" in r["title"] + (r.get("summary") or r.get("description"))
    ]
    assert len(with_jishu) / len(records) > 0.5
    assert "技术" in segment.STOP_WORDS


def test_query_words_are_precise_words_in_order_with_offsets() -> None:
    words = segment.query_words("储能电池 热管理")
    assert [w.term for w in words] == ["储能电池", "热管理"]
    assert [w.start for w in words] == [0, 5]


def test_bigrams_cover_only_chinese_runs() -> None:
    assert segment.bigrams("氢能ab重卡") == ["氢能", "重卡"]
    assert segment.bigrams("光伏组件") == ["光伏", "伏组", "组件"]


def _python_jieba() -> jieba.Tokenizer:
    """The reference: Python jieba 0.42.1 with the same words, added the same way."""
    jieba.setLogLevel(logging.WARNING)
    reference = jieba.Tokenizer()
    reference.tmp_dir = tempfile.gettempdir()
    for parts in segment._dictionary_lines(segment.DICTIONARY_PATH):
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        reference.add_word(parts[0], freq, parts[2] if len(parts) > 2 else None)
    for line in synonym_lines():
        for term in line.terms():
            if " " not in term and len(term) >= 2 and segment._CJK_RUN.fullmatch(term):
                reference.add_word(term)
    return reference


def _bundled_texts() -> list[str]:
    texts: list[str] = []
    for record in raw_records().values():
        body = record.get("summary") or record.get("description") or ""
        keywords = [str(k) for k in record.get("keywords") or []]
        texts += [str(record.get("title", "")), str(body), *keywords]
    return [unicodedata.normalize("NFKC", text) for text in texts if text]


def test_the_segmenter_cuts_every_bundled_text_exactly_as_python_jieba() -> None:
    """The Rust segmenter (rjieba) is used because its words and offsets are Python jieba's,
    with the same dictionaries: on every title, body and keyword of the bundled listings, on
    slices of them cut at arbitrary places, and for every dictionary lookup of a sub-word."""
    reference = _python_jieba()
    texts = _bundled_texts()
    assert len(texts) > 1000
    rng = random.Random(20261206)
    joined = "".join(texts)
    slices = []
    for _ in range(3000):
        start = rng.randrange(len(joined))
        slices.append(joined[start : start + rng.randint(1, 60)])
    for text in [*texts, *slices]:
        expected = list(reference.tokenize(text, mode="default", HMM=False))
        assert segment.tokenizer().tokenize(text, "default", False) == expected, text
    words = {w for text in texts for w, _, _ in reference.tokenize(text, HMM=False)}
    parts = {w[i : i + n] for w in words for n in range(2, len(w)) for i in range(len(w) - n + 1)}
    assert len(parts) > 1000
    assert {p for p in parts if reference.FREQ.get(p)} == {
        p for p in parts if segment.tokenizer().has_word(p)
    }


def test_the_segmenter_is_built_once_and_is_private() -> None:
    tk = segment.tokenizer()
    assert tk is segment.tokenizer()
    # Python jieba's global tokenizer does not learn our words.
    assert jieba.dt.FREQ.get("氢能重卡") is None
    assert not list(Path(segment.__file__).parent.glob("*.cache"))


def test_synonym_file_has_domain_entries_in_both_languages() -> None:
    lines = [
        line
        for line in analysis.SYNONYMS_PATH.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) >= 80
    assert all("," in line or "=>" in line for line in lines)
    table = analysis.synonyms()
    storage = {e.terms: e.equivalent for e in table.get(("储能",))}
    assert storage[("energy", "storage")] is True
    assert storage[("蓄能",)] is True
    assert ("储能",) in {e.terms for e in table.get(("energy", "storage"))}
    assert ("氢能",) in {e.terms for e in table.get(("hydrogen",))}


def test_one_way_synonyms_are_marked_not_equivalent() -> None:
    expansions = {e.terms: e.equivalent for e in analysis.synonyms().get(("热失控",))}
    assert expansions[("热管理",)] is False
    # …and do not flow back.
    assert ("热失控",) not in {e.terms for e in analysis.synonyms().get(("热管理",))}


def test_highlight_escapes_text_and_marks_terms() -> None:
    snippet = highlight("<b>储能</b> & 光伏", {"储能", "光伏"})
    assert snippet == "&lt;b&gt;<mark>储能</mark>&lt;/b&gt; &amp; <mark>光伏</mark>"


def test_highlight_marks_english_words_by_their_normalised_form() -> None:
    snippet = highlight("Aqueous zinc batteries", {"battery"})
    assert snippet == "Aqueous zinc <mark>batteries</mark>"


def test_highlight_snippets_are_short_windows_around_matches() -> None:
    text = "前" * 300 + "钢渣气淬" + "后" * 300
    snippet = highlight(text, {"钢渣"}, size=120)
    assert snippet is not None
    assert "<mark>钢渣</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    plain = snippet.replace("<mark>", "").replace("</mark>", "").strip("…")
    assert len(plain) == 120


def test_highlight_returns_none_without_matches() -> None:
    assert highlight("光伏组件", {"储能"}) is None
