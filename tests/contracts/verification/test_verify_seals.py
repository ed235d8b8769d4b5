"""`manage.py verify_seals` (the last step of a restore, docs/operations.md): every stored sealed
agreement must verify against the database and the platform certificate configured now."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_verify_seals_passes_when_every_stored_seal_is_intact_and_ours(signed):
    out = StringIO()
    call_command("verify_seals", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Platform seal certificate")
    assert f"{signed.number}: ok / 验证通过" in lines
    assert lines[-1].startswith("Sealed agreements: 1 checked, 1 ok")


def test_verify_seals_fails_naming_agreements_sealed_with_another_certificate(
    signed, settings, tmp_path
):
    settings.VAR_DIR = tmp_path  # the seal key pair was not restored: a new one is generated
    err = StringIO()
    with pytest.raises(CommandError, match=rf"1 checked, 0 ok.*{signed.number}.*KEQIAO_SEAL_"):
        call_command("verify_seals", stdout=StringIO(), stderr=err)
    assert f"{signed.number}: sealed with another certificate" in err.getvalue()


def test_verify_seals_fails_when_a_stored_pdf_was_changed(signed):
    changed = bytearray(bytes(signed.sealed_pdf))
    changed[len(changed) // 2] ^= 0x01
    signed.sealed_pdf = bytes(changed)
    signed.save(update_fields=["sealed_pdf"])
    err = StringIO()
    with pytest.raises(CommandError, match=signed.number):
        call_command("verify_seals", stdout=StringIO(), stderr=err)
    assert f"{signed.number}: tampered" in err.getvalue()


def test_verify_seals_with_no_sealed_agreement_checks_nothing_and_passes():
    out = StringIO()
    call_command("verify_seals", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("Sealed agreements: 0 checked, 0 ok")
