"""The log-in steps of allauth that Keqiao changes (`AccountAdapter.get_login_stages`). A
module of its own: allauth's stages module is imported by allauth's flows, not before them."""

from __future__ import annotations

from typing import Any

from allauth.account import stages
from allauth.account.models import EmailAddress


class EmailVerificationStage(stages.EmailVerificationStage):
    """allauth's verification step of a log-in, for the accounts that need it
    (`accounts.verification`): a pending sign-up (inactive), and a log-in by an address
    that is recorded but not verified yet (e.g. a new address before its link is confirmed).
    An active account logging in by username or by an address it was given by staff or
    load_demo goes on."""

    def handle(self) -> tuple[Any, bool]:
        user, email = self.login.user, self.login.email
        if user is not None and user.is_active:
            unverified = EmailAddress.objects.filter(
                user_id=user.pk, email__iexact=email or "", verified=False
            )
            if not (email and unverified.exists()):
                return None, True
        response, cont = stages.EmailVerificationStage.handle(self)
        return response, cont
