"""The outcome report of a roadshow: its data (CSV, chart and PDF in `projects.reports.export`).

Rules (what each number counts):

- **Projects presented**: agenda slots that have been presented — while the event is live,
  the slots up to and including the one now presenting (`Roadshow.current_slot`, by agenda
  order); once it has ended, the slots up to and including the one that was presenting when
  it ended (so an event ended early at project 11 of 31 reports 11 / 31, not 31 / 31); none
  when no slot is (or was) presenting, before it goes live, or when it is cancelled. Ending
  moves `current_slot` to `last_presented_slot`. `projects` lists
  every agenda slot with a ``presented`` flag.
- **Registrations**: confirmed registrations (paid or free); **check-ins**: confirmed
  registrations with `checked_in_at` set.
- **Intents** and **questions** per project: `Intent` rows of the slot; `Question` rows of the
  slot including hidden ones (hidden questions were still asked).
- **Meetings requested**: `MeetingRequest` rows of the slot (any status); **accepted**: those
  accepted, scheduled or unplaced; **scheduled**: with a `Meeting`; **held**: meetings whose
  end time has passed (Keqiao records no attendance for meetings).
- **Attribution** (what "came from the roadshow" means): intents, questions and 1:1 meeting
  requests are made only inside the roadshow and carry it. A match request carries no page
  it was made on (the audience page's "Request introduction" posts to the same request page
  as the listing), so it comes from the roadshow when it is about a listing on the agenda
  and was made inside the window: from the moment the roadshow opened — its scheduled start,
  or when it went live (`Roadshow.went_live_at`) if that was earlier — until
  `REPORT_WINDOW_DAYS` (settings ``ROADSHOW_REPORT_WINDOW_DAYS``, default 90) days after its
  scheduled end. The same rule holds whichever page the request was made on.
- **Match requests created**: `matching.MatchRequest` rows whose research result (result
  slots) or technology need (need slots) is the slot's listing, created inside the window.
- **Agreements signed**: `contracts.Agreement` rows with status signed, `signed_at` at or after
  the roadshow opened, whose match request is one of the counted match requests. Their value
  is the frozen version's ``payment["total_cny"]`` (Decimal CNY); an agreement without a
  readable amount counts with value 0 and is flagged ``value_missing``.

Counts are taken when the report is built (`generated_at`, aware UTC).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from contracts.choices import AgreementStatus
from contracts.models import Agreement
from contracts.selectors.agreements import PDF_COLUMNS
from kernel.moments import shifted
from kernel.money import CENT, amount_or_none
from matching.models import MatchRequest
from projects.choices import RegistrationStatus, RoadshowStatus
from projects.models import (
    Intent,
    Meeting,
    MeetingRequest,
    MeetingRequestStatus,
    Question,
    Registration,
    Roadshow,
    RoadshowSlot,
)


def report_window() -> timedelta:
    return timedelta(days=settings.ROADSHOW_REPORT_WINDOW_DAYS)


def opened_at(roadshow: Roadshow) -> datetime:
    """When the roadshow opened: its scheduled start, or when it went live if earlier."""
    if roadshow.went_live_at is not None and roadshow.went_live_at < roadshow.starts_at:
        return roadshow.went_live_at
    return roadshow.starts_at


@dataclass
class ProjectLine:
    slot_id: int
    order: int
    title: str
    listing_type: str  # "result" | "need"
    presenter: str
    presented: bool
    intents: int = 0
    questions: int = 0
    meetings_requested: int = 0
    meetings_held: int = 0
    match_requests: int = 0
    agreements_signed: int = 0
    agreements_value_cny: Decimal = Decimal("0.00")


@dataclass
class AgreementLine:
    number: str
    slot_id: int
    project: str
    parties: str
    signed_at: datetime
    value_cny: Decimal
    value_missing: bool


@dataclass
class RoadshowReport:
    roadshow_id: int
    title: str
    host: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    status: str
    generated_at: datetime
    window_days: int = 0  # ROADSHOW_REPORT_WINDOW_DAYS when built (the attribution rule)
    projects_on_agenda: int = 0
    projects_presented: int = 0
    registrations: int = 0
    checked_in: int = 0
    intents: int = 0
    questions: int = 0
    meetings_requested: int = 0
    meetings_accepted: int = 0
    meetings_scheduled: int = 0
    meetings_held: int = 0
    match_requests: int = 0
    agreements_signed: int = 0
    agreements_value_cny: Decimal = Decimal("0.00")
    projects: list[ProjectLine] = field(default_factory=list)
    agreements: list[AgreementLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601, money as strings with 2 places."""
        def convert(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value.quantize(CENT))
            if isinstance(value, list):
                return [convert(v) for v in value]
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            return value
        result: dict[str, Any] = convert(asdict(self))
        return result




def agreement_value(agreement: Agreement) -> Decimal | None:
    """A signed agreement's value: its frozen version's ``payment["total_cny"]`` (Decimal CNY);
    None when it has none or it cannot be read."""
    version = agreement.frozen_version
    raw = (version.payment or {}).get("total_cny") if version is not None else None
    return amount_or_none(raw, maximum=None)  # stored as 2-place strings; negative: None


def _presented(roadshow: Roadshow, slots: list[RoadshowSlot]) -> set[int]:
    """Slot ids presented (rule in the module docstring): live or ended, the slots up to and
    including `current_slot` by (order, id); otherwise none."""
    last_id = roadshow.current_slot_id or roadshow.last_presented_slot_id
    if roadshow.status in (RoadshowStatus.LIVE, RoadshowStatus.ENDED) and last_id is not None:
        current = next((s for s in slots if s.pk == last_id), None)
        if current is not None:
            return {s.pk for s in slots if (s.order, s.pk) <= (current.order, current.pk)}
    return set()


def roadshow_report(*, roadshow: Roadshow, now: datetime | None = None) -> RoadshowReport:
    """Build the outcome report of `roadshow` (rules in the module docstring). Host staff only:
    the callers check `projects.permissions.is_host_staff`."""
    now = now or timezone.now()
    slots = list(
        RoadshowSlot.objects.filter(roadshow=roadshow)
        .select_related("research_result", "technology_need", "presenter")
        .order_by("order", "id")
    )
    presented = _presented(roadshow, slots)
    report = RoadshowReport(
        roadshow_id=roadshow.pk, title=roadshow.title, host=roadshow.host.legal_name,
        venue=roadshow.venue, starts_at=roadshow.starts_at, ends_at=roadshow.ends_at,
        status=roadshow.status, generated_at=now,
        window_days=settings.ROADSHOW_REPORT_WINDOW_DAYS,
    )
    lines = {
        s.pk: ProjectLine(
            slot_id=s.pk, order=s.order, title=s.listing.title, listing_type=s.listing_type,
            presenter=s.presenter.legal_name, presented=s.pk in presented,
        )
        for s in slots
    }
    report.projects = list(lines.values())
    report.projects_on_agenda = len(slots)
    report.projects_presented = len(presented)
    _count_attendance(report, roadshow, lines)
    _count_meetings(report, roadshow, lines, now)
    slot_of_match = _count_match_requests(report, roadshow, slots, lines)
    _count_agreements(report, roadshow, slot_of_match, lines)
    return report


def _count_attendance(
    report: RoadshowReport, roadshow: Roadshow, lines: dict[int, ProjectLine]
) -> None:
    """Registrations, check-ins, intents and questions."""
    confirmed = Registration.objects.filter(roadshow=roadshow,
                                            status=RegistrationStatus.CONFIRMED)
    report.registrations = confirmed.count()
    report.checked_in = confirmed.filter(checked_in_at__isnull=False).count()

    for slot_id in Intent.objects.filter(roadshow=roadshow).values_list("slot_id", flat=True):
        if slot_id in lines:
            lines[slot_id].intents += 1
            report.intents += 1
    for slot_id in Question.objects.filter(slot__roadshow=roadshow).values_list("slot_id",
                                                                                flat=True):
        lines[slot_id].questions += 1
        report.questions += 1


def _count_meetings(
    report: RoadshowReport, roadshow: Roadshow, lines: dict[int, ProjectLine], now: datetime
) -> None:
    """Meetings requested, accepted, scheduled and held (ended by `now`)."""
    for slot_id, status in MeetingRequest.objects.filter(roadshow=roadshow).values_list(
        "slot_id", "status"
    ):
        lines[slot_id].meetings_requested += 1
        report.meetings_requested += 1
        if status in (MeetingRequestStatus.ACCEPTED, MeetingRequestStatus.SCHEDULED,
                      MeetingRequestStatus.UNPLACED):
            report.meetings_accepted += 1
    for slot_id, ends_at in Meeting.objects.filter(roadshow=roadshow).values_list(
        "request__slot_id", "ends_at"
    ):
        report.meetings_scheduled += 1
        if ends_at <= now:
            lines[slot_id].meetings_held += 1
            report.meetings_held += 1


def attributed_match_requests(
    roadshow: Roadshow, slots: list[RoadshowSlot] | None = None
) -> dict[int, int]:
    """The match requests that came from `roadshow` under the attribution rule (module
    docstring): about a listing on its agenda, made inside the window. Returns the agenda
    slot id of each, by match request id. `slots` are the roadshow's agenda slots when the
    caller has them already."""
    if slots is None:
        slots = list(RoadshowSlot.objects.filter(roadshow=roadshow))
    by_result = {s.research_result_id: s.pk for s in slots if s.research_result_id}
    by_need = {s.technology_need_id: s.pk for s in slots if s.technology_need_id}
    window_end = shifted(roadshow.ends_at, report_window())
    match_requests = MatchRequest.objects.filter(
        Q(research_result_id__in=list(by_result)) | Q(technology_need_id__in=list(by_need)),
        created_at__gte=opened_at(roadshow), created_at__lte=window_end,
    ).values_list("pk", "research_result_id", "technology_need_id")
    slot_of_match: dict[int, int] = {}
    for pk, result_id, need_id in match_requests:
        # A need slot wins when the request names the presented need; else the result slot.
        matched = by_need.get(need_id) if need_id in by_need else by_result.get(result_id)
        if matched is not None:
            slot_of_match[pk] = matched
    return slot_of_match


def _count_match_requests(
    report: RoadshowReport,
    roadshow: Roadshow,
    slots: list[RoadshowSlot],
    lines: dict[int, ProjectLine],
) -> dict[int, int]:
    """Match requests about the slots' listings within the window; returns the slot id of
    each counted match request (by match request id)."""
    slot_of_match = attributed_match_requests(roadshow, slots)
    for matched in slot_of_match.values():
        lines[matched].match_requests += 1
        report.match_requests += 1
    return slot_of_match


def _count_agreements(
    report: RoadshowReport,
    roadshow: Roadshow,
    slot_of_match: dict[int, int],
    lines: dict[int, ProjectLine],
) -> None:
    """Signed agreements of the counted match requests and their value."""
    agreements = (
        Agreement.objects.filter(
            status=AgreementStatus.SIGNED, signed_at__gte=opened_at(roadshow),
            match_request_id__in=list(slot_of_match),
        )
        .select_related("frozen_version", "party_a", "party_b")
        .defer(*PDF_COLUMNS)
        .order_by("signed_at", "id")
    )
    total = Decimal("0.00")
    for agreement in agreements:
        assert agreement.match_request_id is not None and agreement.signed_at is not None
        slot_id = slot_of_match[agreement.match_request_id]
        amount = agreement_value(agreement)
        value = amount if amount is not None else Decimal("0.00")
        line = lines[slot_id]
        line.agreements_signed += 1
        line.agreements_value_cny += value
        total += value
        report.agreements.append(AgreementLine(
            number=agreement.number, slot_id=slot_id, project=line.title,
            parties=f"{agreement.party_a.legal_name} / {agreement.party_b.legal_name}",
            signed_at=agreement.signed_at, value_cny=value, value_missing=amount is None,
        ))
    report.agreements_signed = len(report.agreements)
    report.agreements_value_cny = total.quantize(CENT)


__all__ = [
    "AgreementLine",
    "ProjectLine",
    "RoadshowReport",
    "agreement_value",
    "attributed_match_requests",
    "opened_at",
    "report_window",
    "roadshow_report",
]
