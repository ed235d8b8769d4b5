"""Notifying the parties of an agreement (`notify_parties`), which every step of the agreement
services does with its verb of `marketplace.notification_verbs` (``agreement.…``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from marketplace.notification_verbs import Params
from marketplace.notifications import notify
from marketplace.selectors import organization_members

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from contracts.models import Agreement


def notify_parties(
    agreement: Agreement, *, actor: User | None, verb: str, params: Params | None = None
) -> None:
    """Notify the members of both parties except `actor` (None: everyone) with `verb` of
    `marketplace.notification_verbs`; the params name the agreement (id and number) besides
    `params`, and its page is the link."""
    notify(
        users=organization_members(agreement.party_a_id, agreement.party_b_id, exclude=actor),
        verb=verb,
        params={**(params or {}), "agreement": agreement.pk, "number": agreement.number},
    )

