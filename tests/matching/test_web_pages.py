"""Matching web pages: the home search with highlights and facets on the bundled
real data, explained matches, the match-request flow through the pages (enterprise asks →
researcher accepts → contacts visible → messages), decline and withdraw, the dashboard."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from marketplace.models import Notification
from matching.models import DeclineReason, MatchRequest, MatchRequestStatus
from matching.search.forms import FILTER_FIELDS, SearchForm
from tests import factories
from tests.bundled import load_bundled_results, reindex
from tests.factories import login

pytestmark = pytest.mark.django_db


# --- home: search ----------------------------------------------------------------------------


@pytest.fixture
def bundled(db):
    load_bundled_results()


def test_home_search_shows_highlighted_hits_for_储能_in_the_bundled_data(bundled):
    response = Client().get(reverse("home"), {"q": "储能"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["total"] > 0
    assert "<mark>储能</mark>" in html
    # Hits link to their detail pages and the sidebar has facet counts.
    first = response.context["rows"][0]["listing"]
    assert reverse("result-detail", kwargs={"pk": first.pk}) in html
    sections = {s["name"]: s for s in response.context["facet_sections"]}
    assert "field" in sections
    assert all(item["count"] > 0 for item in sections["field"]["items"])


def test_facet_link_filters_the_results(bundled):
    client = Client()
    response = client.get(reverse("home"), {"q": "储能"})
    field = response.context["facet_sections"][0]["items"][0]
    assert field["url"].startswith("?")
    filtered = client.get(reverse("home") + field["url"])
    assert filtered.status_code == 200
    assert filtered.context["total"] == field["count"]
    assert all(row["listing"].field == field["value"] for row in filtered.context["rows"])


def test_empty_query_lists_the_newest_listings_with_pagination(bundled):
    response = Client().get(reverse("home"))
    assert response.status_code == 200
    assert response.context["total"] == 181
    assert len(response.context["rows"]) == 20
    assert response.context["num_pages"] == 10
    page2 = Client().get(reverse("home"), {"page": 2})
    assert {r["listing"].pk for r in page2.context["rows"]}.isdisjoint(
        {r["listing"].pk for r in response.context["rows"]}
    )


def test_search_input_is_escaped_and_bad_parameters_do_not_fail(bundled):
    response = Client().get(
        reverse("home"), {"q": "<script>x</script>", "trl_min": "abc", "page": "-3", "kind": "?"}
    )
    assert response.status_code == 200
    assert "<script>x</script>" not in response.content.decode()


def test_need_search_switches_the_listing_type(need):
    reindex()
    response = Client().get(reverse("home"), {"kind": "need", "q": "储能"})
    assert response.status_code == 200
    assert [row["listing"] for row in response.context["rows"]] == [need]


# --- matches ---------------------------------------------------------------------------------


def test_need_matches_page_shows_ranked_results_with_explained_components(
    bundled, enterprise_user, enterprise
):
    need = factories.TechnologyNeedFactory(owner=enterprise, keywords=["储能", "电池"])
    url = reverse("need-matches", kwargs={"pk": need.pk})
    response = login(enterprise_user).get(url)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows
    assert rows == sorted(rows, key=lambda r: -r["score"])
    html = response.content.decode()
    assert re.search(r"<strong>\d{1,3}%</strong>", html)
    assert "Text similarity" in html and "Keywords" in html
    assert rows[0]["components"][0]["reason"]
    # The need's owner can ask for an introduction straight from a match.
    first = rows[0]["listing"]
    assert reverse("match-request-create", kwargs={"pk": first.pk}) + f"?need={need.pk}" in html


def test_result_matches_page_renders_for_anyone_who_sees_the_result(result, need):
    reindex()
    response = Client().get(reverse("result-matches", kwargs={"pk": result.pk}))
    assert response.status_code == 200
    assert need in [row["listing"] for row in response.context["rows"]]


# --- the match request flow ------------------------------------------------------------------


def test_request_flow_enterprise_asks_researcher_accepts_contacts_become_visible(
    result, need, enterprise_user, researcher, university, enterprise
):
    enterprise_client = login(enterprise_user)
    form_url = reverse("match-request-create", kwargs={"pk": result.pk})
    page = enterprise_client.get(form_url)
    assert page.status_code == 200
    assert need.title in page.content.decode()  # the enterprise may name its need

    response = enterprise_client.post(
        form_url, {"message": "我们希望了解该技术的许可条件。", "technology_need": need.pk}
    )
    created = MatchRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("match-request-detail", kwargs={"pk": created.pk})
    assert created.technology_need == need
    detail_url = response["Location"]

    # Before acceptance nobody sees contact details; the enterprise can withdraw.
    before = enterprise_client.get(detail_url).content.decode()
    assert university.contact_email not in before
    assert reverse("match-request-withdraw", kwargs={"pk": created.pk}) in before

    researcher_client = login(researcher)
    assert created.pk in [
        r.pk for r in researcher_client.get(reverse("match-request-list")).context["requests"]
    ]
    received = researcher_client.get(detail_url).content.decode()
    assert reverse("match-request-accept", kwargs={"pk": created.pk}) in received
    assert Notification.objects.filter(recipient=researcher).exists()

    accepted = researcher_client.post(
        reverse("match-request-accept", kwargs={"pk": created.pk}), follow=True
    )
    assert accepted.status_code == 200
    created.refresh_from_db()
    assert created.status == MatchRequestStatus.ACCEPTED
    assert enterprise.contact_email in accepted.content.decode()
    assert university.contact_email in enterprise_client.get(detail_url).content.decode()

    # The thread is open to both sides now.
    enterprise_client.post(
        reverse("match-request-message", kwargs={"pk": created.pk}), {"body": "下周可以面谈吗？"}
    )
    thread = researcher_client.get(detail_url).content.decode()
    assert "下周可以面谈吗？" in thread


def test_researcher_proposes_a_result_to_a_need_from_the_need_page(result, need, researcher):
    client = login(researcher)
    url = reverse("match-request-propose", kwargs={"pk": need.pk})
    assert result.title in client.get(url).content.decode()
    response = client.post(
        url, {"research_result": result.pk, "message": "我们的成果可解决该问题。"}
    )
    assert response.status_code == 302
    created = MatchRequest.objects.get()
    assert created.direction == "result_to_need"
    assert created.addressee == need.owner


def test_a_refused_form_names_its_help_and_errors_for_screen_readers(result, enterprise_user):
    """Every id a field's aria-describedby names (its help text, its errors) is on the page."""
    response = login(enterprise_user).post(
        reverse("match-request-create", kwargs={"pk": result.pk}), {"message": "  "}
    )
    html = response.content.decode()
    described = {
        name for value in re.findall(r'aria-describedby="([^"]+)"', html) for name in value.split()
    }
    assert "id_message_error" in described
    assert all(f'id="{name}"' in html for name in described), described


def test_second_open_request_shows_the_conflict_instead_of_failing(result, enterprise_user):
    client = login(enterprise_user)
    url = reverse("match-request-create", kwargs={"pk": result.pk})
    client.post(url, {"message": "第一次"})
    response = client.post(url, {"message": "第二次"})
    assert response.status_code == 409  # the form again, with the conflict
    assert "already exists" in response.content.decode()
    assert MatchRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [({"message": "  "}, "message"),
     ({"message": "请联系", "technology_need": "9" * 23}, "technology_need")],
)
def test_bad_input_is_a_400_with_a_field_error(result, enterprise_user, data, field):
    response = login(enterprise_user).post(
        reverse("match-request-create", kwargs={"pk": result.pk}), data
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not MatchRequest.objects.exists()


@pytest.fixture
def open_request(result, enterprise_user):
    login(enterprise_user).post(
        reverse("match-request-create", kwargs={"pk": result.pk}), {"message": "请联系我们"}
    )
    return MatchRequest.objects.get()


def test_decline_needs_an_explanation_for_other_and_records_the_reason(open_request, researcher):
    client = login(researcher)
    url = reverse("match-request-decline", kwargs={"pk": open_request.pk})
    response = client.post(url, {"reason": DeclineReason.OTHER, "text": ""})
    assert response.status_code == 400
    assert "text" in response.context["decline_form"].errors
    client.post(url, {"reason": DeclineReason.PRICE, "text": "预算不足"})
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.DECLINED
    assert open_request.decline_reason == DeclineReason.PRICE
    page = client.get(reverse("match-request-detail", kwargs={"pk": open_request.pk}))
    assert "预算不足" in page.content.decode()


def test_only_the_addressee_accepts_and_only_the_requester_withdraws(
    open_request, enterprise_user, researcher
):
    accept = reverse("match-request-accept", kwargs={"pk": open_request.pk})
    withdraw = reverse("match-request-withdraw", kwargs={"pk": open_request.pk})
    assert login(enterprise_user).post(accept).status_code == 403
    assert login(researcher).post(withdraw).status_code == 403
    login(enterprise_user).post(withdraw)
    open_request.refresh_from_db()
    assert open_request.status == MatchRequestStatus.WITHDRAWN
    # Deciding a request that is no longer open is shown as a message, not an error page.
    response = login(researcher).post(accept, follow=True)
    assert response.status_code == 200
    assert "no longer open" in response.content.decode()


def test_request_pages_are_hidden_from_outsiders_and_need_login(open_request):
    url = reverse("match-request-detail", kwargs={"pk": open_request.pk})
    assert Client().get(url).status_code == 302
    assert login(factories.enterprise_member()).get(url).status_code == 404
    assert Client().get(reverse("match-request-list")).status_code == 302


def test_brokers_see_every_request_and_may_decide_on_behalf(open_request, broker):
    client = login(broker)
    page = client.get(reverse("match-request-detail", kwargs={"pk": open_request.pk}))
    assert page.status_code == 200
    assert page.context["on_behalf"] is True
    assert client.get(reverse("match-request-list"), {"role": "all"}).status_code == 200


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_lists_listings_requests_and_unread_notifications(
    open_request, researcher, university
):
    factories.ResearchResultFactory(owner=university, status="draft", title="草稿成果")
    assert Client().get(reverse("dashboard")).status_code == 302
    client = login(researcher)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "草稿成果" in html
    assert open_request.research_result.title in html
    assert response.context["unread_count"] == 1
    assert "asks to be introduced" in html  # English half of the bilingual notification
    client.post(reverse("notifications-mark-read"))
    assert client.get(reverse("dashboard")).context["unread_count"] == 0


# --- polish from the new-user trial ----------------------------------------------------------


def test_request_detail_labels_the_date_as_sent_on_not_as_the_sent_tab(open_request, researcher):
    client = login(researcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("match-request-detail", kwargs={"pk": open_request.pk})).content
    assert "<dt>发送时间</dt>" in html.decode()
    assert "我发起的" not in html.decode()


def test_request_list_opens_on_the_tab_that_has_requests(open_request, enterprise_user, researcher):
    # The enterprise has only sent a request, the researcher's university only received one.
    assert login(enterprise_user).get(reverse("match-request-list")).context["role"] == "sent"
    assert login(researcher).get(reverse("match-request-list")).context["role"] == "received"
    # A chosen tab is kept even when it is empty.
    chosen = login(enterprise_user).get(reverse("match-request-list"), {"role": "received"})
    assert chosen.context["role"] == "received"
    assert list(chosen.context["requests"]) == []


def test_brokers_request_list_opens_on_all_requests(open_request, broker):
    response = login(broker).get(reverse("match-request-list"))
    assert response.context["role"] == "all"
    assert open_request in response.context["requests"]


def _chinese() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def test_search_names_the_input_it_left_out_and_still_lists_results(bundled):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"), {"q": "储" * 201})
    assert response.status_code == 200
    assert response.context["total"] == 181  # the text was left out: every listing
    assert response.context["ignored_inputs"] == [
        "Search: At most 200 characters (201 given)."
    ]
    assert "Left out of this search:" in response.content.decode()


def test_a_nul_character_is_named_in_words_on_chinese_pages(bundled):
    html = _chinese().get(reverse("home"), {"q": "储能\x00"}).content.decode()
    assert "以下条件未用于本次搜索：<ul><li>搜索：不允许包含空字符（NUL）。</li></ul>" in html


def test_a_reversed_trl_range_keeps_the_lowest_and_says_the_highest_was_left_out(bundled):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("home"), {"trl_min": "7", "trl_max": "3"}
    )
    assert response.context["ignored_inputs"] == [
        "Maximum TRL: The maximum TRL must not be below the minimum TRL."
    ]
    assert [f["label"] for f in response.context["active_filters"]] == ["TRL 7–9"]
    assert response.context["total"] > 0
    assert all(row["listing"].trl >= 7 for row in response.context["rows"])


def test_filters_in_force_are_listed_with_remove_links_when_nothing_is_found(bundled):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(
        reverse("home"), {"q": "量子纠缠光钟", "field": "new_energy", "province": "北京"}
    )
    assert response.context["total"] == 0 and response.context["facet_sections"] == []
    active = {f["label"]: f["url"] for f in response.context["active_filters"]}
    assert set(active) == {"New energy", "Beijing"}
    html = response.content.decode()
    assert "No filters." not in html and "✕ New energy" in html
    assert 'class="badge active-count">2<' in html
    # Each link removes its own filter and keeps the rest.
    without_field = client.get(reverse("home") + active["New energy"])
    assert [f["label"] for f in without_field.context["active_filters"]] == ["Beijing"]
    assert without_field.context["q"] == "量子纠缠光钟"


def test_an_unknown_value_of_a_list_filter_is_left_out_and_the_known_ones_apply(bundled):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    only = client.get(reverse("home"), {"field": "new_energy"}).context["total"]
    response = client.get(reverse("home"), {"field": ["new_energy", "bogus", ""], "modes": ""})
    assert response.context["total"] == only < 181
    assert response.context["ignored_inputs"] == [
        "Field: Select a valid choice. bogus is not one of the available choices."
    ]
    assert [f["label"] for f in response.context["active_filters"]] == ["New energy"]


def test_a_query_without_a_searchable_word_is_left_out_not_matched_by_everything(bundled):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"), {"q": "的 🔋"})
    assert response.context["q"] == "" and response.context["total"] == 181
    assert response.context["ignored_inputs"] == [
        "Search: “的 🔋” has no word that can be searched for."
    ]
    assert 'value="的 🔋"' in response.content.decode()  # the box keeps what was typed
    api = Client().get("/api/v1/search/", {"q": "🔋"})
    assert api.status_code == 400 and "q" in api.json()["fields"]


def test_a_refused_value_is_shown_without_invisible_characters_and_never_saved(
    bundled, enterprise_user
):
    html = (
        login(enterprise_user)
        .get(reverse("home"), {"q": "储能", "stage": "\x00lab", "field": "bogus"})
        .content.decode()
    )
    assert "data-ignored-inputs" in html and "\x00" not in html
    saved = re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html)
    assert ("q", "储能") in saved and not {name for name, _v in saved} & {"stage", "field"}


def test_a_province_typed_in_full_filters_by_the_stored_short_name(university):
    factories.ResearchResultFactory(owner=university, title="无人机林业巡检系统", province="北京")
    reindex()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(reverse("home"), {"q": "无人机", "province": " 北京市 "})
    assert response.context["total"] == 1
    (active,) = response.context["active_filters"]
    assert active["label"] == "Beijing"
    removed = client.get(reverse("home") + active["url"])
    assert removed.context["active_filters"] == [] and removed.context["q"] == "无人机"


def test_no_filter_is_listed_in_force_while_search_is_down(settings, bundled):
    from tests.matching.es_support import es_config

    settings.SEARCH_BACKENDS = {
        "default": es_config("keqiao-closed", URL="http://127.0.0.1:9", MAX_RETRIES=0, TIMEOUT=2)
    }
    response = Client().get(reverse("home"), {"q": "储能", "field": "new_energy"})
    assert response.context["search_unavailable"] is True
    assert response.context["active_filters"] == []


def test_english_pages_name_provinces_in_english_and_filter_by_the_stored_name(university):
    factories.ResearchResultFactory(owner=university, title="无人机林业巡检系统", province="河北")
    reindex()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"), {"q": "无人机"})
    sections = {s["name"]: s for s in english.context["facet_sections"]}
    item = sections["province"]["items"][0]
    assert (item["label"], item["value"]) == ("Hebei", "河北")
    assert "· Hebei" in english.content.decode()
    filtered = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home") + item["url"])
    assert [f["label"] for f in filtered.context["active_filters"]] == ["Hebei"]
    assert filtered.context["total"] == 1
    assert "· 河北" in _chinese().get(reverse("home"), {"q": "无人机"}).content.decode()


def test_user_without_requests_opens_on_the_received_tab(researcher):
    assert login(researcher).get(reverse("match-request-list")).context["role"] == "received"


def test_search_filters_are_a_details_panel_closed_by_default(bundled):
    html = Client().get(reverse("home"), {"q": "储能"}).content.decode()
    opening = re.search(r"<details[^>]*\bid=\"facets\"[^>]*>", html)
    assert opening is not None
    assert " open" not in opening.group(0)  # phones see results first; JS opens it when wide
    assert "data-open-wide" in opening.group(0)
    assert html.index('id="facets"') < html.index('class="hit"')


def test_search_shows_the_english_title_on_english_pages_and_the_chinese_title_below(
    university,
):
    factories.ResearchResultFactory(
        owner=university, title="无人机林业巡检系统", title_en="UAV forestry inspection system"
    )
    reindex()
    html = Client().get(reverse("home"), {"q": "无人机"}).content.decode()
    assert "UAV forestry inspection system</a></h3>" in html
    assert 'lang="zh-Hans"><mark>无人机</mark>林业巡检系统</p>' in html
    chinese = Client()
    chinese.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = chinese.get(reverse("home"), {"q": "无人机"}).content.decode()
    assert "UAV forestry inspection system" not in page


def test_matches_page_title_uses_a_full_width_colon_in_chinese(result, need):
    reindex()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("result-matches", kwargs={"pk": result.pk})).content.decode()
    assert f"<title>匹配结果：{result.title}" in html
    assert "匹配结果:" not in html


def test_a_page_past_the_last_one_goes_to_the_last_page_with_the_same_search(bundled):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    last = client.get(reverse("home"), {"field": "new_energy"}).context["num_pages"]
    response = client.get(reverse("home"), {"field": "new_energy", "page": 50})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('home')}?field=new_energy&page={last}"
    shown = client.get(response["Location"])
    assert shown.context["page"] == last and shown.context["rows"]


def test_links_carry_only_what_the_search_used_so_a_refused_text_is_not_copied_into_each(
    bundled,
):
    refused = "的" * 5_000
    given = {"q": refused, "field": ["new_energy", "bogus"]}
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(reverse("home"), given)
    assert response.status_code == 200 and response.context["ignored_inputs"]
    links = [
        item["url"] for section in response.context["facet_sections"] for item in section["items"]
    ]
    links += [*response.context["page_urls"].values(), *response.context["kind_urls"].values()]
    assert links and all("bogus" not in link and len(link) < 300 for link in links)
    assert all("field=new_energy" in link for link in response.context["kind_urls"].values())
    assert len(response.content) < 60_000  # the text itself, once in the box
    assert response.context["return_path"] == "/?field=new_energy"
    bare = client.get(reverse("home"))
    assert 'name="next" value="/"' in bare.content.decode()
    # A page past the end: the redirect, too, carries only what the search used.
    past = client.get(reverse("home"), {**given, "page": 50})
    assert past.status_code == 302
    assert (
        past["Location"]
        == reverse("home") + f"?field=new_energy&page={response.context['num_pages']}"
    )


def test_invisible_and_bidi_characters_are_no_part_of_a_search_on_the_page_or_the_api(bundled):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    turned = client.get(reverse("home"), {"q": "储能\u202e"})
    assert turned.context["q"] == "储能" and not turned.context["ignored_inputs"]
    assert "\u202e" not in turned.content.decode().split("</title>")[0]
    alone = client.get(reverse("home"), {"q": "\u202e\u200b"})
    assert alone.context["q"] == "" and alone.context["ignored_inputs"] == []
    api = Client().get("/api/v1/search/", {"q": "\u202e"})
    assert api.status_code == 200
    assert Client().get("/api/v1/search/", {"q": "储能\u202e"}).json()["count"] == (
        Client().get("/api/v1/search/", {"q": "储能"}).json()["count"]
    )


def test_a_filter_value_given_many_times_counts_once_in_the_search_its_links_and_chips(bundled):
    repeated = {"field": ["new_energy"] * 300, "stage": ["lab"] * 300}
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"), repeated)
    assert response.status_code == 200 and len(response.content) < 100_000
    assert [chip["label"] for chip in response.context["active_filters"]].count("New energy") == 1
    assert response.context["kind_urls"]["need"].count("new_energy") == 1


def test_a_search_text_too_long_is_named_in_plain_chinese():
    client = Client()
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("home"), {"q": "储能" * 150})
    assert response.context["ignored_inputs"] == ["搜索：最多 200 个字符（现有 300 个）。"]


@pytest.mark.parametrize(("language", "shown"), [("en", "Battery safety"), ("zh-hans", "电池安全")])
def test_the_request_forms_name_listings_in_the_pages_language(
    result, need, enterprise_user, researcher, language, shown
):
    need.title, need.title_en = "电池安全", "Battery safety"
    need.save(update_fields=["title", "title_en"])
    result.title, result.title_en = "热失控预警", "Thermal runaway warning"
    result.save(update_fields=["title", "title_en"])
    asking = login(enterprise_user)
    asking.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    form = asking.get(reverse("match-request-create", kwargs={"pk": result.pk})).content.decode()
    assert re.search(rf'<option value="{need.pk}"[^>]*>{shown}</option>', form)
    proposing = login(researcher)
    proposing.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    form = proposing.get(reverse("match-request-propose", kwargs={"pk": need.pk})).content.decode()
    expected = "Thermal runaway warning" if language == "en" else "热失控预警"
    assert re.search(rf'<option value="{result.pk}"[^>]*>{expected}</option>', form)


def test_clear_all_clears_the_filters_but_keeps_the_text_and_the_type(bundled):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(
        reverse("home"), {"q": "储能", "kind": "need", "field": "new_energy", "province": "北京"}
    )
    html = response.content.decode()
    clear = response.context["clear_filters_url"]
    assert f'href="{reverse("home")}{clear}">Clear all</a>' in html.replace("&amp;", "&")
    cleared = client.get(reverse("home") + clear)
    assert cleared.context["q"] == "储能" and cleared.context["kind"] == "need"
    assert cleared.context["active_filters"] == []
    assert "Clear all" not in cleared.content.decode(), "nothing left to clear"


def test_every_search_form_field_but_the_text_type_and_page_is_a_filter_clear_all_removes():
    assert set(SearchForm.base_fields) - {"q", "kind", "page"} == set(FILTER_FIELDS)
