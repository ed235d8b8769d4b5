"""The typed name of a signature: invisible characters are refused (400 on ``typed_name``, in
both languages) and never stored; `same_name` removes only real whitespace."""

from __future__ import annotations

import pytest
from django.utils import translation

from contracts import services
from contracts.models import AgreementSignature
from contracts.services.signing import same_name
from kernel.errors import DomainError
from kernel.invisible_text import invisible_characters
from tests.contracts import support
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign(agreement, user, typed):
    return services.agreement_sign(
        agreement=agreement, actor=user, client=support.CLIENT_A, password=PASSWORD,
        typed_name=typed, document_sha256=agreement.document_sha256,
        preview_sha256=services.preview_sha256(agreement=agreement),
    )


@pytest.mark.parametrize("typed", [
    "张\x1c三",  # INFORMATION SEPARATOR FOUR (Cc): str.split() treats it as whitespace
    "张\x1f三",  # UNIT SEPARATOR (Cc)
    "张\x85三",  # NEXT LINE (Cc)
])
def test_a_typed_name_with_invisible_characters_is_refused_and_never_stored(
    frozen, enterprise_user, typed
):
    # "Texts that are signed refuse them" (kernel.invisible_text); the name form refuses them
    # in the name on record, but `same_name` dropped every character str.split() calls
    # whitespace, control characters included, so the typed name matched and was stored,
    # control character and all, in the signature, the audit event and the sealed PDF.
    support.with_name(enterprise_user, "张三")
    try:
        _sign(frozen, enterprise_user, typed)
    except DomainError as exc:
        assert "typed_name" in exc.fields
    stored = list(AgreementSignature.objects.filter(agreement=frozen)
                  .exclude(typed_name="").values_list("typed_name", flat=True))
    assert not [name for name in stored if invisible_characters(name)], stored


@pytest.mark.parametrize("language, start", [
    ("en", "Remove the invisible or direction-changing characters (U+001C)"),
    ("zh-hans", "请删除"),
])
def test_the_refusal_is_on_typed_name_in_both_languages(frozen, enterprise_user, language,
                                                        start):
    support.with_name(enterprise_user, "张三")
    with translation.override(language), pytest.raises(DomainError) as refused:
        _sign(frozen, enterprise_user, "张\x1c三")
    assert str(refused.value.fields["typed_name"][0]).startswith(start)


def test_same_name_removes_real_whitespace_only():
    assert same_name("张 三", "张三")
    assert same_name("张\u3000三", "张三")  # IDEOGRAPHIC SPACE, NFKC
    assert same_name("Ｚhang San", "ZhangSan")
    assert not same_name("张\x1c三", "张三")
