"""Who may do what at a roadshow: the rules every feature package of `projects` checks.

- Host staff (`is_host_staff`): site admins, and brokers/admins who are members of the host
  organisation. Only they create, edit and control an event, see all registrations and hidden
  questions, run the meeting scheduler, see the outcome report and check attendees in.
- Who may create roadshows in the web (`host_choices`, `may_create_roadshows`): host staff of
  a transfer centre, and site admins.
- Confirmed attendees (`is_confirmed_attendee`) and host staff follow the live state, ask and
  upvote questions (`may_follow_live`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kernel.errors import PermissionDeniedError
from marketplace import roles
from marketplace.choices import OrganizationKind, Role
from marketplace.models import Membership, Organization
from projects.choices import RegistrationStatus
from projects.models import Registration, Roadshow

if TYPE_CHECKING:
    from marketplace.roles import AnyUser

HOST_STAFF_ROLES = (Role.BROKER, Role.ADMIN)


def is_host_staff(*, user: AnyUser, roadshow: Roadshow) -> bool:
    """Admins, and members of the host organisation with role broker or admin."""
    if not user.is_authenticated:
        return False
    if roles.is_admin(user):
        return True
    return Membership.objects.filter(
        user_id=user.pk, organization_id=roadshow.host_id, role__in=HOST_STAFF_ROLES
    ).exists()


def require_host_staff(*, user: AnyUser, roadshow: Roadshow) -> None:
    """Raise PermissionDeniedError (403) unless `user` is host staff of `roadshow`."""
    if not is_host_staff(user=user, roadshow=roadshow):
        raise PermissionDeniedError(_("Only staff of the host organisation can do this."))


def hostable_organization_ids(*, user: AnyUser) -> set[int]:
    """Organisations whose roadshows `user` may create and run (admins: any, returned empty
    here — callers check `roles.is_admin` first)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user_id=user.pk, role__in=HOST_STAFF_ROLES).values_list(
            "organization_id", flat=True
        )
    )


def host_choices(user: AnyUser) -> QuerySet[Organization]:
    """The transfer centres `user` may create roadshows for in the web (site admins: all of
    them), by name."""
    centres = Organization.objects.filter(kind=OrganizationKind.TRANSFER_CENTRE)
    if roles.is_admin(user):
        return centres.order_by("legal_name")
    return centres.filter(pk__in=hostable_organization_ids(user=user)).order_by("legal_name")


def may_create_roadshows(user: AnyUser) -> bool:
    """Whether `user` sees the new-roadshow entry (host staff of some transfer centre)."""
    return bool(user.is_authenticated) and host_choices(user).exists()


def is_confirmed_attendee(*, roadshow: Roadshow, user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    return Registration.objects.filter(
        roadshow=roadshow, user_id=user.pk, status=RegistrationStatus.CONFIRMED
    ).exists()


def may_follow_live(*, roadshow: Roadshow, user: AnyUser) -> bool:
    """Confirmed attendees and host staff may read the live state, ask and express intent."""
    return is_confirmed_attendee(roadshow=roadshow, user=user) or is_host_staff(
        user=user, roadshow=roadshow
    )
