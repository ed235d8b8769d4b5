"""``ACCOUNT_FORMS``: allauth's forms with Keqiao's wording.

allauth labels the log-in field "Login" (Chinese "登录", the same word as the page and its
button) with the placeholder "Username or email" and autocomplete="email", although a
username is accepted too. Here the label says what to type, and autocomplete is "username",
the token the HTML standard gives a sign-in identifier (WHATWG HTML, "Autofill": "username").
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AllauthLoginForm):
    """allauth's log-in form; the field `login` takes a username or an e-mail address."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("Username or e-mail address")
        field.widget.attrs.update(
            {"placeholder": _("Username or e-mail address"), "autocomplete": "username"}
        )
