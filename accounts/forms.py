"""``ACCOUNT_FORMS``: allauth's forms with Keqiao's wording; and the name-on-record form.

allauth labels the log-in field "Login" (Chinese "登录", the same word as the page and its
button) with the placeholder "Username or email" and autocomplete="email", although a
username is accepted too. Here the label says what to type, and autocomplete is "username",
the token the HTML standard gives a sign-in identifier (WHATWG HTML, "Autofill": "username").
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import NAME_MAX_LENGTH
from kernel.invisible_text import invisible_characters


class LoginForm(AllauthLoginForm):
    """allauth's log-in form; the field `login` takes a username or an e-mail address."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("Username or e-mail address")
        field.widget.attrs.update(
            {"placeholder": _("Username or e-mail address"), "autocomplete": "username"}
        )


class NameForm(forms.Form):
    """The account's name on record (姓名): the name its holder types to sign agreements."""

    name = forms.CharField(
        label=_("Name on record"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Your full legal name as on your identity document. To sign an agreement "
                    "you type exactly this name."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if invisible_characters(name) or "\n" in name or "\t" in name:
            raise forms.ValidationError(_("The name may not contain invisible characters."))
        return name
