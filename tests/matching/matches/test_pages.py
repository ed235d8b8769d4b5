"""The matches pages group matches by strength: strong, then possible, each in the matcher's
order, with a badge in the page's language; weak matches only behind a closed <details>
divider; "No strong matches yet" when only weak ones exist. Checked on the bundled data and on
the demo need's page (its structure, not which listings are strong)."""

from __future__ import annotations

import re
from dataclasses import replace
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from marketplace.models import TechnologyNeed
from matching import matcher
from matching.matches import views
from tests import factories
from tests.bundled import load_bundled_results

pytestmark = pytest.mark.django_db

DIVIDER = '<details class="weaker-matches">'
BADGE = re.compile(r'<span class="strength strength-(strong|possible|weak)" title="[^"]+">')
ALL_STRONG = {"strong": 0.0, "possible": 0.0}
ALL_WEAK = {"strong": 1.0, "possible": 1.0}


@pytest.fixture
def bundled():
    load_bundled_results()


@pytest.fixture
def battery_need(bundled):
    return factories.TechnologyNeedFactory(
        title="储能电池安全监测", keywords=["储能", "电池", "热失控"]
    )


@pytest.fixture
def mixed_strengths(monkeypatch):
    """The matcher's first 12 matches get strengths weak, strong, possible, weak, strong,
    possible, … in its order, the others weak, so that every group is present and interleaved
    on the first page (20 matches: 4 strong, 4 possible, 12 weak)."""
    pattern = ("weak", "strong", "possible")

    def mixed(**kwargs):
        ranked = matcher.matches_for_need(**kwargs)
        return [
            replace(m, strength=pattern[i % 3] if i < 12 else "weak")
            for i, m in enumerate(ranked)
        ]

    monkeypatch.setattr(views, "matches_for_need", mixed)


def page(need, language="en"):
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("need-matches", kwargs={"pk": need.pk}))
    assert response.status_code == 200
    return response, response.content.decode()


def link(row):
    return reverse("result-detail", kwargs={"pk": row["listing"].pk})


def assert_weak_only_behind_the_divider(response, html):
    shown, weak = response.context["shown_rows"], response.context["weak_rows"]
    ranks = [s for s in ("strong", "possible") for row in shown if row["strength"] == s]
    assert [row["strength"] for row in shown] == ranks, "strong before possible"
    assert all(row["strength"] == "weak" for row in weak)
    if not weak:
        assert DIVIDER not in html
        return
    before, _, after = html.partition(DIVIDER)
    assert '<details class="weaker-matches" open' not in html, "closed by default"
    assert after.lstrip().startswith("<summary>"), "the divider opens with its summary"
    for row in shown:
        assert f'href="{link(row)}"' in before
    for row in weak:
        assert f'href="{link(row)}"' not in before and f'href="{link(row)}"' in after
    assert len(BADGE.findall(html)) == len(shown) + len(weak), "one badge per match"


def test_strong_then_possible_in_the_matchers_order_and_weak_behind_the_divider(
    battery_need, mixed_strengths
):
    response, html = page(battery_need)
    rows = response.context["rows"]
    assert len(rows) >= 6
    ranked = views.matches_for_need(need=battery_need, limit=matcher.candidate_limit())
    in_page_order = [m for s in ("strong", "possible", "weak") for m in ranked if m.strength == s]
    assert [r["listing"].pk for r in rows] == [m.listing.pk for m in in_page_order[: len(rows)]]
    by_strength = {s: [r for r in rows if r["strength"] == s] for s in ("strong", "possible")}
    shown = response.context["shown_rows"]
    assert shown == by_strength["strong"] + by_strength["possible"]
    assert response.context["weak_rows"] == [r for r in rows if r["strength"] == "weak"]
    assert [r["position"] for r in shown + response.context["weak_rows"]] == list(
        range(1, len(rows) + 1)
    )
    assert_weak_only_behind_the_divider(response, html)
    weak = len(response.context["weak_rows"])
    assert f"Show {weak} weaker matches</summary>" in html
    assert "No strong matches yet." not in html


def test_badges_and_divider_in_english(battery_need, mixed_strengths):
    _, html = page(battery_need)
    for label, explanation in (
        ("Strong match", "The evidence for this match is strong: a recommendation."),
        ("Possible match", "There is some evidence for this match: worth a look."),
        ("Weak match", "There is little evidence for this match: not a recommendation."),
    ):
        assert f'title="{explanation}">{label}<span class="visually-hidden">' in html


def test_badges_and_divider_in_chinese(battery_need, mixed_strengths):
    response, html = page(battery_need, "zh-hans")
    for label, explanation in (
        ("强匹配", "该匹配依据充分，推荐优先查看。"),
        ("可能匹配", "该匹配有一定依据，值得一看。"),
        ("弱匹配", "该匹配依据不足，不作推荐。"),
    ):
        assert f'title="{explanation}">{label}<span class="visually-hidden">：' in html
    weak = len(response.context["weak_rows"])
    assert f"显示 {weak} 条较弱匹配</summary>" in html


@pytest.mark.parametrize(
    ("language", "text"), [("en", "No strong matches yet."), ("zh-hans", "暂无较强匹配。")]
)
def test_only_weak_matches_say_so_above_the_divider(battery_need, settings, language, text):
    settings.MATCHING_STRENGTH = ALL_WEAK
    response, html = page(battery_need, language)
    assert not response.context["shown_rows"] and response.context["weak_rows"]
    assert html.index(text) < html.index(DIVIDER)
    assert_weak_only_behind_the_divider(response, html)


def test_all_strong_matches_need_no_divider(battery_need, settings):
    settings.MATCHING_STRENGTH = ALL_STRONG
    response, html = page(battery_need)
    assert response.context["shown_rows"] and not response.context["weak_rows"]
    assert DIVIDER not in html and "No strong matches yet." not in html


def test_no_matches_at_all_say_so_without_a_divider():
    need = factories.TechnologyNeedFactory(title="无候选", keywords=["无候选"])
    response, html = page(need)
    assert response.context["rows"] == []
    assert "No matches found yet." in html
    assert DIVIDER not in html and "No strong matches yet." not in html


def test_a_result_page_groups_its_needs_the_same_way(result, need, settings):
    from tests.bundled import reindex

    reindex()
    settings.MATCHING_STRENGTH = ALL_WEAK
    response = Client().get(reverse("result-matches", kwargs={"pk": result.pk}))
    html = response.content.decode()
    assert response.context["weak_rows"] and not response.context["shown_rows"]
    before, _, after = html.partition(DIVIDER)
    assert reverse("need-detail", kwargs={"pk": need.pk}) in after
    assert "No strong matches yet." in before


@pytest.mark.parametrize(
    "matching", ["lexical", pytest.param("semantic", marks=pytest.mark.semantic)]
)
def test_the_demo_need_lists_strong_matches_first_and_weak_ones_behind_the_divider(
    settings, matching
):
    # Lexical: as every test matches; semantic: with the embedder, as the demo runs.
    settings.DEBUG = True  # load_demo refuses demo users with DEBUG off and no password
    call_command("load_demo", stdout=StringIO())
    need = TechnologyNeed.objects.get(source_id="DEMO-N1")
    response, html = page(need)
    assert response.context["rows"]
    assert response.context["weak_rows"], "the demo need has weak matches to fold away"
    assert response.context["shown_rows"][0]["strength"] == "strong", "a strong match first"
    assert DIVIDER in html
    assert_weak_only_behind_the_divider(response, html)


def test_the_matches_page_reads_its_owners_in_one_query_and_names_each(battery_need):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from marketplace.models import ResearchResult

    with CaptureQueriesContext(connection) as queries:
        response = Client().get(reverse("need-matches", kwargs={"pk": battery_need.pk}))
    owners = [q for q in queries.captured_queries if 'FROM "marketplace_organization"' in q["sql"]]
    assert len(owners) == 1
    html = response.content.decode()
    ids = [row["listing"].pk for row in response.context["rows"]]
    shown = ResearchResult.objects.filter(pk__in=ids)
    assert shown and all(r.owner.legal_name in html for r in shown.select_related("owner"))


def test_matches_are_paged_twenty_at_a_time_in_the_pages_order(battery_need, mixed_strengths):
    client = Client()
    url = reverse("need-matches", kwargs={"pk": battery_need.pk})
    ranked = views.matches_for_need(need=battery_need, limit=matcher.candidate_limit())
    in_page_order = [m for s in ("strong", "possible", "weak") for m in ranked if m.strength == s]
    first = client.get(url)
    total = first.context["page_obj"].paginator.count
    assert total == len(ranked) > 2 * views.MATCHES_PER_PAGE, "the battery need matches many"
    html = first.content.decode()
    assert f"Matches 1–20 of {total}" in html
    assert 'href="?page=2"' in html and "Previous" not in html
    second = client.get(url, {"page": 2})
    rows = second.context["rows"]
    assert [row["listing"].pk for row in rows] == [m.listing.pk for m in in_page_order[20:40]]
    assert [row["position"] for row in rows] == list(range(21, 41))
    page_two = second.content.decode()
    assert 'href="?page=1"' in page_two and 'href="?page=3"' in page_two
    # Past the strong and possible matches the divider is open: the reader asked for more.
    assert not second.context["shown_rows"] and '<details class="weaker-matches" open>' in page_two
    assert "No strong matches yet." not in page_two
    last = first.context["page_obj"].paginator.num_pages
    assert "Next" not in client.get(url, {"page": last}).content.decode()
    # A bad page number, or one below 1, shows the first page, one past the end the last.
    for below in ("abc", "0", "-1"):
        assert client.get(url, {"page": below}).context["page_obj"].number == 1
    assert client.get(url, {"page": 999}).context["page_obj"].number == last
    # A parameter the page does not read is not copied into its pager's links.
    padded = client.get(url, {"page": 2, "junk": "填" * 2000}).content.decode()
    pager = re.findall(r'href="(\?[^"]*page=[^"]*)"', padded)
    assert pager == ["?page=1", "?page=3"]


def test_only_the_matches_of_the_page_are_explained(battery_need, monkeypatch):
    explained = []
    original = matcher.ScoredMatch.reason

    def counted(self, language):
        explained.append(self)
        return original(self, language)

    monkeypatch.setattr(matcher.ScoredMatch, "reason", counted)
    response, _html = page(battery_need)
    assert response.context["page_obj"].paginator.count > views.MATCHES_PER_PAGE
    assert len(explained) == len(response.context["rows"]) == views.MATCHES_PER_PAGE


def test_with_only_weak_matches_every_page_says_none_is_strong(battery_need, settings):
    settings.MATCHING_STRENGTH = ALL_WEAK
    client = Client()
    url = reverse("need-matches", kwargs={"pk": battery_need.pk})
    assert "No strong matches yet." in client.get(url).content.decode()
    assert "No strong matches yet." in client.get(url, {"page": 2}).content.decode()


def test_a_single_page_of_matches_has_no_pager(battery_need, settings):
    settings.MATCHING_CANDIDATES = 5
    settings.MATCHING_SCORED = 5
    _, html = page(battery_need)
    assert 'class="pagination"' not in html and "Matches 1–" not in html
