"""`manage.py verify_seals`: re-verify every stored sealed agreement against the platform seal
certificate configured now. The last step of a restore (docs/operations.md).

Prints the platform certificate in use and one line per sealed agreement; exits non-zero
(CommandError) when any stored PDF is not intact and identical to the record, or was sealed with
another certificate (the seal certificate and key were not restored with the database).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contracts.seal import platform_certificate_info
from contracts.verification.report import verify_stored_seals


class Command(BaseCommand):
    help = (
        "Re-verify every stored sealed agreement PDF against the database and the platform "
        "seal certificate configured now; fails when any does not verify."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        certificate = platform_certificate_info()
        self.stdout.write(
            f"Platform seal certificate / 平台签章证书: {certificate.subject}"
            f" (SHA-256 {certificate.sha256_fingerprint})"
        )
        checked = 0
        failed: list[str] = []
        for check in verify_stored_seals():
            checked += 1
            if check.ok:
                line = f"{check.number}: ok / 验证通过"
            elif check.status == "valid":
                line = (
                    f"{check.number}: sealed with another certificate (SHA-256 "
                    f"{check.fingerprint or '-'}) / 签章证书不是当前平台证书"
                )
            else:
                line = f"{check.number}: {check.status} / 验证未通过"
            if check.ok:
                self.stdout.write(line)
            else:
                self.stderr.write(line)
                failed.append(check.number)
        passed = checked - len(failed)
        summary = (
            f"Sealed agreements: {checked} checked, {passed} ok"
            f" / 签章合同：已验证 {checked} 份，通过 {passed} 份"
        )
        if failed:
            raise CommandError(
                f"{summary}. Not verified / 未通过: {', '.join(failed)}. Restore the seal "
                "certificate and key (KEQIAO_SEAL_* or VAR_DIR/seal/) that sealed them."
            )
        self.stdout.write(summary)
