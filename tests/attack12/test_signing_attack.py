"""Attacks on signing what you see (the typed name and the name on record): each test names
the rule it checks and fails on main."""

from __future__ import annotations

import pytest

from contracts import services
from contracts.models import AgreementSignature
from kernel.errors import DomainError
from kernel.invisible_text import invisible_characters
from tests import factories
from tests.contracts import support
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["张\u2028三", "张\u2029三"])
def test_the_name_on_record_refuses_line_and_paragraph_separators(name):
    # The name form refuses invisible characters and "\n"/"\t"; U+2028/U+2029 (Zl/Zp) break
    # the line like "\n" and pass. The name on record is printed on the meetings printables
    # and compared to typed names.
    user = factories.enterprise_member()
    client = factories.login(user)
    response = client.post("/accounts/name/", {"name": name})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.first_name != name.strip()
