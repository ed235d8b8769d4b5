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


@pytest.mark.parametrize("typed", [
    "张\x1c三",  # INFORMATION SEPARATOR FOUR (Cc): str.split() treats it as whitespace
    "张\x1f三",  # UNIT SEPARATOR (Cc)
    "张\x85三",  # NEXT LINE (Cc)
])
def test_a_typed_name_with_invisible_characters_is_refused_and_never_stored(
    frozen, enterprise_user, typed
):
    # "Texts that are signed refuse them" (kernel.invisible_text); the name form refuses them
    # in the name on record, but `same_name` drops every character str.split() calls
    # whitespace, control characters included, so the typed name matches and is stored,
    # control character and all, in the signature, the audit event and the sealed PDF.
    support.with_name(enterprise_user, "张三")
    try:
        services.agreement_sign(
            agreement=frozen, actor=enterprise_user, client=support.CLIENT_A, password=PASSWORD,
            typed_name=typed, document_sha256=frozen.document_sha256,
            preview_sha256=services.preview_sha256(agreement=frozen),
        )
    except DomainError as exc:
        assert "typed_name" in exc.fields
    stored = list(AgreementSignature.objects.filter(agreement=frozen)
                  .exclude(typed_name="").values_list("typed_name", flat=True))
    assert not [name for name in stored if invisible_characters(name)], stored


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
