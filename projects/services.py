"""Writes of the roadshow domain: events and agenda, registrations and tickets, live control,
questions and intents.

Permissions (`projects.selectors.is_host_staff`): only staff of the host organisation (its
brokers and admins, and site admins) create, edit and control an event, see its registrations,
check attendees in, hide and answer questions. Confirmed attendees (and host staff) ask and
upvote questions and record intents. Errors: `DomainError` (400, per field where there is one),
`PermissionDeniedError` (403), `ConflictError` (409: wrong state, already done).

Live state: every change the audience sees increments `Roadshow.live_version` in the same
transaction (`_bump`), so the live endpoint's ETag changes exactly when its body may change,
and this works across server processes because the state lives in the database.

Registration and payment policy:
- Free events (`ticket_price_cny == 0`) confirm at once; no payment is made.
- Paid events create a `Payment` (purpose ``"roadshow_registration"``, reference
  ``"registration:<id>"``) and a Checkout session (card, Alipay, WeChat Pay where the account
  has them). The registration waits in ``pending_payment`` and holds its seat for
  ``ROADSHOW_PAYMENT_HOLD_MINUTES`` (default 30), and the Checkout session expires when the
  hold does: the hold ends exactly at the session's expiry (`CheckoutSession.expires_at`; with
  Stripe at least 31 minutes and at most 24 hours, see `marketplace.payments.stripe`). It is
  confirmed only by `payment_paid` (a verified webhook), never by the payer's redirect back,
  and the attendee then gets one e-mail and in-app notification (the receivers of the payment
  signals are in `projects.ticket_payments`). An expired or failed checkout (`payment_failed`)
  releases the seat at once; a hold past its time no longer counts even before that
  (`seats_taken`). The attendee may start a new checkout while seats are left. Money that
  arrives after the hold ran out (a delayed payment method) still confirms the ticket (the
  payer has paid; the event may be over capacity by the few who do so).
- Capacity: confirmed registrations plus holds that have not run out (`seats_taken`).
- Cancellation: an attendee may cancel until the event starts, staff at any time. A paid,
  confirmed ticket is refunded in full (``payment_refund``) and becomes ``refunded``;
  an unpaid one is cancelled with its payment (money that still arrives is returned by the
  payment layer). Cancelling a whole event (`roadshow_cancel`) does this for every ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace import roles
from marketplace.choices import ListingStatus, OrganizationKind, Role
from marketplace.errors import ConflictError, DomainError, PermissionDeniedError
from marketplace.models import Membership, Organization, ResearchResult, TechnologyNeed
from marketplace.payment_models import PaymentStatus
from marketplace.payments.services import (
    payment_cancel,
    payment_create,
    payment_refund,
    payment_start_checkout,
)
from projects import selectors
from projects.agenda_import import AgendaImportReport, read_rows, validate_rows
from projects.choices import (
    REGISTRATION_PAYMENT_PURPOSE,
    AttendeeKind,
    RegistrationStatus,
    RoadshowStatus,
)
from projects.models import Intent, Question, QuestionVote, Registration, Roadshow, RoadshowSlot

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

RS = RoadshowStatus
REG = RegistrationStatus
#: Checkout payment methods offered for tickets (the provider drops those not activated).
TICKET_PAYMENT_METHODS = ("card", "alipay", "wechat_pay")
QUESTION_MAX_CHARS = 500
ANSWER_MAX_CHARS = 2000
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


def _field_error(field: str, message: str | Promise, *, code: str | None = None) -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def _require_staff(*, actor: User, roadshow: Roadshow) -> None:
    selectors.require_host_staff(user=actor, roadshow=roadshow)


def _require_follower(*, actor: User, roadshow: Roadshow) -> None:
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Log in to take part in the roadshow."))
    if not selectors.may_follow_live(roadshow=roadshow, user=actor):
        raise PermissionDeniedError(_("Only registered attendees can take part in the roadshow."))


def _lock(roadshow: Roadshow) -> Roadshow:
    """The roadshow's row, locked for the rest of the transaction."""
    return Roadshow.objects.select_for_update().get(pk=roadshow.pk)


def _bump(roadshow: Roadshow) -> None:
    """Increment `live_version` (in the database, race-free) and refresh the instance."""
    Roadshow.objects.filter(pk=roadshow.pk).update(
        live_version=F("live_version") + 1, updated_at=timezone.now()
    )
    roadshow.refresh_from_db(fields=["live_version", "updated_at"])


def _copy(source: Roadshow, target: Roadshow) -> None:
    for f in Roadshow._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _full_clean(instance: Any, *, exclude: list[str] | None = None) -> None:
    """Model validation; `ValidationError` becomes 400 per field at the API."""
    instance.full_clean(exclude=exclude, validate_constraints=False)


# --- events -----------------------------------------------------------------------------------


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise _field_error("starts_at", _("Give times with a time zone."))
    if ends_at <= starts_at:
        raise _field_error("ends_at", _("The end must be after the start."))


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
) -> Roadshow:
    """A scheduled roadshow hosted by `host` (a transfer centre). The actor must be a broker
    or admin of `host`, or a site admin (403). Raises `DomainError` / `ValidationError` per
    field (times without zone or end not after start, capacity < 1, price < 0 or more than
    2 places, stream URL not https or not from ``ROADSHOW_STREAM_HOSTS``)."""
    if host.kind != OrganizationKind.TRANSFER_CENTRE:
        raise _field_error("host", _("Roadshows are hosted by a transfer centre."))
    if not (roles.is_admin(actor) or host.pk in selectors.hostable_organization_ids(user=actor)):
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
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
    if locked.status in (RS.ENDED, RS.CANCELLED):
        raise ConflictError(_("An ended or cancelled roadshow cannot be edited."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise _field_error(sorted(unknown)[0], _("This field cannot be changed."))
    if (
        "ticket_price_cny" in data
        and data["ticket_price_cny"] != locked.ticket_price_cny
        and locked.registrations.exists()
    ):
        raise ConflictError(_("The ticket price cannot change once people have registered."))
    if "capacity" in data and isinstance(data["capacity"], int):
        taken = selectors.seats_taken(roadshow=locked)
        if data["capacity"] < taken:
            raise _field_error(
                "capacity",
                _("%(taken)d seats are already taken; the capacity cannot be lower.")
                % {"taken": taken},
            )
    for name, value in data.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _check_times(locked.starts_at, locked.ends_at)
    _full_clean(locked, exclude=["current_slot"])
    locked.save()
    _bump(locked)
    _copy(locked, roadshow)
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
        raise _field_error(
            "research_result", _("Choose exactly one research result or technology need.")
        )
    listing: ResearchResult | TechnologyNeed = research_result or technology_need  # type: ignore[assignment]
    field = "research_result" if research_result is not None else "technology_need"
    if listing.status != ListingStatus.PUBLISHED:
        raise _field_error(field, _("Only published listings can be presented."))
    slots = RoadshowSlot.objects.filter(roadshow=roadshow)
    taken = (
        slots.filter(research_result=research_result)
        if research_result is not None
        else slots.filter(technology_need=technology_need)
    )
    if taken.exists():
        raise _field_error(field, _("This listing is already on the agenda."))
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
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
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
    _bump(locked)
    return slot


@transaction.atomic
def roadshow_slot_update(
    *, slot: RoadshowSlot, actor: User, data: dict[str, Any]
) -> RoadshowSlot:
    """Change a slot's `presenter`, `planned_start` or `minutes` (host staff)."""
    roadshow = slot.roadshow
    _require_staff(actor=actor, roadshow=roadshow)
    _require_agenda_editable(_lock(roadshow))
    allowed = {"presenter", "planned_start", "minutes"}
    for name, value in data.items():
        if name not in allowed:
            raise _field_error(name, _("This field cannot be changed."))
        setattr(slot, name, value)
    _full_clean(slot, exclude=["roadshow"])
    slot.save()
    _bump(roadshow)
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
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
    _require_agenda_editable(locked)
    existing = list(RoadshowSlot.objects.filter(roadshow=locked).values_list("pk", flat=True))
    if len(slot_ids) != len(set(slot_ids)) or set(slot_ids) != set(existing):
        raise _field_error("slot_ids", _("List every slot of the agenda exactly once."))
    _renumber(locked, slot_ids)
    _bump(locked)
    return list(selectors.roadshow_slots(roadshow=locked))


@transaction.atomic
def roadshow_slot_remove(*, slot: RoadshowSlot, actor: User) -> None:
    """Take a slot off the agenda (host staff) and close the gap in the order. Refused (409)
    for the slot now presenting, and for a slot that already has questions, intents or
    meeting requests (they would be lost)."""
    roadshow = slot.roadshow
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
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
    _bump(locked)


def roadshow_agenda_import(
    *, roadshow: Roadshow, actor: User, content: bytes
) -> AgendaImportReport:
    """Validate the XLSX `content` (`projects.agenda_import`) and append its rows to the
    agenda, all or nothing: with any row error nothing is written and the report lists every
    problem. Host staff only (403); 409 for an ended or cancelled roadshow; raises
    `AgendaImportFileError` for a file that cannot be read as an agenda."""
    _require_staff(actor=actor, roadshow=roadshow)
    _require_agenda_editable(roadshow)
    columns, data = read_rows(content)
    report = AgendaImportReport(rows=len(data))
    valid, report.errors = validate_rows(roadshow=roadshow, columns=columns, data=data)
    if report.errors:
        return report
    with transaction.atomic():
        locked = _lock(roadshow)
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
        _bump(locked)
    return report


# --- live control -----------------------------------------------------------------------------


@transaction.atomic
def roadshow_go_live(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """scheduled → live (host staff), presenting the first slot unless one was chosen.
    Raises 409 from any other status, 400 for an empty agenda."""
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
    if locked.status != RS.SCHEDULED:
        raise ConflictError(_("Only a scheduled roadshow can go live."))
    first = selectors.roadshow_slots(roadshow=locked).first()
    if first is None:
        raise DomainError(_("Add at least one project to the agenda first."), code="empty_agenda")
    locked.status = RS.LIVE
    if locked.current_slot_id is None:
        locked.current_slot = first
    locked.save(update_fields=["status", "current_slot", "updated_at"])
    _bump(locked)
    _copy(locked, roadshow)
    return roadshow


def _target_slot(roadshow: Roadshow, to: str | int) -> RoadshowSlot:
    slots = list(selectors.roadshow_slots(roadshow=roadshow))
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
    raise _field_error("to", _('Give "next", "previous" or the id of a slot of this agenda.'))


@transaction.atomic
def roadshow_advance(*, roadshow: Roadshow, actor: User, to: str | int) -> Roadshow:
    """Change the project now presenting (host staff, roadshow live, else 409):
    ``"next"`` (the first slot when none is presenting), ``"previous"``, or a slot id of this
    agenda (jump). At the ends of the agenda ``"next"``/``"previous"`` are refused with 409
    and nothing changes; jumping to the slot already presenting changes nothing (no version
    bump). An id not on this agenda is 400 on ``to``."""
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("The roadshow is not live."))
    target = _target_slot(locked, to)
    if target.pk != locked.current_slot_id:
        locked.current_slot = target
        locked.save(update_fields=["current_slot", "updated_at"])
        _bump(locked)
    _copy(locked, roadshow)
    return roadshow


@transaction.atomic
def roadshow_questions_set(
    *, roadshow: Roadshow, actor: User, open: bool, slot: RoadshowSlot | None = None
) -> RoadshowSlot:
    """Open or close questions for `slot` (default: the slot now presenting; 409 when none).
    Host staff only. Bumps the live version when the flag changes."""
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
    if locked.status in (RS.ENDED, RS.CANCELLED):
        raise ConflictError(_("The roadshow is over."))
    if slot is None:
        if locked.current_slot_id is None:
            raise ConflictError(_("No project is presenting yet."))
        slot = RoadshowSlot.objects.get(pk=locked.current_slot_id)
    elif slot.roadshow_id != locked.pk:
        raise _field_error("slot", _("This slot is not on the agenda of this roadshow."))
    if slot.questions_open != open:
        slot.questions_open = open
        slot.save(update_fields=["questions_open"])
        _bump(locked)
    return slot


@transaction.atomic
def roadshow_end(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """live → ended (host staff; 409 otherwise): nothing presents any more and all questions
    close."""
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("Only a live roadshow can end."))
    locked.status = RS.ENDED
    locked.last_presented_slot = locked.current_slot
    locked.current_slot = None
    locked.save(update_fields=["status", "current_slot", "last_presented_slot", "updated_at"])
    RoadshowSlot.objects.filter(roadshow=locked).update(questions_open=False)
    _bump(locked)
    _copy(locked, roadshow)
    return roadshow


def roadshow_cancel(*, roadshow: Roadshow, actor: User) -> Roadshow:
    """scheduled → cancelled (host staff; 409 otherwise); every ticket is cancelled, paid ones
    refunded in full. Refund failures are logged and leave that ticket for staff to retry
    with `registration_cancel`."""
    _require_staff(actor=actor, roadshow=roadshow)
    with transaction.atomic():
        locked = _lock(roadshow)
        if locked.status != RS.SCHEDULED:
            raise ConflictError(_("Only a scheduled roadshow can be cancelled."))
        locked.status = RS.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        _bump(locked)
        _copy(locked, roadshow)
    for registration in Registration.objects.filter(
        roadshow=roadshow, status__in=[REG.PENDING_PAYMENT, REG.CONFIRMED]
    ):
        try:
            registration_cancel(registration=registration, actor=actor)
        except DomainError:
            logger.exception("Could not cancel registration %s", registration.pk)
    return roadshow


# --- registrations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationOutcome:
    """A registration and, for a paid ticket, where to send the payer (`checkout_url`)."""

    registration: Registration
    checkout_url: str | None = None


def _attendee_kinds(user: User) -> list[str]:
    user_roles = set(Membership.objects.filter(user_id=user.pk).values_list("role", flat=True))
    kinds = []
    if Role.ENTERPRISE_MEMBER in user_roles:
        kinds.append(AttendeeKind.ENTERPRISE_MEMBER.value)
    if Role.RESEARCHER in user_roles:
        kinds.append(AttendeeKind.RESEARCHER.value)
    kinds.append(AttendeeKind.GUEST.value)
    return kinds


def _registration_open(roadshow: Roadshow) -> None:
    if roadshow.status not in (RS.SCHEDULED, RS.LIVE) or timezone.now() >= roadshow.ends_at:
        raise ConflictError(_("Registration for this roadshow is closed."))


def _reference(registration: Registration) -> str:
    return f"registration:{registration.pk}"


def registration_create(
    *,
    roadshow: Roadshow,
    user: User,
    success_url: str,
    cancel_url: str,
    kind: str | None = None,
) -> RegistrationOutcome:
    """Register `user` for `roadshow`.

    `kind` (an `AttendeeKind`) defaults to what the user's memberships say (enterprise
    member, researcher, else guest); anyone may register as a guest. Free events: confirmed at
    once. Paid events: a pending registration holding its seat, a payment and a Checkout
    session whose URL is returned; the webhook confirms it. A user with a registration
    awaiting payment gets a fresh checkout for it (the earlier one is withdrawn).
    Raises 403 (not logged in), 409 (closed, full, already registered), 400 on ``kind``,
    `PaymentNotConfigured` (503) when a ticket costs money and no provider can take it,
    `PaymentProviderError` (503) — then a new registration is cancelled and its seat freed
    (a resumed one is left waiting: its earlier checkout may have been paid).
    """
    if not user.is_authenticated:
        raise PermissionDeniedError(_("Log in to register."))
    allowed_kinds = _attendee_kinds(user)
    if kind is not None and kind not in allowed_kinds:
        raise _field_error("kind", _("Your memberships do not match this attendee type."))
    hold_until = timezone.now() + selectors.payment_hold()
    with transaction.atomic():
        locked = _lock(roadshow)
        _registration_open(locked)
        registration = selectors.registration_active(roadshow=locked, user=user)
        resumed = registration is not None
        if registration is not None and registration.status == REG.CONFIRMED:
            raise ConflictError(_("You are already registered for this roadshow."))
        holds_seat = registration is not None and (
            registration.hold_until is not None and registration.hold_until > timezone.now()
        )
        if not holds_seat and selectors.seats_taken(roadshow=locked) >= locked.capacity:
            raise ConflictError(_("This roadshow is full."), code="full")
        if registration is None:
            registration = Registration.objects.create(
                roadshow=locked,
                user=user,
                organization=roles.primary_organization(user),
                kind=kind or allowed_kinds[0],
                status=REG.CONFIRMED if locked.is_free else REG.PENDING_PAYMENT,
                confirmed_at=timezone.now() if locked.is_free else None,
                hold_until=None if locked.is_free else hold_until,
            )
            if locked.is_free:
                return RegistrationOutcome(registration)
            registration.payment = payment_create(
                purpose=REGISTRATION_PAYMENT_PURPOSE,
                reference=_reference(registration),
                amount_cny=locked.ticket_price_cny,
                description=gettext("Ticket: %(title)s") % {"title": locked.title},
                payer=user,
            )
            registration.save(update_fields=["payment", "updated_at"])
        else:
            registration.hold_until = hold_until
            registration.save(update_fields=["hold_until", "updated_at"])
    payment = registration.payment
    assert payment is not None
    try:
        session = payment_start_checkout(
            payment=payment,
            success_url=success_url,
            cancel_url=cancel_url,
            methods=TICKET_PAYMENT_METHODS,
            expires_at=hold_until,
        )
    except DomainError:
        if not resumed:  # a resumed checkout may already be paid: leave it to the webhook
            _release(registration)
        raise
    if session.expires_at is not None and not session.paid:
        # The seat is held exactly as long as the provider takes payment for it.
        Registration.objects.filter(pk=registration.pk, status=REG.PENDING_PAYMENT).update(
            hold_until=session.expires_at, updated_at=timezone.now()
        )
    registration.refresh_from_db()
    return RegistrationOutcome(registration, session.url if not session.paid else None)


def _release(registration: Registration) -> None:
    """Give up a registration whose checkout could not start."""
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status == REG.PENDING_PAYMENT:
            locked.status = REG.CANCELLED
            locked.cancelled_at = timezone.now()
            locked.save(update_fields=["status", "cancelled_at", "updated_at"])
            if locked.payment is not None:
                try:
                    payment_cancel(payment=locked.payment)
                except ConflictError:
                    logger.warning("Payment of registration %s was already paid", locked.pk)


def registration_cancel(*, registration: Registration, actor: User) -> Registration:
    """Cancel a ticket: the attendee until the event starts (409 after), host staff at any
    time (403 for others). A paid, received payment is refunded in full and the registration
    becomes ``refunded``; otherwise it becomes ``cancelled`` (an unpaid payment is cancelled).
    409 when already cancelled or refunded. `PaymentProviderError` (503) when the refund
    fails — then nothing changes."""
    roadshow = registration.roadshow
    is_staff = selectors.is_host_staff(user=actor, roadshow=roadshow)
    if not is_staff:
        if not actor.is_authenticated or registration.user_id != actor.pk:
            raise PermissionDeniedError(_("You cannot cancel this registration."))
        if roadshow.status != RS.SCHEDULED or timezone.now() >= roadshow.starts_at:
            raise ConflictError(_("Tickets can be cancelled only before the roadshow starts."))
    registration.refresh_from_db()
    if registration.status not in (REG.PENDING_PAYMENT, REG.CONFIRMED):
        raise ConflictError(_("This registration is already cancelled."))
    payment = registration.payment
    refunded = False
    if payment is not None:
        payment.refresh_from_db()
        if payment.is_settled:
            payment_refund(payment=payment)  # full refund; network call outside our lock
            refunded = True
        elif payment.status in (PaymentStatus.CREATED, PaymentStatus.PENDING, PaymentStatus.FAILED):
            payment_cancel(payment=payment)
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status in (REG.PENDING_PAYMENT, REG.CONFIRMED) or refunded:
            locked.status = REG.REFUNDED if refunded else REG.CANCELLED
            locked.cancelled_at = locked.cancelled_at or timezone.now()
            locked.hold_until = None
            locked.save(update_fields=["status", "cancelled_at", "hold_until", "updated_at"])
    registration.refresh_from_db()
    return registration


@transaction.atomic
# --- questions --------------------------------------------------------------------------------


def _clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    text = " ".join((value or "").split()) if field == "text" else (value or "").strip()
    if required and not text:
        raise _field_error(field, _("This field may not be blank."))
    if len(text) > limit:
        raise _field_error(
            field, _("Use at most %(limit)d characters.") % {"limit": limit}
        )
    return text


@transaction.atomic
def question_ask(
    *, roadshow: Roadshow, actor: User, text: str, slot: RoadshowSlot | None = None
) -> Question:
    """Ask a question about `slot` (default: the slot now presenting). Confirmed attendees
    and host staff (403 otherwise); the roadshow must be live and the slot's questions open
    (409). `text`: 1–500 characters after collapsing white space (400)."""
    _require_follower(actor=actor, roadshow=roadshow)
    clean = _clean_text(text, field="text", limit=QUESTION_MAX_CHARS)
    locked = _lock(roadshow)
    if locked.status != RS.LIVE:
        raise ConflictError(_("The roadshow is not live."))
    if slot is None:
        if locked.current_slot_id is None:
            raise ConflictError(_("No project is presenting yet."))
        slot = RoadshowSlot.objects.get(pk=locked.current_slot_id)
    elif slot.roadshow_id != locked.pk:
        raise _field_error("slot", _("This slot is not on the agenda of this roadshow."))
    if not slot.questions_open:
        raise ConflictError(_("Questions are closed for this project."), code="questions_closed")
    question = Question.objects.create(slot=slot, author=actor, text=clean)
    _bump(locked)
    return question


def question_upvote(*, question: Question, actor: User) -> tuple[int, bool]:
    """Upvote `question` once (confirmed attendees and host staff). Returns (votes, created);
    a repeated upvote changes nothing. 409 for a hidden question or when the roadshow is not
    live."""
    roadshow = question.slot.roadshow
    _require_follower(actor=actor, roadshow=roadshow)
    with transaction.atomic():
        locked = _lock(roadshow)
        if locked.status != RS.LIVE:
            raise ConflictError(_("The roadshow is not live."))
        if Question.objects.filter(pk=question.pk, hidden=True).exists():
            raise ConflictError(_("This question is hidden."))
        try:
            with transaction.atomic():
                _vote, created = QuestionVote.objects.get_or_create(question=question, user=actor)
        except IntegrityError:
            created = False
        if created:
            _bump(locked)
        return QuestionVote.objects.filter(question=question).count(), created


@transaction.atomic
def question_hide(*, question: Question, actor: User, hidden: bool = True) -> Question:
    """Hide (or show again) a question (host staff)."""
    roadshow = question.slot.roadshow
    _require_staff(actor=actor, roadshow=roadshow)
    locked = _lock(roadshow)
    if question.hidden != hidden:
        question.hidden = hidden
        question.save(update_fields=["hidden"])
        _bump(locked)
    return question


@transaction.atomic
def question_answer(*, question: Question, actor: User, answer: str = "") -> Question:
    """Mark a question answered, with an optional written answer (≤ 2000 characters; blank
    means answered on stage). Host staff only."""
    roadshow = question.slot.roadshow
    _require_staff(actor=actor, roadshow=roadshow)
    text = _clean_text(answer, field="answer", limit=ANSWER_MAX_CHARS, required=False)
    locked = _lock(roadshow)
    question.answered = True
    question.answer = text
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answered", "answer", "answered_by", "answered_at"])
    _bump(locked)
    return question


# --- intents ----------------------------------------------------------------------------------


def intent_record(
    *, roadshow: Roadshow, actor: User, slot: RoadshowSlot | None = None
) -> tuple[Intent, bool]:
    """意向: record that `actor` is interested in `slot` (default: the slot now presenting;
    409 when none). Confirmed attendees only (403). Once per user and slot: a repeat returns
    the existing intent with created False. 409 for a cancelled roadshow."""
    if not actor.is_authenticated or not selectors.is_confirmed_attendee(
        roadshow=roadshow, user=actor
    ):
        raise PermissionDeniedError(_("Only registered attendees can express interest."))
    if roadshow.status == RS.CANCELLED:
        raise ConflictError(_("This roadshow was cancelled."))
    if slot is None:
        current = Roadshow.objects.values_list("current_slot_id", flat=True).get(pk=roadshow.pk)
        if current is None:
            raise ConflictError(_("No project is presenting yet."))
        slot = RoadshowSlot.objects.get(pk=current)
    elif slot.roadshow_id != roadshow.pk:
        raise _field_error("slot", _("This slot is not on the agenda of this roadshow."))
    try:
        with transaction.atomic():
            intent, created = Intent.objects.get_or_create(
                user=actor,
                slot=slot,
                defaults={
                    "roadshow": roadshow,
                    "organization": roles.primary_organization(actor),
                },
            )
    except IntegrityError:
        intent, created = Intent.objects.get(user=actor, slot=slot), False
    return intent, created


def intent_match_request_draft(*, intent: Intent) -> dict[str, Any]:
    """The pre-filled match request an intent offers (in the current language)::

        {"method": "POST", "url": "/api/v1/match-requests/",
         "payload": {"research_result": id | null, "technology_need": id | null,
                     "message": str},
         "listing": {"type": "result"|"need", "id", "title", "url"}}

    For a research result the payload can be posted as is (the requester is the user's
    organisation). For a technology need the user picks one of their research results first
    (`research_result` is null) — matching proposes results to needs.
    """
    slot = intent.slot
    listing = slot.listing
    message = gettext(
        "We saw “%(title)s” presented at %(roadshow)s and are interested. "
        "Please introduce us."
    ) % {"title": listing.title, "roadshow": slot.roadshow.title}
    try:
        url = reverse("api-match-request-list")
    except NoReverseMatch:
        url = "/api/v1/match-requests/"
    card = selectors.slot_card(slot)["listing"]
    return {
        "method": "POST",
        "url": url,
        "payload": {
            "research_result": slot.research_result_id,
            "technology_need": slot.technology_need_id,
            "message": message,
        },
        "listing": {k: card[k] for k in ("type", "id", "title", "url")},
    }


__all__ = [
    "RegistrationOutcome",
    "intent_match_request_draft",
    "intent_record",
    "question_answer",
    "question_ask",
    "question_hide",
    "question_upvote",
    "registration_cancel",
    "registration_create",
    "roadshow_advance",
    "roadshow_agenda_import",
    "roadshow_cancel",
    "roadshow_create",
    "roadshow_end",
    "roadshow_go_live",
    "roadshow_questions_set",
    "roadshow_slot_add",
    "roadshow_slot_remove",
    "roadshow_slot_update",
    "roadshow_slots_reorder",
    "roadshow_update",
]
