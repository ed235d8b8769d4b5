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
from marketplace.validators import validate_visible_text


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
        """The name with runs of spaces collapsed; refused with invisible characters (the
        organisation texts' check, `validate_visible_text`) or any whitespace but the plain
        space (line and paragraph separators, tabs, no-break and ideographic spaces): it is
        printed on one line and compared to typed names."""
        name = str(self.cleaned_data["name"]).strip()
        validate_visible_text(name)
        if any(char.isspace() and char != " " for char in name):
            raise forms.ValidationError(
                _("Separate the parts of the name with plain spaces only (no line breaks, "
                  "tabs or other spaces)."), code="whitespace")
        return " ".join(part for part in name.split(" ") if part)
