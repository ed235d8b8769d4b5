"""Writes of roadshow events and their agendas (the agenda import included).

Permissions (`projects.permissions`): only staff of the host organisation (its brokers and
admins, and site admins) create, edit and control an event. Errors: `DomainError` (400, per
field where there is one), `PermissionDeniedError` (403), `ConflictError` (409: wrong state,
already done). Every change the audience sees bumps the live version
(`projects.roadshows.live.version`). Live control, questions and intents are in
`projects.roadshows.live.services`, tickets in `projects.registrations.services`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kernel.errors import ConflictError, DomainError, PermissionDeniedError, field_error
from kernel.locking import copy_locked_fields, lock_row
from kernel.moments import EARLIEST_DATE, LATEST_DATE, date_in_range
from marketplace import roles
from marketplace.choices import ListingStatus, OrganizationKind
from marketplace.models import Organization, ResearchResult, TechnologyNeed
from projects.choices import RoadshowStatus
from projects.models import Roadshow, RoadshowSlot
from projects.permissions import hostable_organization_ids, require_host_staff
from projects.registrations.selectors import seats_taken
from projects.roadshows.agenda_import import AgendaImportReport, read_rows, validate_rows
from projects.roadshows.live.version import bump_live_version
from projects.roadshows.selectors import roadshow_slots

if TYPE_CHECKING:
    from django.contrib.auth.models import User

RS = RoadshowStatus
#: Fields of a roadshow that host staff may edit.
EDITABLE_FIELDS = (
    "title",
    "description",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "ticket_price_cny",
    "stream_embed_url",
)


def _full_clean(instance: Model, *, exclude: list[str] | None = None) -> None:
    """Model validation; `ValidationError` becomes 400 per field at the API."""
    instance.full_clean(exclude=exclude, validate_constraints=False)


# --- events -----------------------------------------------------------------------------------


#: How far ahead a roadshow may be planned, and how long it may last: a start decades ahead or
#: an event of months is a typo, and a time near year 1 or 9999 overflows the windows added to
#: it (meeting blocks, the report's attribution window).
MAX_YEARS_AHEAD = 5
MAX_EVENT_DAYS = 14


def time_problems(starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    """Why the times of a roadshow are refused, per field (empty when they are fine): each
    from 2000-01-01 (`kernel.moments`), the start at most MAX_YEARS_AHEAD years from now, the
    end after the start and at most MAX_EVENT_DAYS days after it."""
    problems: dict[str, str] = {}
    for name, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        # The date as given (no conversion, which overflows near year 1): bounds to the day.
        if moment.date() < EARLIEST_DATE:
            problems[name] = str(_("Give a time from %(earliest)s on.")
                                 % {"earliest": EARLIEST_DATE.isoformat()})
    if problems:
        return problems
    latest_start = timezone.now() + timedelta(days=365 * MAX_YEARS_AHEAD + 1)
    if starts_at > latest_start:
        problems["starts_at"] = str(
            _("A roadshow starts at most %(years)s years from now.") % {"years": MAX_YEARS_AHEAD})
    if ends_at <= starts_at:
        problems["ends_at"] = str(_("The end must be after the start."))
    elif ends_at - starts_at > timedelta(days=MAX_EVENT_DAYS):
        problems["ends_at"] = str(
            _("A roadshow lasts at most %(days)s days.") % {"days": MAX_EVENT_DAYS})
    return problems


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise field_error("starts_at", _("Give times with a time zone."))
    problems = time_problems(starts_at, ends_at)
    if problems:
        raise DomainError(next(iter(problems.values())),
                          fields={name: [message] for name, message in problems.items()})


@transaction.atomic
def roadshow_create(
    *,
    actor: User,
    host: Organization,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    ticket_price_cny: Decimal = Decimal("0.00"),
    venue: str = "",
    description: str = "",
    stream_embed_url: str = "",
    is_demo: bool = False,
    draft: bool = False,
) -> Roadshow:
    """A scheduled roadshow hosted by `host` (a transfer centre), or with `draft` a draft that
    only its host staff see until `roadshow_publish` (the web pages always create drafts).
    The actor must be a broker or admin of `host`, or a site admin (403). Raises
    `DomainError` / `ValidationError` per field (times without zone or end not after start,
    capacity < 1, price < 0 or more than 2 places, stream URL not https or not from
    ``ROADSHOW_STREAM_HOSTS``)."""
    if host.kind != OrganizationKind.TRANSFER_CENTRE:
        raise field_error("host", _("Roadshows are hosted by a transfer centre."))
    if not (roles.is_admin(actor) or host.pk in hostable_organization_ids(user=actor)):
        raise PermissionDeniedError(_("Only staff of the host organisation can do this."))
    _check_times(starts_at, ends_at)
    roadshow = Roadshow(
        host=host,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        ticket_price_cny=ticket_price_cny,
        venue=venue.strip(),
        description=description.strip(),
        stream_embed_url=stream_embed_url.strip(),
        is_demo=is_demo,
        status=RS.DRAFT if draft else RS.SCHEDULED,
        created_by=actor if actor.is_authenticated else None,
    )
    _full_clean(roadshow, exclude=["current_slot"])
    roadshow.save()
    return roadshow


@transaction.atomic
def roadshow_update(*, roadshow: Roadshow, actor: User, data: dict[str, Any]) -> Roadshow:
    """Change the `EDITABLE_FIELDS` given in `data` (host staff). The ticket price cannot
    change once anyone has registered (409); the capacity cannot drop below the seats already
    taken (400 on ``capacity``); ended or cancelled events cannot be edited (409). Same
    validation as `roadshow_create`."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status in (RS.ENDED, RS.CANCELLED):
        raise ConflictError(_("An ended or cancelled roadshow cannot be edited."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be changed."))
    if (
        "ticket_price_cny" in data
        and data["ticket_price_cny"] != locked.ticket_price_cny
        and locked.registrations.exists()
    ):
        raise ConflictError(_("The ticket price cannot change once people have registered."))
    if "capacity" in data and isinstance(data["capacity"], int):
        taken = seats_taken(roadshow=locked)
        if data["capacity"] < taken:
            raise field_error(
                "capacity",
                _("%(taken)d seats are already taken; the capacity cannot be lower.")
                % {"taken": taken},
            )
    for name, value in data.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _check_times(locked.starts_at, locked.ends_at)
    _full_clean(locked, exclude=["current_slot"])
    locked.save()
    bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


def publish_problems(roadshow: Roadshow) -> dict[str, list[str]]:
    """Why `roadshow` cannot be published yet, per field (empty when it can): a title, times
    with the end after the start and still ahead, at least one agenda slot, and every slot's
    listing still published."""
    problems: dict[str, list[str]] = {}
    if not roadshow.title.strip():
        problems["title"] = [str(_("Give the roadshow a title."))]
    if roadshow.ends_at <= roadshow.starts_at:
        problems["ends_at"] = [str(_("The end must be after the start."))]
    elif roadshow.ends_at <= timezone.now():
        problems["ends_at"] = [str(_("The roadshow has already ended; change its times."))]
    slots = list(RoadshowSlot.objects.filter(roadshow=roadshow)
                 .select_related("research_result", "technology_need").order_by("order", "id"))
    if not slots:
        problems["agenda"] = [str(_("Add at least one project to the agenda."))]
    # "Only published listings can be presented" (`_check_listing`) holds when the listing is
    # added; its owner may archive or withdraw it before the draft is published.
    withdrawn = [
        str(_("Agenda item %(order)s, “%(title)s”, is no longer published: remove it.")
            % {"order": slot.order, "title": listing.title})
        for slot in slots
        if (listing := slot.research_result or slot.technology_need) is not None
        and listing.status != ListingStatus.PUBLISHED
    ]
    if withdrawn:
        problems["agenda"] = withdrawn
    return problems


@transaction.atomic
def roadshow_publish(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """Publish a draft (host staff, 403): it becomes scheduled, listed and open for
    registration. 409 unless it is a draft; 400 per field with every `publish_problems`."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    if locked.status != RS.DRAFT:
        raise ConflictError(_("Only a draft roadshow can be published."), code="not_draft")
    problems = publish_problems(locked)
    if problems:
        raise DomainError(
            _("The roadshow cannot be published yet."),
            code="not_ready",
            fields={name: list(messages) for name, messages in problems.items()},
        )
    locked.status = RS.SCHEDULED
    locked.save(update_fields=["status", "updated_at"])
    bump_live_version(locked)
    copy_locked_fields(locked, roadshow)
    return roadshow


# --- agenda -----------------------------------------------------------------------------------


def _require_agenda_editable(roadshow: Roadshow) -> None:
    if roadshow.status in (RS.ENDED, RS.CANCELLED):
        raise ConflictError(_("The agenda of an ended or cancelled roadshow cannot change."))


def _check_listing(
    *,
    roadshow: Roadshow,
    research_result: ResearchResult | None,
    technology_need: TechnologyNeed | None,
) -> ResearchResult | TechnologyNeed:
    if (research_result is None) == (technology_need is None):
        raise field_error(
            "research_result", _("Choose exactly one research result or technology need.")
        )
    listing = research_result if research_result is not None else technology_need
    assert listing is not None  # exactly one of the two is given (checked above)
    field = "research_result" if research_result is not None else "technology_need"
    if listing.status != ListingStatus.PUBLISHED:
        raise field_error(field, _("Only published listings can be presented."))
    slots = RoadshowSlot.objects.filter(roadshow=roadshow)
    taken = (
        slots.filter(research_result=research_result)
        if research_result is not None
        else slots.filter(technology_need=technology_need)
    )
    if taken.exists():
        raise field_error(field, _("This listing is already on the agenda."))
    return listing


def _next_order(roadshow: Roadshow) -> int:
    current = RoadshowSlot.objects.filter(roadshow=roadshow).aggregate(m=Max("order"))["m"]
    return int(current or 0) + 1


@transaction.atomic
def roadshow_slot_add(
    *,
    roadshow: Roadshow,
    actor: User,
    research_result: ResearchResult | None = None,
    technology_need: TechnologyNeed | None = None,
    presenter: Organization | None = None,
    planned_start: datetime | None = None,
    minutes: int = 10,
) -> RoadshowSlot:
    """Append a published listing to the agenda (host staff). `presenter` defaults to the
    listing's owner. Raises `DomainError` (not exactly one listing, not published, already on
    the agenda, minutes outside 1–480), 409 for an ended or cancelled roadshow."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    _require_agenda_editable(locked)
    listing = _check_listing(
        roadshow=locked, research_result=research_result, technology_need=technology_need
    )
    slot = RoadshowSlot(
        roadshow=locked,
        order=_next_order(locked),
        research_result=research_result,
        technology_need=technology_need,
        presenter=presenter or listing.owner,
        planned_start=planned_start,
        minutes=minutes,
    )
    _full_clean(slot, exclude=["roadshow"])
    slot.save()
    bump_live_version(locked)
    return slot


@transaction.atomic
def roadshow_slot_update(
    *, slot: RoadshowSlot, actor: User, data: dict[str, Any]
) -> RoadshowSlot:
    """Change a slot's `presenter`, `planned_start` or `minutes` (host staff). A planned start
    outside the roadshow's times (before its start, at or after its end) is refused, 400 on
    ``planned_start``."""
    roadshow = slot.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    _require_agenda_editable(locked)
    allowed = {"presenter", "planned_start", "minutes"}
    for name, value in data.items():
        if name not in allowed:
            raise field_error(name, _("This field cannot be changed."))
        if name == "planned_start" and value is not None and not date_in_range(value.date()):
            raise field_error(name, _("Give a date from %(earliest)s to %(latest)s.") % {
                "earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()})
        setattr(slot, name, value)
    start = data.get("planned_start")
    if start is not None and not locked.starts_at <= start < locked.ends_at:
        raise field_error(
            "planned_start", _("The planned start must be within the roadshow's times.")
        )
    _full_clean(slot, exclude=["roadshow"])
    slot.save()
    bump_live_version(roadshow)
    return slot


def _renumber(roadshow: Roadshow, ordered_ids: list[int]) -> None:
    """Give the slots `ordered_ids` the orders 1..n (two passes: (roadshow, order) is unique)."""
    offset = len(ordered_ids) + _next_order(roadshow) + 1
    for position, pk in enumerate(ordered_ids, start=1):
        RoadshowSlot.objects.filter(pk=pk).update(order=offset + position)
    for position, pk in enumerate(ordered_ids, start=1):
        RoadshowSlot.objects.filter(pk=pk).update(order=position)


@transaction.atomic
def roadshow_slots_reorder(
    *, roadshow: Roadshow, actor: User, slot_ids: list[int]
) -> list[RoadshowSlot]:
    """Put the agenda in the order `slot_ids` (every slot id of the roadshow exactly once,
    else 400 on ``slot_ids``). Returns the slots in their new order."""
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    _require_agenda_editable(locked)
    existing = list(RoadshowSlot.objects.filter(roadshow=locked).values_list("pk", flat=True))
    if len(slot_ids) != len(set(slot_ids)) or set(slot_ids) != set(existing):
        raise field_error("slot_ids", _("List every slot of the agenda exactly once."))
    _renumber(locked, slot_ids)
    bump_live_version(locked)
    return list(roadshow_slots(roadshow=locked))


@transaction.atomic
def roadshow_slot_remove(*, slot: RoadshowSlot, actor: User) -> None:
    """Take a slot off the agenda (host staff) and close the gap in the order. Refused (409)
    for the slot now presenting, and for a slot that already has questions, intents or
    meeting requests (they would be lost)."""
    roadshow = slot.roadshow
    require_host_staff(user=actor, roadshow=roadshow)
    locked = lock_row(roadshow)
    _require_agenda_editable(locked)
    if locked.current_slot_id == slot.pk:
        raise ConflictError(_("The project now presenting cannot be removed."))
    used = slot.questions.exists() or slot.intents.exists()
    meeting_requests = getattr(slot, "meeting_requests", None)
    if meeting_requests is not None and meeting_requests.exists():
        used = True
    if used:
        raise ConflictError(
            _("This project already has questions, intents or meeting requests.")
        )
    slot.delete()
    remaining = list(
        RoadshowSlot.objects.filter(roadshow=locked).order_by("order", "id").values_list(
            "pk", flat=True
        )
    )
    _renumber(locked, remaining)
    bump_live_version(locked)


def roadshow_agenda_import(
    *, roadshow: Roadshow, actor: User, content: bytes
) -> AgendaImportReport:
    """Validate the XLSX `content` (`projects.roadshows.agenda_import`) and append its rows to the
    agenda, all or nothing: with any row error nothing is written and the report lists every
    problem. Host staff only (403); 409 for an ended or cancelled roadshow; raises
    `AgendaImportFileError` for a file that cannot be read as an agenda."""
    require_host_staff(user=actor, roadshow=roadshow)
    _require_agenda_editable(roadshow)
    columns, data = read_rows(content)
    report = AgendaImportReport(rows=len(data))
    valid, report.errors = validate_rows(roadshow=roadshow, columns=columns, data=data)
    if report.errors:
        return report
    with transaction.atomic():
        locked = lock_row(roadshow)
        _require_agenda_editable(locked)
        start = _next_order(locked)
        for position, row in enumerate(sorted(valid, key=lambda r: r.order)):
            slot = RoadshowSlot(
                roadshow=locked,
                order=start + position,
                research_result=row.listing if isinstance(row.listing, ResearchResult) else None,
                technology_need=row.listing if isinstance(row.listing, TechnologyNeed) else None,
                presenter=row.presenter,
                planned_start=row.planned_start,
                minutes=row.minutes,
            )
            slot.save()
            report.slot_ids.append(slot.pk)
        report.created = len(valid)
        bump_live_version(locked)
    return report


__all__ = [
    "EDITABLE_FIELDS",
    "publish_problems",
    "roadshow_agenda_import",
    "roadshow_create",
    "roadshow_publish",
    "roadshow_slot_add",
    "roadshow_slot_remove",
    "roadshow_slot_update",
    "roadshow_slots_reorder",
    "roadshow_update",
]
