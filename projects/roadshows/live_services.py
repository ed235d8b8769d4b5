"""Live control of a roadshow by host staff: go live, move through the agenda, open and close
questions, end, cancel. Each change bumps the live version in the same transaction
(`projects.roadshows.service_support`). Errors as in `projects.roadshows.services`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, DomainError, field_error
from kernel.locking import copy_locked_fields, lock_row
from projects.choices import RegistrationStatus, RoadshowStatus
from projects.models import Registration, Roadshow, RoadshowSlot
from projects.permissions import require_host_staff
from projects.registrations.services import registration_cancel
from projects.roadshows.selectors import roadshow_slots
from projects.roadshows.service_support import bump_live_version

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

RS = RoadshowStatus
REG = RegistrationStatus


# --- live control -----------------------------------------------------------------------------


@transaction.atomic
def roadshow_go_live(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """scheduled → live (host staff), presenting the first slot unless one was chosen.
    Raises 409 from any other status, 400 for an empty agenda."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status != RS.SCHEDULED:
        raise ConflictError(_("Only a scheduled roadshow can go live."))
    first = roadshow_slots(roadshow=locked).first()
    if first is None:
        raise DomainError(_("Add at least one project to the agenda first."), code="empty_agenda")
    locked.status = RS.LIVE
    if locked.current_slot_id is None:
        locked.current_slot = first
    locked.save(update_fields=["status", "current_slot", "updated_at"])
    bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


def _target_slot(roadshow: Roadshow, to: str | int) -> RoadshowSlot:
    slots = list(roadshow_slots(roadshow=roadshow))
    ids = [s.pk for s in slots]
    position = ids.index(roadshow.current_slot_id) if roadshow.current_slot_id in ids else None
    if to == "next":
        if position is None:
            return slots[0]
        if position + 1 >= len(slots):
            raise ConflictError(_("This is the last project of the agenda."))
        return slots[position + 1]
    if to == "previous":
        if position is None:
            raise ConflictError(_("No project is presenting yet."))
        if position == 0:
            raise ConflictError(_("This is the first project of the agenda."))
        return slots[position - 1]
    if isinstance(to, int) and not isinstance(to, bool) and to in ids:
        return slots[ids.index(to)]
    raise field_error("to", _('Give "next", "previous" or the id of a slot of this agenda.'))


@transaction.atomic
def roadshow_advance(*, roadshow: Roadshow, actor: User, to: str | int) -> Roadshow:
    """Change the project now presenting (host staff, roadshow live, else 409):
    ``"next"`` (the first slot when none is presenting), ``"previous"``, or a slot id of this
    agenda (jump). At the ends of the agenda ``"next"``/``"previous"`` are refused with 409
    and nothing changes; jumping to the slot already presenting changes nothing (no version
    bump). An id not on this agenda is 400 on ``to``."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("The roadshow is not live."))
    target = _target_slot(locked, to)
    if target.pk != locked.current_slot_id:
        locked.current_slot = target
        locked.save(update_fields=["current_slot", "updated_at"])
        bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


@transaction.atomic
def roadshow_questions_set(
    *, roadshow: Roadshow, actor: User, open: bool, slot: RoadshowSlot | None = None
) -> RoadshowSlot:
    """Open or close questions for `slot` (default: the slot now presenting; 409 when none).
    Host staff only. Bumps the live version when the flag changes."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status in (RS.ENDED, RS.CANCELLED):
        raise ConflictError(_("The roadshow is over."))
    if slot is None:
        if locked.current_slot_id is None:
            raise ConflictError(_("No project is presenting yet."))
        slot = RoadshowSlot.objects.get(pk=locked.current_slot_id)
    elif slot.roadshow_id != locked.pk:
        raise field_error("slot", _("This slot is not on the agenda of this roadshow."))
    if slot.questions_open != open:
        slot.questions_open = open
        slot.save(update_fields=["questions_open"])
        bump_live_version(locked)
    return slot


@transaction.atomic
def roadshow_end(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """live → ended (host staff; 409 otherwise): nothing presents any more and all questions
    close."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("Only a live roadshow can end."))
    locked.status = RS.ENDED
    locked.last_presented_slot = locked.current_slot
    locked.current_slot = None
    locked.save(update_fields=["status", "current_slot", "last_presented_slot", "updated_at"])
    RoadshowSlot.objects.filter(roadshow=locked).update(questions_open=False)
    bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


def roadshow_cancel(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """scheduled → cancelled (host staff; 409 otherwise); every ticket is cancelled, paid ones
    refunded in full. Refund failures are logged and leave that ticket for staff to retry
    with `registration_cancel`."""
    require_host_staff(user=actor, roadshow=roadshow)
    with transaction.atomic():
        locked = lock_row(roadshow)
        if locked.status != RS.SCHEDULED:
            raise ConflictError(_("Only a scheduled roadshow can be cancelled."))
        locked.status = RS.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        bump_live_version(locked)
        copy_locked_fields(locked, roadshow)
    for registration in Registration.objects.filter(
        roadshow=roadshow, status__in=[REG.PENDING_PAYMENT, REG.CONFIRMED]
    ):
        try:
            registration_cancel(registration=registration, actor=actor)
        except DomainError:
            logger.exception("Could not cancel registration %s", registration.pk)
    return roadshow


__all__ = [
    "roadshow_advance",
    "roadshow_cancel",
    "roadshow_end",
    "roadshow_go_live",
    "roadshow_questions_set",
]
