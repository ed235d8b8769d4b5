"""The password-reset request page (django-allauth's), limited per recipient as well as per
caller.

The page itself is rate-limited per caller and address (``throttle_web("password_reset")``).
`PasswordResetView` adds a limit per recipient address, ``THROTTLE_RATES
["password_reset_recipient"]``, so that many callers together cannot flood one mailbox. Over
that limit the page answers exactly as when the e-mail was sent (a redirect to "done") and
sends nothing: the answer never tells whether an address has an account or hit a limit.
allauth's own, per-process limit on reset requests is off (``ACCOUNT_RATE_LIMITS``): these
limits count in the store every worker shares.
"""

from __future__ import annotations

import hashlib

from allauth.account import views as allauth_views
from allauth.account.forms import ResetPasswordForm
from django.http import HttpResponse, HttpResponseRedirect

from kernel.api.throttling import allow_for_identity

RECIPIENT_SCOPE = "password_reset_recipient"


def recipient_identity(email: str) -> str:
    """A stable key for an e-mail address that does not store the address (SHA-256 of its
    case-folded form)."""
    return hashlib.sha256(email.strip().casefold().encode("utf-8")).hexdigest()


class PasswordResetView(allauth_views.PasswordResetView):
    """allauth's password-reset view with the per-recipient limit of the module docstring."""

    def form_valid(self, form: ResetPasswordForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        if not allow_for_identity(RECIPIENT_SCOPE, recipient_identity(email)):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
