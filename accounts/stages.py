"""The log-in steps of allauth that Keqiao changes (`AccountAdapter.get_login_stages`). A
module of its own: allauth's stages module is imported by allauth's flows, not before them."""

from __future__ import annotations

from typing import Any

from allauth.account import stages
from allauth.account.models import EmailAddress


class EmailVerificationStage(stages.EmailVerificationStage):
    """allauth's verification step of a log-in, except for accounts without any address
    record (made by staff or load_demo: `accounts.verification`)."""

    def handle(self) -> tuple[Any, bool]:
        user = self.login.user
        if (
            user is not None
            and user.is_active
            and not EmailAddress.objects.filter(user_id=user.pk).exists()
        ):
            return None, True
        response, cont = stages.EmailVerificationStage.handle(self)
        return response, cont
