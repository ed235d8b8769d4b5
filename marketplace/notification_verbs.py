"""The registry of notification verbs: what each `Notification.verb` says and where it links.

A notification is stored as its verb and its parameters (`Notification.params`, plain JSON
strings and numbers) and rendered when it is read, through gettext in the reader's language
(`render_message`), so a page in English shows English and one in Chinese shows Chinese. Each
`Verb` has:

- `message`: a gettext_lazy template with named placeholders (``%(title)s``) filled from the
  parameters; `variants` are alternative templates, chosen by the parameter ``variant`` (a
  broker acting on the recipient's behalf, party B instead of party A, ...);
- `subject`: the e-mail subject (gettext_lazy, no placeholders);
- `link`: builds the site-relative URL of the object from the parameters (its id), or "" when
  the site has no page for it;
- `translated`: parameters whose value is the source text (gettext msgid) of a choice label,
  translated when rendered (a match request's decline reason).

Verbs are named ``noun.verb`` (``listing.approved``, ``match_request.created``,
``agreement.signed``); rows stored under the older underscore names were renamed by the
migration marketplace 0007. Every app's verbs live here, so one module says everything the site
tells its users. Links name
URL routes by string; this module imports no feature app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.notification_links import (
    VARIANT,
    Params,
    agreement_link,
    claims_queue_link,
    join_requests_link,
    listing_link,
    match_request_link,
    mediation_link,
    members_link,
    my_schedule_link,
    organization_link,
    roadshow_link,
)

__all__ = ["VARIANT", "VERBS", "Params", "Verb", "get_verb", "render_message"]


@dataclass(frozen=True)
class Verb:
    """One kind of notification (see the module docstring)."""

    name: str
    message: Promise
    subject: Promise
    link: Callable[[Params], str]
    variants: Mapping[str, Promise] = field(default_factory=dict)
    translated: tuple[str, ...] = ()

    def template(self, params: Params) -> Promise:
        """The message template for `params`: the variant they name, else `message`."""
        variant = params.get(VARIANT)
        if isinstance(variant, str) and variant in self.variants:
            return self.variants[variant]
        return self.message


_VERBS = [
    # Listings (marketplace.services): params listing, kind ("result" or "need"), title.
    Verb(
        "listing.changed",
        _("The published listing “%(title)s” was changed by its owner and needs review again."),
        _("A published listing needs review again"),
        listing_link,
    ),
    Verb(  # to brokers; params also name (the owner organisation)
        "listing.submitted",
        _("%(name)s submitted the listing “%(title)s” for review."),
        _("A listing waits for review"),
        listing_link,
    ),
    Verb(
        "listing.approved",
        _("Your listing “%(title)s” was approved and is now published."),
        _("Your listing was approved"),
        listing_link,
    ),
    Verb(  # params also: reason (the broker's words)
        "listing.rejected",
        _("Your listing “%(title)s” was sent back: %(reason)s"),
        _("Your listing was sent back"),
        listing_link,
    ),
    # Organisations (marketplace.services.organizations, .joining): params organization (its
    # id), name (its legal name).
    Verb(
        "organization.submitted",
        _("%(name)s registered on Keqiao and waits for verification."),
        _("An organisation waits for verification"),
        organization_link,
    ),
    Verb(  # to the organisation's administrators; params organization, name, user (the
        # new member's name)
        "organization.member_joined",
        _("%(user)s accepted an invitation and joined %(name)s."),
        _("A new member joined your organisation"),
        members_link,
    ),
    Verb(
        "organization.verified",
        _("A broker verified %(name)s. Its members can now publish listings and send requests."),
        _("Your organisation was verified"),
        organization_link,
    ),
    Verb(  # params also: reason (the broker's words)
        "organization.rejected",
        _("A broker did not verify %(name)s: %(reason)s"),
        _("Your organisation was not verified"),
        organization_link,
    ),
    Verb(  # params also: user (the asking user's name)
        "join_request.created",
        _("%(user)s asks to join %(name)s."),
        _("A request to join your organisation"),
        join_requests_link,
    ),
    Verb(
        "join_request.approved",
        _("Your request to join %(name)s was approved; you are now a member."),
        _("Your request to join was approved"),
        organization_link,
    ),
    Verb(  # params also: reason (their words, may be empty: variant "no_reason")
        "join_request.rejected",
        _("Your request to join %(name)s was declined: %(reason)s"),
        _("Your request to join was declined"),
        organization_link,
        variants={"no_reason": _("Your request to join %(name)s was declined.")},
    ),
    # Claims (marketplace.services.claims): params organization, name; user (the claimant's
    # name) to brokers, reason when rejected.
    Verb(
        "organization_claim.created",
        _("%(user)s claims %(name)s and sent evidence; please check it."),
        _("A claim of an organisation waits for a broker"),
        claims_queue_link,
    ),
    Verb(
        "organization_claim.approved",
        _("Your claim of %(name)s was approved: you are its administrator, and it is verified."),
        _("Your claim was approved"),
        organization_link,
    ),
    Verb(
        "organization_claim.rejected",
        _("Your claim of %(name)s was rejected: %(reason)s"),
        _("Your claim was rejected"),
        organization_link,
    ),
    Verb(
        "organization_claim.closed",
        _("Another person's claim of %(name)s was approved, so your claim of it is closed; ask "
          "its administrators to join it instead."),
        _("Your claim was closed"),
        organization_link,
    ),
    # Match requests (matching.match_requests.services): params match_request, organization
    # (the other side's name), result (the research result's title).
    Verb(
        "match_request.created",
        _("%(organization)s asks to be introduced about your research result “%(result)s”."),
        _("New match request"),
        match_request_link,
        variants={
            "proposal": _(
                "%(organization)s proposes the research result “%(result)s” for your "
                "technology need “%(need)s”."
            ),
        },
    ),
    Verb(
        "match_request.accepted",
        _(
            "%(organization)s accepted your match request about “%(result)s”. "
            "Contact details are now visible to both sides."
        ),
        _("Match request accepted"),
        match_request_link,
        variants={
            "on_behalf": _(
                "A broker accepted the match request from %(organization)s about “%(result)s” "
                "on your behalf. Contact details are now visible to both sides."
            ),
            # To the requester, params also note (the broker's message to them).
            "by_broker": _(
                "The transfer centre accepted your match request about “%(result)s” on behalf "
                "of %(organization)s; the request's page shows whom to contact. The broker's "
                "message: %(note)s"
            ),
        },
    ),
    Verb(  # params also: reason (a DeclineReason label's source text)
        "match_request.declined",
        _(
            "%(organization)s declined your match request about “%(result)s” "
            "(reason: %(reason)s)."
        ),
        _("Match request declined"),
        match_request_link,
        variants={
            "on_behalf": _(
                "A broker declined the match request from %(organization)s about “%(result)s” "
                "on your behalf (reason: %(reason)s)."
            ),
        },
        translated=("reason",),
    ),
    Verb(
        "match_request.withdrawn",
        _("%(organization)s withdrew its match request about “%(result)s”."),
        _("Match request withdrawn"),
        match_request_link,
    ),
    Verb(
        "match_request.message",
        _("New message in the match request about “%(result)s”."),
        _("New message about a match request"),
        match_request_link,
    ),
    # The transfer centre (matching.mediation): params also addressee (the addressed
    # organisation's name); days (the escalation delay) when escalated. To brokers, linking
    # to the mediation queue; the variant "sender" to the requester, linking to the request.
    Verb(
        "match_request.mediated",
        _(
            "%(organization)s asks %(addressee)s, which has no members on Keqiao, about "
            "“%(result)s”; the transfer centre handles the request."
        ),
        _("A match request for the transfer centre"),
        mediation_link(match_request_link),
    ),
    Verb(
        "match_request.escalated",
        _(
            "The match request from %(organization)s to %(addressee)s about “%(result)s” has "
            "had no answer for %(days)s days; it is now in the mediation queue."
        ),
        _("An unanswered match request was escalated"),
        mediation_link(match_request_link),
        variants={
            "sender": _(
                "Your match request to %(addressee)s about “%(result)s” has had no answer for "
                "%(days)s days; the transfer centre now handles it."
            ),
        },
    ),
    # 1:1 meetings (projects.meetings): params roadshow_id, roadshow (its title).
    Verb(  # params also: title (the presented project)
        "meeting_request.created",
        _("New 1:1 meeting request about “%(title)s” at %(roadshow)s."),
        _("New 1:1 meeting request"),
        my_schedule_link,
    ),
    Verb(  # params: org (the presenting organisation)
        "meeting_request.accepted",
        _("%(org)s accepted your meeting request; it will be scheduled."),
        _("Meeting request accepted"),
        my_schedule_link,
        variants={
            "on_behalf": _(
                "The transfer centre accepted your meeting request on behalf of %(org)s; it "
                "will be scheduled."
            ),
            # params also note (the broker's message to the requester).
            "on_behalf_note": _(
                "The transfer centre accepted your meeting request on behalf of %(org)s; it "
                "will be scheduled. The broker's message: %(note)s"
            ),
        },
    ),
    Verb(  # params: org, reason (their words)
        "meeting_request.declined",
        _("%(org)s declined your meeting request: %(reason)s"),
        _("Meeting request declined"),
        my_schedule_link,
        variants={
            "on_behalf": _(
                "The transfer centre declined your meeting request on behalf of %(org)s: "
                "%(reason)s"
            ),
        },
    ),
    # The transfer centre and 1:1 meetings: params also title (the presented project), org
    # (the presenting organisation); days when escalated. Links as the match requests'.
    Verb(
        "meeting_request.mediated",
        _(
            "A 1:1 meeting request about “%(title)s” at %(roadshow)s is addressed to %(org)s, "
            "which has no members on Keqiao; the transfer centre handles it."
        ),
        _("A meeting request for the transfer centre"),
        mediation_link(my_schedule_link),
    ),
    Verb(
        "meeting_request.escalated",
        _(
            "The 1:1 meeting request to %(org)s about “%(title)s” at %(roadshow)s has had no "
            "answer for %(days)s days; it is now in the mediation queue."
        ),
        _("An unanswered meeting request was escalated"),
        mediation_link(my_schedule_link),
        variants={
            "sender": _(
                "Your 1:1 meeting request to %(org)s about “%(title)s” at %(roadshow)s has had "
                "no answer for %(days)s days; the transfer centre now handles it."
            ),
        },
    ),
    Verb(
        "meetings.scheduled",
        _("Your 1:1 meeting schedule for %(roadshow)s is ready."),
        _("Your 1:1 meeting schedule is ready"),
        my_schedule_link,
    ),
    Verb(  # params also: title (the presented project), when (Beijing time), room; the
        # variant "rescheduled" (none of them) when a re-run of the scheduler moved or dropped
        # meetings of the person
        "meetings.changed",
        _(
            "Your 1:1 meeting about “%(title)s” at %(roadshow)s has changed: now %(when)s "
            "(Beijing time), %(room)s."
        ),
        _("Your 1:1 meeting has changed"),
        my_schedule_link,
        variants={
            "rescheduled": _(
                "The 1:1 meeting schedule of %(roadshow)s was redone: your meetings moved or "
                "could not be kept. See your schedule."
            ),
        },
    ),
    # Tickets (projects.registrations.services): params roadshow_id, title, ticket, starts
    # (YYYY-MM-DD HH:MM, UTC).
    Verb(
        "registration.confirmed",
        _(
            "Your payment was received: your registration for “%(title)s” is confirmed. "
            "Ticket %(ticket)s; the roadshow starts %(starts)s (UTC)."
        ),
        _("Your registration is confirmed"),
        roadshow_link,
    ),
    # Agreements (contracts.services): params agreement (id), number (e.g. KQ-2026-0001).
    Verb(  # params also: result (the research result's title)
        "agreement.created",
        _(
            "Agreement %(number)s (%(result)s) was drafted from a match request. "
            "Please review and edit its terms."
        ),
        _("New draft agreement"),
        agreement_link,
    ),
    Verb(  # params also: version (its number)
        "agreement.edited",
        _("Agreement %(number)s has a new version v%(version)s; please review the changes."),
        _("New version of an agreement"),
        agreement_link,
    ),
    Verb(  # params also: frozen (the reopened version's number), version (the new draft's)
        "agreement.reopened",
        _(
            "v%(frozen)s of agreement %(number)s was reopened for changes; the new draft "
            "v%(version)s needs both parties' approval again."
        ),
        _("Agreement reopened for changes"),
        agreement_link,
    ),
    Verb(  # params also: version
        "agreement.approved",
        _("The other party approved v%(version)s of agreement %(number)s; your approval is "
          "awaited."),
        _("The other party approved the agreement"),
        agreement_link,
    ),
    Verb(  # params also: version
        "agreement.frozen",
        _("Both parties approved v%(version)s of agreement %(number)s; it is frozen and ready "
          "to sign."),
        _("Agreement ready to sign"),
        agreement_link,
    ),
    Verb(  # variant "party_b" when party B signed
        "agreement.signed",
        _("Party A signed agreement %(number)s; your signature is awaited."),
        _("The other party signed the agreement"),
        agreement_link,
        variants={"party_b": _("Party B signed agreement %(number)s; your signature is awaited.")},
    ),
    # Alerts (matching.alerts, sent by its worker): params listing, kind, title (the new
    # listing); own (the title of the recipient's organisation's listing it strongly matches)
    # or search (the name of the recipient's saved search it satisfies).
    Verb(
        "alert.need_for_result",
        _("A new technology need “%(title)s” strongly matches your research result “%(own)s”."),
        _("A new technology need fits your research result"),
        listing_link,
    ),
    Verb(
        "alert.result_for_need",
        _("A new research result “%(title)s” strongly matches your technology need “%(own)s”."),
        _("A new research result fits your technology need"),
        listing_link,
    ),
    Verb(
        "alert.saved_search",
        _("A new listing “%(title)s” matches your saved search “%(search)s”."),
        _("A new listing matches your saved search"),
        listing_link,
    ),
    Verb(
        "agreement.signed_by_all",
        _("Agreement %(number)s is signed by both parties; the platform is sealing its PDF."),
        _("Agreement signed by both parties"),
        agreement_link,
    ),
    Verb(
        "agreement.completed",
        _(
            "Agreement %(number)s is signed by both parties and sealed; the PDF can be "
            "downloaded."
        ),
        _("Agreement sealed"),
        agreement_link,
    ),
]

#: Every verb by its name (`Notification.verb`).
VERBS: dict[str, Verb] = {verb.name: verb for verb in _VERBS}


def get_verb(name: str) -> Verb:
    """The registered verb `name`; ValueError when there is none."""
    try:
        return VERBS[name]
    except KeyError:
        message = f"Unknown notification verb {name!r}; register it in {__name__}."
        raise ValueError(message) from None


def render_message(verb: Verb, params: Params) -> str:
    """The verb's text for `params` in the active language. Raises KeyError when a
    placeholder of the template has no parameter."""
    values: dict[str, Any] = dict(params)
    for name in verb.translated:
        if isinstance(values.get(name), str):
            values[name] = gettext(values[name])
    return str(verb.template(params)) % values
