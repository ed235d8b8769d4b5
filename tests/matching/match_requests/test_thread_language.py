"""A Chinese page reads the mediation's thread lines in Chinese only (an English page in
English only), and the request labels read right in Chinese."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from matching.match_requests import services
from matching.models import MatchRequestDirection
from tests import factories

pytestmark = pytest.mark.django_db

ACCEPTED_EN = "A broker accepted this request on behalf of"
ACCEPTED_ZH = "技术经纪人已代表"
DECLINED_EN = "A broker declined this request on behalf of"


def _page(user, pk, language):
    client = factories.login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(f"/requests/{pk}/").content.decode()


@pytest.fixture
def accepted(enterprise_user, result, broker):
    match_request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    return services.match_request_accept(match_request=match_request, actor=broker)


def test_on_behalf_line_is_in_the_readers_language(accepted, enterprise_user):
    zh = _page(enterprise_user, accepted.pk, "zh-hans")
    assert ACCEPTED_ZH in zh and ACCEPTED_EN not in zh
    en = _page(enterprise_user, accepted.pk, "en")
    assert ACCEPTED_EN in en and ACCEPTED_ZH not in en


def test_decline_line_is_in_the_readers_language(enterprise_user, result, broker):
    match_request = services.match_request_create(
        actor=enterprise_user, research_result=result, message="请介绍。"
    )
    services.match_request_decline(
        match_request=match_request, actor=broker, reason="other", text="无意向"
    )
    zh = _page(enterprise_user, match_request.pk, "zh-hans")
    assert "技术经纪人已代表" in zh and DECLINED_EN not in zh


def test_a_members_own_two_line_message_is_shown_as_written(accepted, enterprise_user):
    body = "第一行\nsecond line"
    services.match_request_message_post(match_request=accepted, actor=enterprise_user, body=body)
    assert body in _page(enterprise_user, accepted.pk, "zh-hans")


def test_chinese_labels_of_the_request_type_and_message(accepted, enterprise_user):
    with translation.override("zh-hans"):
        assert str(MatchRequestDirection.RESULT_TO_NEED.label) == "科研方为需求推荐成果"
    assert "<h2>留言</h2>" in _page(enterprise_user, accepted.pk, "zh-hans")
