"""Notifications that follow an organisation's membership audit trail: when an invitee joins
(`MembershipEvent` INVITATION_ACCEPTED), its administrators are told
(``organization.member_joined``). Connected to `post_save` of `MembershipEvent` in
`marketplace.apps` so the announcement follows every path that records the event (the
invitation service writes the event in the joining transaction; the rows are written in it,
the e-mails after it commits)."""

from __future__ import annotations

from typing import Any

from marketplace.choices import MembershipAction
from marketplace.models import Membership, MembershipEvent
from marketplace.notifications import notify


def announce_member_joined(
    sender: type[MembershipEvent], instance: MembershipEvent, created: bool, **kwargs: Any
) -> None:
    """Tell the organisation's administrators (but the new member) that an invitee joined."""
    if not created or instance.action != MembershipAction.INVITATION_ACCEPTED:
        return
    joined = instance.user
    administrators = [
        membership.user
        for membership in Membership.objects.filter(
            organization_id=instance.organization_id, is_administrator=True
        ).select_related("user")
        if joined is None or membership.user_id != joined.pk
    ]
    name = (joined.get_full_name() or joined.get_username()) if joined else instance.email
    notify(
        users=administrators,
        verb="organization.member_joined",
        params={"organization": instance.organization_id,
                "name": instance.organization.legal_name, "user": name},
    )
