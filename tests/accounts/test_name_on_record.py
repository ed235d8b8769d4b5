"""The name on record (姓名), the name a signer types: plain spaces only (no line or paragraph
separators, tabs or other spaces; runs collapsed), no invisible characters; frozen once the user
has signed an agreement (read-only with the reason; staff correct it in the admin)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.contracts import support
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FROZEN = "A signed agreement carries this name; ask the transfer centre to correct it."


@pytest.mark.parametrize("name", ["张\u2028三", "张\u2029三"])
def test_the_name_on_record_refuses_line_and_paragraph_separators(name):
    # The name form refused invisible characters and "\n"/"\t"; U+2028/U+2029 (Zl/Zp) break
    # the line like "\n" and passed. The name on record is printed on the meetings printables
    # and compared to typed names.
    user = factories.enterprise_member()
    client = factories.login(user)
    response = client.post("/accounts/name/", {"name": name})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.first_name != name.strip()


@pytest.mark.parametrize("name", ["张\u00a0三", "张\u3000三", "张\t三", "张\u2063三"])
def test_any_whitespace_but_the_plain_space_and_invisible_characters_are_refused(name):
    user = factories.enterprise_member()
    response = factories.login(user).post("/accounts/name/", {"name": name})
    assert response.status_code == 400 and "name" in response.context["form"].errors


def test_runs_of_spaces_are_collapsed():
    user = factories.enterprise_member()
    factories.login(user).post("/accounts/name/", {"name": "  Zhang    San "})
    user.refresh_from_db()
    assert user.first_name == "Zhang San"


def test_the_name_is_frozen_once_the_user_has_signed_an_agreement(frozen, enterprise_user):
    support.sign(frozen, enterprise_user, support.CLIENT_A, "张三")
    client = factories.login(enterprise_user)
    page = client.get("/accounts/name/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    content = page.content.decode()
    assert "张三" in content and FROZEN in content and 'name="name"' not in content
    changed = client.post("/accounts/name/", {"name": "李四"}, HTTP_ACCEPT_LANGUAGE="en")
    assert changed.status_code == 400
    assert changed.context["form"].errors["name"] == [FROZEN]
    enterprise_user.refresh_from_db()
    assert enterprise_user.first_name == "张三"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    zh = client.get("/accounts/name/").content.decode()
    assert "已签署的合同载有此姓名" in zh


def test_staff_can_still_correct_a_frozen_name_in_the_admin(frozen, enterprise_user):
    support.sign(frozen, enterprise_user, support.CLIENT_A, "张三")
    staff = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client = Client()
    client.force_login(staff)
    url = reverse("admin:auth_user_change", args=[enterprise_user.pk])
    joined = enterprise_user.date_joined
    response = client.post(url, {
        "username": enterprise_user.username, "first_name": "张叁", "last_name": "",
        "email": enterprise_user.email, "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    enterprise_user.refresh_from_db()
    assert enterprise_user.first_name == "张叁"
