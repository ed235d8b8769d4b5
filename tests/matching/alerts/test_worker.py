"""The alerts worker: a published need alerts the owners of strongly matching results once,
saved searches, e-mail modes, digest, retries; publishing itself never runs the matcher."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import CommandError

from marketplace.models import Notification
from matching import matcher
from matching.models import Alert, AlertOutbox, AlertSettings, ListingUnfollow, SavedSearch
from matching.search.backends.base import SearchUnavailable
from tests import factories
from tests.bundled import reindex
from tests.matching.alerts.conftest import pending_need, publish, run_worker

pytestmark = pytest.mark.django_db


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def alert_notifications(user):
    return Notification.objects.filter(recipient=user, verb__startswith="alert.")


def test_a_new_published_need_alerts_the_matching_results_owner_exactly_once(
    battery_result, researcher, enterprise, broker, django_capture_on_commit_callbacks, settings
):
    AlertSettings.objects.create(user=researcher, email_mode="immediate")
    need = publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    assert AlertOutbox.objects.filter(kind="need", object_id=need.pk).count() == 1

    run_worker()
    run_worker()  # a second pass finds nothing new
    assert AlertOutbox.objects.count() == 0
    alert = Alert.objects.get(recipient=researcher)
    assert (alert.kind, alert.object_id, alert.reason) == ("need", need.pk, "match")
    assert alert.source == f"result:{battery_result.pk}"
    assert alert_notifications(researcher).count() == 1
    assert alert_notifications(researcher).get().verb == "alert.need_for_result"
    [message] = mails_to(researcher)
    assert need.title in message.body and battery_result.title in message.body

    # re-published (edited, reviewed again): recorded again, but nobody is told twice
    need.status = "pending_review"
    need.save()
    publish(need, broker, django_capture_on_commit_callbacks)
    assert AlertOutbox.objects.count() == 1
    run_worker()
    assert Alert.objects.filter(recipient=researcher).count() == 1
    assert alert_notifications(researcher).count() == 1
    assert len(mails_to(researcher)) == 1


def test_the_need_owner_hears_nothing_of_their_own_listing(
    battery_result, enterprise_user, enterprise, broker, django_capture_on_commit_callbacks
):
    publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    run_worker()
    assert not Alert.objects.filter(recipient=enterprise_user).exists()


def test_a_new_result_alerts_the_matching_needs_owner(
    researcher, university, enterprise_user, enterprise, broker,
    django_capture_on_commit_callbacks,
):
    need = pending_need(enterprise, status="published")
    need.save()
    from tests.bundled import reindex

    reindex()
    result = factories.ResearchResultFactory(
        owner=university, title="储能电池热失控预警技术", keywords=["储能", "电池", "热失控"],
        status="pending_review", published_at=None,
    )
    publish(result, broker, django_capture_on_commit_callbacks)
    run_worker()
    alert = Alert.objects.get(recipient=enterprise_user)
    assert (alert.kind, alert.object_id, alert.source) == ("result", result.pk, f"need:{need.pk}")
    assert alert_notifications(enterprise_user).get().verb == "alert.result_for_need"


def test_only_strong_matches_alert(
    battery_result, researcher, enterprise, broker, django_capture_on_commit_callbacks, settings
):
    settings.MATCHING_STRENGTH = {"strong": 1.0, "possible": 0.0}
    publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    run_worker()
    assert not Alert.objects.exists()
    assert AlertOutbox.objects.count() == 0


def test_an_unfollowed_listing_alerts_nobody_who_turned_it_off(
    battery_result, researcher, enterprise, broker, django_capture_on_commit_callbacks
):
    ListingUnfollow.objects.create(user=researcher, kind="result", object_id=battery_result.pk)
    publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    run_worker()
    assert not Alert.objects.filter(recipient=researcher).exists()


def test_publishing_does_not_call_the_matcher(
    battery_result, enterprise, broker, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(**kwargs):
        raise AssertionError("the matcher ran in the publishing request")

    monkeypatch.setattr(matcher, "matches_for_need", refuse)
    monkeypatch.setattr(matcher, "matches_for_result", refuse)
    need = publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    assert need.status == "published"
    assert AlertOutbox.objects.count() == 1
    assert not Alert.objects.exists()


def test_a_saved_search_hears_of_a_new_listing_it_finds(
    battery_result, outsider, enterprise, broker, django_capture_on_commit_callbacks
):
    SavedSearch.objects.create(user=outsider, name="热失控", query={"q": "热失控", "kind": "need"})
    SavedSearch.objects.create(user=outsider, name="results", query={"q": "热失控"})
    other = factories.enterprise_member()
    SavedSearch.objects.create(user=other, name="钢渣", query={"q": "钢渣", "kind": "need"})
    need = publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    run_worker()
    alert = Alert.objects.get(recipient=outsider)
    assert (alert.reason, alert.object_id) == ("saved_search", need.pk)
    assert alert.params["search"] == "热失控"
    assert not Alert.objects.filter(recipient=other).exists()


TWO_WORDS = {"q": "热失控 钢渣", "kind": "need"}


def test_a_saved_search_answered_with_some_words_hears_of_a_listing_with_one_of_them(
    battery_result, outsider, enterprise, broker, django_capture_on_commit_callbacks
):
    # No listing has both words, so the search page shows those with either (some_words).
    SavedSearch.objects.create(user=outsider, name="两词", query=TWO_WORDS)
    need = publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    run_worker()
    alert = Alert.objects.get(recipient=outsider, reason="saved_search")
    assert alert.object_id == need.pk


def test_a_saved_search_answered_as_typed_ignores_a_listing_with_only_some_of_its_words(
    battery_result, outsider, enterprise, broker, django_capture_on_commit_callbacks
):
    factories.TechnologyNeedFactory(title="钢渣堆场热失控自燃监测", keywords=["钢渣", "热失控"])
    reindex()
    SavedSearch.objects.create(user=outsider, name="两词", query=TWO_WORDS)
    publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    run_worker()
    assert not Alert.objects.filter(recipient=outsider, reason="saved_search").exists()


@pytest.mark.semantic
def test_a_saved_search_answered_by_meaning_hears_of_a_listing_close_in_meaning(
    outsider, enterprise, broker, django_capture_on_commit_callbacks
):
    SavedSearch.objects.create(
        user=outsider, name="副产物", query={"q": "炼钢副产物没处放", "kind": "need"}
    )
    need = publish(
        pending_need(
            enterprise, title="钢渣堆积如山，占地污染", keywords=["钢渣", "固废"],
            description="钢铁企业每年产生大量钢渣，堆积如山，占用土地并污染环境。",
        ),
        broker,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    run_worker()
    alert = Alert.objects.get(recipient=outsider, reason="saved_search")
    assert alert.object_id == need.pk


def test_a_saved_search_with_filters_only(
    battery_result, outsider, enterprise, broker, django_capture_on_commit_callbacks
):
    SavedSearch.objects.create(
        user=outsider, name="河北", query={"kind": "need", "province": "河北"}
    )
    SavedSearch.objects.create(
        user=factories.enterprise_member(), name="北京", query={"kind": "need", "province": "北京"}
    )
    publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)
    run_worker()
    searches = Alert.objects.filter(reason="saved_search")
    assert list(searches.values_list("recipient_id", flat=True)) == [outsider.pk]


def test_the_worker_waits_for_the_search_index(
    battery_result, researcher, enterprise, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the index's fast path never runs
        from marketplace.services import listing_approve

        listing_approve(listing=pending_need(enterprise), actor=broker)
    run_worker()
    row = AlertOutbox.objects.get()
    assert row.attempts == 1 and "search index" in row.last_error
    assert not Alert.objects.exists()


def test_a_search_outage_is_retried_with_backoff(
    battery_result, researcher, enterprise, broker, django_capture_on_commit_callbacks,
    monkeypatch,
):
    publish(pending_need(enterprise), broker, django_capture_on_commit_callbacks)

    def down(**kwargs):
        raise SearchUnavailable("search is down")

    monkeypatch.setattr(matcher, "matches_for_need", down)
    with pytest.raises(CommandError):
        run_worker()
    row = AlertOutbox.objects.get()
    assert row.attempts == 1 and row.next_attempt_at > row.created_at
    run_worker()  # still backing off: not retried, nothing fails
    monkeypatch.undo()
    run_worker("--retry-now")
    assert Alert.objects.filter(recipient=researcher).count() == 1
    assert AlertOutbox.objects.count() == 0


@pytest.mark.semantic
def test_a_problem_stated_need_alerts_the_owner_of_the_technology_that_solves_it(
    researcher, university, enterprise, broker, django_capture_on_commit_callbacks, settings
):
    # The shipped thresholds and the real embedder: strong means strong here.
    from marketplace.settings import matching as shipped

    settings.MATCHING_STRENGTH = shipped.MATCHING_STRENGTH
    slag = factories.ResearchResultFactory(
        owner=university, title="钢渣气淬处理技术", keywords=["钢渣", "气淬", "固废资源化"],
        summary="高温熔融钢渣经气淬粒化，成为建材原料，消纳堆存钢渣。", field="energy_saving",
    )  # fmt: skip
    other_owner = factories.OrganizationFactory()
    monitor = factories.ResearchResultFactory(
        owner=other_owner, title="PM2.5网格化监测仪", keywords=["空气质量", "颗粒物"],
        summary="在线监测大气颗粒物浓度。", field="electronics",
    )  # fmt: skip
    reindex()
    need = publish(
        pending_need(
            enterprise, title="钢渣堆积如山，占地污染", keywords=["钢渣", "固废"],
            description="钢铁企业每年产生大量钢渣，堆积如山，占用土地并污染环境。",
            field="energy_saving",
        ),
        broker,
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    run_worker()
    run_worker()
    alerted = Alert.objects.filter(kind="need", object_id=need.pk)
    assert alerted.filter(recipient=researcher, source=f"result:{slag.pk}").count() == 1
    assert not alerted.filter(source=f"result:{monitor.pk}").exists()
