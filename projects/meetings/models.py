"""1:1 meetings (洽谈) at a roadshow.

Exposed by `projects.models` so that Django registers these models with the `projects` app.
Services live in `projects.meetings.services` and `projects.meetings.scheduling`; the pure
scheduler in `projects.meetings.scheduler`.

- `MeetingBlock`: a stretch of time at a roadshow cut into `slot_minutes` meeting slots, held
  in parallel at each of `rooms` (table names or video-room names).
- `MeetingRequest`: an attendee asks to meet the presenter organisation of an agenda slot
  (reason required). Life cycle::

      requested ──(presenter accepts)──> accepted ──(scheduler)──> scheduled | unplaced
      requested ──(presenter declines, with a reason)──> declined
      unplaced ──(scheduler, later run)──> scheduled

- `Unavailability`: a time when a user (attendee side) or an organisation (presenter side, or
  the whole requesting organisation) cannot meet.
- `Meeting`: the placed meeting of an accepted request: room, start and end.
- `MeetingSchedulePublication`: the schedule of a roadshow is a draft (seen by host staff
  only) until host staff publish it; who published it and when.

Times are aware UTC datetimes; intervals are half-open ``[starts_at, ends_at)``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.models import Authored, Organization
from matching.mediation.models import Mediated, MediationEvent, mediated_indexes


class MeetingBlock(Authored):
    """A block of meeting time, e.g. 14:00–17:00 in 20-minute slots at tables A1…A6."""

    roadshow = models.ForeignKey(
        "projects.Roadshow", on_delete=models.CASCADE, related_name="meeting_blocks"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    slot_minutes = models.PositiveSmallIntegerField(_("minutes per meeting"), default=20)
    # Names of the tables or video rooms used in parallel, e.g. ["Table 1", "Table 2"].
    rooms = models.JSONField(_("rooms"), default=list)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("meeting block")
        verbose_name_plural = _("meeting blocks")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_block_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.roadshow_id}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    def slot_bounds(self) -> list[tuple[datetime, datetime]]:
        """The meeting slots of the block: consecutive ``(start, end)`` pairs of
        `slot_minutes`; a remainder shorter than one slot at the end is not used."""
        step = timedelta(minutes=self.slot_minutes)
        bounds: list[tuple[datetime, datetime]] = []
        start = self.starts_at
        while start + step <= self.ends_at:
            bounds.append((start, start + step))
            start += step
        return bounds


class MeetingRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SCHEDULED = "scheduled", _("Scheduled")
    UNPLACED = "unplaced", _("Could not be scheduled")


#: Statuses in which a request is still alive (blocks a second request for the same slot).
OPEN_MEETING_REQUEST_STATUSES = (
    MeetingRequestStatus.REQUESTED,
    MeetingRequestStatus.ACCEPTED,
    MeetingRequestStatus.SCHEDULED,
    MeetingRequestStatus.UNPLACED,
)


class MeetingRequest(Mediated):
    """An attendee's request to meet the presenter organisation of an agenda slot. The
    `Mediated` fields say whether the transfer centre carries it (`matching.mediation`)."""

    roadshow = models.ForeignKey(
        "projects.Roadshow", on_delete=models.CASCADE, related_name="meeting_requests"
    )
    slot = models.ForeignKey(
        "projects.RoadshowSlot", on_delete=models.CASCADE, related_name="meeting_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_requests"
    )
    # The organisation the requester acts for (None for a guest without one).
    requester_organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    # Copied from the slot when the request is made.
    presenter_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="meeting_requests_received"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=20, choices=MeetingRequestStatus.choices,
        default=MeetingRequestStatus.REQUESTED,
    )
    decline_reason = models.TextField(_("decline reason"), blank=True)
    # Set by the scheduler when the request could not be placed (a `scheduler.Reason` value).
    unplaced_reason = models.CharField(max_length=40, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["requester", "slot"],
                condition=Q(status__in=[s.value for s in OPEN_MEETING_REQUEST_STATUSES]),
                name="meeting_request_one_open_per_slot",
            ),
        ]
        indexes: ClassVar = mediated_indexes("meeting_request")

    def __str__(self) -> str:
        return f"{self.requester} → {self.presenter_organization} ({self.status})"


class MeetingRequestMediationEvent(MediationEvent):
    """One audited step of a meeting request in the brokers' queue (`matching.mediation`)."""

    request = models.ForeignKey(
        MeetingRequest, on_delete=models.CASCADE, related_name="mediation_events"
    )

    class Meta(MediationEvent.Meta):
        verbose_name = _("mediation event")
        verbose_name_plural = _("mediation events")


class Unavailability(Authored):
    """A time when a user or an organisation cannot meet (exactly one of the two is set)."""

    roadshow = models.ForeignKey(
        "projects.Roadshow", on_delete=models.CASCADE, related_name="unavailabilities"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("unavailable time")
        verbose_name_plural = _("unavailable times")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, organization__isnull=True)
                           | Q(user__isnull=True, organization__isnull=False)),
                name="unavailability_user_xor_organization",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="unavailability_ends_after"
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else f"org {self.organization_id}"
        return f"{who}: {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Meeting(models.Model):
    """A scheduled 1:1 meeting: the placed accepted request."""

    request = models.OneToOneField(
        MeetingRequest, on_delete=models.CASCADE, related_name="meeting"
    )
    roadshow = models.ForeignKey(
        "projects.Roadshow", on_delete=models.CASCADE, related_name="meetings"
    )
    room = models.CharField(_("room"), max_length=80)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "room", "id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["roadshow", "room", "starts_at"], name="meeting_room_start_unique"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at:%H:%M}: request {self.request_id}"


class MeetingSchedulePublication(models.Model):
    """A roadshow's 1:1 meeting schedule as published by host staff: participants see their
    meetings only once it exists (`projects.meetings.console.schedule_publish`)."""

    roadshow = models.OneToOneField(
        "projects.Roadshow", on_delete=models.CASCADE, related_name="meeting_publication"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("published meeting schedule")
        verbose_name_plural = _("published meeting schedules")

    def __str__(self) -> str:
        return f"{self.roadshow_id}: {self.published_at:%Y-%m-%d %H:%M}"


__all__ = [
    "OPEN_MEETING_REQUEST_STATUSES",
    "Meeting",
    "MeetingBlock",
    "MeetingRequest",
    "MeetingRequestMediationEvent",
    "MeetingRequestStatus",
    "MeetingSchedulePublication",
    "Unavailability",
]
