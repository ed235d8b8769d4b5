"""Every link in an outgoing e-mail is absolute under SITE_URL: each notification verb's e-mail,
and the account e-mails (tests/accounts/test_*)."""

from __future__ import annotations

import re

import pytest

from marketplace.notification_verbs import VERBS, render_message
from marketplace.notifications import notify
from tests.accounts.helpers import SITE

pytestmark = pytest.mark.django_db


def _params_for(verb) -> dict[str, object]:
    """Values for every parameter the verb's texts and link read (ids 1)."""
    params: dict[str, object] = {}
    for _attempt in range(20):
        try:
            for template in [verb.message, *verb.variants.values()]:
                str(template) % params
            verb.link(params)
            render_message(verb, params)
            return params
        except KeyError as missing:
            params[missing.args[0]] = 1
    raise AssertionError(f"{verb.name}: too many parameters")


@pytest.mark.parametrize("name", sorted(VERBS))
def test_every_notification_email_links_absolutely_under_site_url(
    name, settings, researcher, mailoutbox, django_capture_on_commit_callbacks
):
    settings.SITE_URL = SITE
    verb = VERBS[name]
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[researcher], verb=name, params=_params_for(verb))
    (mail,) = mailoutbox
    assert not re.search(r"(?m)^\s*/\S", mail.body), mail.body  # no site-relative link
    for link in re.findall(r"https?://\S+", mail.body):
        assert link.startswith(f"{SITE}/"), link
    if verb.link(_params_for(verb)):
        assert f"{SITE}/" in mail.body
