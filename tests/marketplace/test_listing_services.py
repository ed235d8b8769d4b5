"""Listing services and selectors: the workflow, its permissions, validation and visibility."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from kernel.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace import selectors, services
from marketplace.choices import Field, ListingStatus, OrganizationKind, Role, TransferMode
from marketplace.models import (
    Membership,
    Notification,
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from marketplace.notifications import notification_mark_read, notify
from tests import factories

pytestmark = pytest.mark.django_db


COMPLETE_RESULT = {
    "title": "高安全固态电解质制备技术",
    "summary": "一种氧化物固态电解质的低温烧结工艺。",
    "field": Field.NEW_MATERIALS,
    "keywords": ["固态电解质", "烧结"],
    "trl": 5,
    "province": "北京",
    "city": "北京",
    "transfer_modes": [TransferMode.LICENCE],
    "asking_price_cny": Decimal("800000.00"),
}
COMPLETE_NEED = {
    "title": "储能电站热失控预警需求",
    "description": "需要一种早期热失控预警方案。",
    "field": Field.NEW_ENERGY,
    "keywords": ["储能", "预警"],
    "province": "河北",
    "city": "衡水",
    "cooperation_modes": [TransferMode.JOINT_DEVELOPMENT],
    "budget_min_cny": Decimal("100000.00"),
    "budget_max_cny": Decimal("300000.00"),
}


def _org(user) -> Organization:
    return Membership.objects.get(user=user).organization


def _pending_result(researcher) -> ResearchResult:
    result = services.research_result_create(actor=researcher, data=COMPLETE_RESULT)
    return services.listing_submit(listing=result, actor=researcher)


# --- create / update -------------------------------------------------------------------------


def test_created_result_is_a_draft_of_the_creators_organisation(researcher):
    result = services.research_result_create(actor=researcher, data=COMPLETE_RESULT)
    assert result.status == ListingStatus.DRAFT
    assert result.owner == _org(researcher)
    assert result.created_by == researcher
    assert result.asking_price_cny == Decimal("800000.00")


def test_cannot_create_listing_for_an_organisation_one_is_not_member_of(researcher):
    other = factories.OrganizationFactory()
    with pytest.raises(PermissionDeniedError):
        services.research_result_create(actor=researcher, owner=other, data=COMPLETE_RESULT)
    assert ResearchResult.objects.count() == 0


def test_broker_may_create_listing_for_any_organisation(broker):
    enterprise = factories.OrganizationFactory(kind=OrganizationKind.ENTERPRISE)
    need = services.technology_need_create(actor=broker, owner=enterprise, data=COMPLETE_NEED)
    assert need.owner == enterprise


def test_ipc_symbols_and_patent_numbers_are_normalised(researcher):
    result = services.research_result_create(
        actor=researcher,
        data={**COMPLETE_RESULT, "ipc": ["H01M10/052", "h01m 10/052"],
              "patent_no": "zl 2021 1 0123456.7"},
    )
    assert result.ipc == ["H01M 10/052"]
    assert result.patent_no == "202110123456.7"


def test_bad_trl_ipc_and_patent_number_are_reported_per_field_and_nothing_is_saved(researcher):
    with pytest.raises(DomainError) as caught:
        services.research_result_create(
            actor=researcher,
            data={**COMPLETE_RESULT, "trl": 12, "ipc": ["XYZ 1/2"], "patent_no": "202110123456.1"},
        )
    assert {"trl", "ipc", "patent_no"} <= set(caught.value.fields)
    assert "GB/T 22900" in str(caught.value.fields["trl"][0])
    assert ResearchResult.objects.count() == 0


def test_budget_minimum_above_maximum_is_rejected_on_the_maximum_field(enterprise_user):
    with pytest.raises(DomainError) as caught:
        services.technology_need_create(
            actor=enterprise_user,
            data={**COMPLETE_NEED, "budget_min_cny": Decimal("500000"),
                  "budget_max_cny": Decimal("100000")},
        )
    assert list(caught.value.fields) == ["budget_max_cny"]
    assert "maximum budget" in str(caught.value.fields["budget_max_cny"][0])
    assert TechnologyNeed.objects.count() == 0


def test_unknown_transfer_mode_is_a_field_error(researcher):
    with pytest.raises(DomainError) as caught:
        services.research_result_create(
            actor=researcher, data={**COMPLETE_RESULT, "transfer_modes": ["sale"]}
        )
    assert "transfer_modes" in caught.value.fields


def test_outsider_cannot_update_a_listing(researcher):
    result = factories.ResearchResultFactory()
    with pytest.raises(PermissionDeniedError):
        services.research_result_update(
            research_result=result, actor=researcher, data={"title": "改"}
        )


def test_archived_listing_cannot_be_edited(researcher):
    result = factories.ResearchResultFactory(
        owner=_org(researcher), status=ListingStatus.ARCHIVED
    )
    with pytest.raises(ConflictError):
        services.research_result_update(
            research_result=result, actor=researcher, data={"title": "改"}
        )


def test_owner_member_updates_a_draft(researcher):
    result = services.research_result_create(actor=researcher, data=COMPLETE_RESULT)
    updated = services.research_result_update(
        research_result=result, actor=researcher, data={"trl": 7, "title": "  新标题 "}
    )
    assert (updated.trl, updated.title) == (7, "新标题")


# --- workflow --------------------------------------------------------------------------------


def test_incomplete_listing_cannot_be_submitted(researcher):
    result = services.research_result_create(actor=researcher, data={"title": "只有标题"})
    with pytest.raises(DomainError) as caught:
        services.listing_submit(listing=result, actor=researcher)
    assert {"field", "province", "summary", "keywords", "trl"} <= set(caught.value.fields)
    result.refresh_from_db()
    assert result.status == ListingStatus.DRAFT


def test_approval_publishes_and_notifies_owner_members(
    researcher, broker, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = factories.researcher(organization=_org(researcher))
    result = _pending_result(researcher)
    # Only the approval's notifications are counted (the submission told the broker).
    Notification.objects.filter(verb="listing.submitted").delete()
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.listing_approve(listing=result, actor=broker)
    assert approved.status == ListingStatus.PUBLISHED
    assert approved.published_at is not None and approved.renewed_at is not None
    assert approved.reviewed_by == broker and approved.reviewed_at is not None
    assert approved.is_searchable()
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {researcher.pk, colleague.pk}
    assert Notification.objects.filter(verb="listing.approved").count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([researcher.email, colleague.email])


def test_cannot_approve_a_listing_twice(researcher, broker):
    result = _pending_result(researcher)
    services.listing_approve(listing=result, actor=broker)
    with pytest.raises(ConflictError):
        services.listing_approve(listing=result, actor=broker)


def test_only_brokers_approve(researcher):
    result = _pending_result(researcher)
    with pytest.raises(PermissionDeniedError):
        services.listing_approve(listing=result, actor=researcher)


def test_reject_needs_a_reason(researcher, broker):
    result = _pending_result(researcher)
    with pytest.raises(DomainError) as caught:
        services.listing_reject(listing=result, actor=broker, reason="   ")
    assert "reason" in caught.value.fields
    result.refresh_from_db()
    assert result.status == ListingStatus.PENDING_REVIEW


def test_reject_returns_listing_to_draft_with_reason_and_notifies(researcher, broker):
    result = _pending_result(researcher)
    rejected = services.listing_reject(listing=result, actor=broker, reason="缺少专利证明")
    assert rejected.status == ListingStatus.DRAFT
    assert rejected.rejection_reason == "缺少专利证明"
    assert Notification.objects.get(recipient=researcher).verb == "listing.rejected"
    resubmitted = services.listing_submit(listing=rejected, actor=researcher)
    assert resubmitted.rejection_reason == ""


def test_cannot_submit_a_published_listing(researcher):
    result = factories.ResearchResultFactory(owner=_org(researcher))
    with pytest.raises(ConflictError):
        services.listing_submit(listing=result, actor=researcher)


def test_owner_archives_a_published_listing_but_not_a_draft(researcher):
    published = factories.ResearchResultFactory(owner=_org(researcher))
    assert services.listing_archive(listing=published, actor=researcher).status == "archived"
    draft = factories.ResearchResultFactory(owner=_org(researcher), status=ListingStatus.DRAFT)
    with pytest.raises(ConflictError):
        services.listing_archive(listing=draft, actor=researcher)


def test_only_need_owner_closes_a_published_need(enterprise_user, broker):
    need = factories.TechnologyNeedFactory(owner=_org(enterprise_user))
    with pytest.raises(PermissionDeniedError):
        services.need_close(need=need, actor=broker)
    assert services.need_close(need=need, actor=enterprise_user).status == ListingStatus.CLOSED
    with pytest.raises(ConflictError):
        services.need_close(need=need, actor=enterprise_user)


def test_renewal_brings_an_expired_listing_back_into_search(researcher):
    old = timezone.now() - timedelta(days=400)
    result = factories.ResearchResultFactory(
        owner=_org(researcher), published_at=old, renewed_at=old
    )
    anonymous = AnonymousUser()
    assert not selectors.research_result_list(viewer=anonymous).filter(pk=result.pk).exists()
    services.listing_renew(listing=result, actor=researcher)
    assert selectors.research_result_list(viewer=anonymous).filter(pk=result.pk).exists()


def test_outsider_cannot_renew(researcher):
    result = factories.ResearchResultFactory()
    with pytest.raises(PermissionDeniedError):
        services.listing_renew(listing=result, actor=researcher)


# --- visibility ------------------------------------------------------------------------------


def test_outsiders_see_only_published_unexpired_listings(researcher, broker):
    own_org = _org(researcher)
    published = factories.ResearchResultFactory()
    draft = factories.ResearchResultFactory(owner=own_org, status=ListingStatus.DRAFT)
    expired = factories.ResearchResultFactory(renewed_at=timezone.now() - timedelta(days=366))
    anonymous_ids = set(
        selectors.research_result_list(viewer=AnonymousUser()).values_list("pk", flat=True)
    )
    assert anonymous_ids == {published.pk}
    own_ids = set(selectors.research_result_list(viewer=researcher).values_list("pk", flat=True))
    assert own_ids == {published.pk, draft.pk}
    broker_ids = set(selectors.research_result_list(viewer=broker).values_list("pk", flat=True))
    assert broker_ids == {published.pk, draft.pk, expired.pk}
    with pytest.raises(Http404):
        selectors.research_result_get(viewer=AnonymousUser(), pk=draft.pk)


def test_selector_rule_matches_is_searchable_for_need_deadlines():
    today = timezone.localdate()
    due_today = factories.TechnologyNeedFactory(deadline=today)
    overdue = factories.TechnologyNeedFactory(deadline=today - timedelta(days=1))
    visible = set(
        selectors.technology_need_list(viewer=AnonymousUser()).values_list("pk", flat=True)
    )
    assert visible == {due_today.pk}
    assert due_today.is_searchable() and not overdue.is_searchable()


def test_confidential_details_only_for_owner_members_and_brokers(researcher, broker):
    result = factories.ResearchResultFactory(owner=_org(researcher))
    assert selectors.can_see_confidential(researcher, result)
    assert selectors.can_see_confidential(broker, result)
    assert not selectors.can_see_confidential(factories.enterprise_member(), result)
    assert not selectors.can_see_confidential(AnonymousUser(), result)


def test_moderation_queue_is_for_brokers(researcher, broker):
    result = _pending_result(researcher)
    assert list(selectors.moderation_queue(viewer=broker).research_results) == [result]
    with pytest.raises(PermissionDeniedError):
        selectors.moderation_queue(viewer=researcher)


def test_invalid_filter_value_is_a_field_error(researcher):
    with pytest.raises(DomainError) as caught:
        selectors.research_result_list(viewer=researcher, filters={"trl_min": "high"})
    assert "trl_min" in caught.value.fields


# --- organisations ---------------------------------------------------------------------------


def test_creating_an_organisation_makes_the_creator_a_member():
    user = factories.UserFactory()
    org = services.organization_create(
        actor=user, data={"kind": OrganizationKind.ENTERPRISE, "legal_name": "衡水示例科技有限公司"}
    )
    membership = Membership.objects.get(user=user, organization=org)
    assert membership.role == Role.ENTERPRISE_MEMBER
    assert not org.verified


def test_only_brokers_register_transfer_centres_and_verify():
    user = factories.UserFactory()
    with pytest.raises(PermissionDeniedError):
        services.organization_create(
            actor=user, data={"kind": OrganizationKind.TRANSFER_CENTRE, "legal_name": "某中心"}
        )
    org = factories.OrganizationFactory()
    with pytest.raises(PermissionDeniedError):
        services.organization_verify(organization=org, actor=factories.researcher(org))
    assert services.organization_verify(organization=org, actor=factories.broker()).verified


def test_bad_credit_code_is_a_field_error():
    with pytest.raises(DomainError) as caught:
        services.organization_create(
            actor=factories.UserFactory(),
            data={"kind": OrganizationKind.UNIVERSITY, "legal_name": "某大学",
                  "credit_code": "91110000600037341X"},
        )
    assert "credit_code" in caught.value.fields
    assert Organization.objects.count() == 0


# --- notifications ---------------------------------------------------------------------------


def test_notification_email_is_sent_only_after_commit(
    researcher, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            users=[researcher],
            verb="listing.rejected",
            params={"listing": 1, "kind": "result", "title": "你好", "reason": "Hello"},
            url="/x/",
        )
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    assert "你好" in mailoutbox[0].body and "Hello" in mailoutbox[0].body
    assert Notification.objects.get(recipient=researcher).message == (
        "您的发布《你好》未通过审核：Hello / Your listing “你好” was sent back: Hello"
    )


def test_only_the_recipient_marks_a_notification_read(researcher, broker):
    notify(users=[researcher], verb="listing.approved",
           params={"listing": 1, "kind": "result", "title": "你好"})
    notification = Notification.objects.get()
    with pytest.raises(PermissionDeniedError):
        notification_mark_read(notification=notification, actor=broker)
    assert notification_mark_read(notification=notification, actor=researcher).read_at


# --- edits of published listings go back to review -------------------------------------------


def test_owner_change_to_a_published_listing_sends_it_back_to_review_and_notifies_brokers(
    researcher, broker
):
    result = factories.ResearchResultFactory(owner=_org(researcher))
    updated = services.research_result_update(
        research_result=result, actor=researcher, data={"title": "未经审核的新标题"}
    )
    assert updated.status == ListingStatus.PENDING_REVIEW
    assert result.pk not in set(
        selectors.research_result_list(viewer=AnonymousUser()).values_list("pk", flat=True)
    )
    assert Notification.objects.filter(recipient=broker, verb="listing.changed").count() == 1
    assert not Notification.objects.filter(recipient=researcher, verb="listing.changed").exists()
    approved = services.listing_approve(listing=updated, actor=broker)
    assert approved.status == ListingStatus.PUBLISHED
    assert approved.title == "未经审核的新标题"


def test_owner_change_to_a_published_need_sends_it_back_to_review(enterprise_user):
    need = factories.TechnologyNeedFactory(owner=_org(enterprise_user))
    updated = services.technology_need_update(
        technology_need=need, actor=enterprise_user, data={"budget_max_cny": Decimal("900000")}
    )
    assert updated.status == ListingStatus.PENDING_REVIEW


def test_broker_edit_of_a_published_listing_keeps_it_published(researcher, broker):
    result = factories.ResearchResultFactory(owner=_org(researcher))
    updated = services.research_result_update(
        research_result=result, actor=broker, data={"title": "经纪人修订的标题"}
    )
    assert updated.status == ListingStatus.PUBLISHED
    assert not Notification.objects.filter(verb="listing.changed").exists()


def test_owner_edit_that_changes_nothing_public_keeps_a_listing_published(researcher):
    result = factories.ResearchResultFactory(owner=_org(researcher))
    same = services.research_result_update(
        research_result=result,
        actor=researcher,
        data={
            "title": result.title,
            "trl": str(result.trl),
            "confidential_details": "新的保密说明",
        },
    )
    assert same.status == ListingStatus.PUBLISHED
    assert same.confidential_details == "新的保密说明"
    assert not Notification.objects.filter(verb="listing.changed").exists()


def test_owner_edit_of_a_draft_keeps_it_a_draft(researcher):
    result = services.research_result_create(actor=researcher, data=COMPLETE_RESULT)
    updated = services.research_result_update(
        research_result=result, actor=researcher, data={"title": "草稿新标题"}
    )
    assert updated.status == ListingStatus.DRAFT


# --- organisations: duplicate credit code ----------------------------------------------------

CREDIT_CODE = "914403001922038216"


def test_duplicate_credit_code_is_an_error_on_the_credit_code_field(researcher):
    factories.OrganizationFactory(credit_code=CREDIT_CODE)
    with pytest.raises(DomainError) as caught:
        services.organization_create(
            actor=researcher,
            data={"kind": OrganizationKind.ENTERPRISE, "legal_name": "另一家公司",
                  "credit_code": CREDIT_CODE},
        )
    assert list(caught.value.fields) == ["credit_code"]
    assert "unified social credit code already exists" in str(
        caught.value.fields["credit_code"][0]
    )
    assert Organization.objects.filter(credit_code=CREDIT_CODE).count() == 1


def test_changing_an_organisation_to_a_used_credit_code_is_a_field_error(researcher):
    factories.OrganizationFactory(credit_code=CREDIT_CODE)
    own = factories.administered_organization(researcher)
    with pytest.raises(DomainError) as caught:
        services.organization_update(
            organization=own, actor=researcher, data={"credit_code": CREDIT_CODE}
        )
    assert list(caught.value.fields) == ["credit_code"]
    own.refresh_from_db()
    assert own.credit_code == ""
    # keeping one's own code is not a clash
    other = Organization.objects.get(credit_code=CREDIT_CODE)
    services.organization_update(
        organization=other, actor=factories.broker(), data={"credit_code": CREDIT_CODE}
    )
