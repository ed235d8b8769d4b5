"""Roadshows (路演 / 项目发布推介会): events, agenda slots, live state, questions and intents.

Registrations and tickets are in `projects.registrations.models`, 1:1 meetings (洽谈) in
`projects.meetings.models`; `projects.models` imports all of them so that Django registers
them with the `projects` app."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplace.models import (
    AuthoredAndUpdated,
    Organization,
    ResearchResult,
    TechnologyNeed,
)
from projects.choices import RoadshowStatus


def stream_hosts() -> tuple[str, ...]:
    """The allowed stream hosts (lower case), from ``settings.ROADSHOW_STREAM_HOSTS``."""
    return tuple(h.strip().lower() for h in settings.ROADSHOW_STREAM_HOSTS)


def validate_stream_url(value: str) -> None:
    """Accept only ``https://`` URLs whose host is exactly one of `stream_hosts()`, without
    credentials or an explicit port; Keqiao embeds them in a sandboxed iframe and never
    streams video itself. Raises `ValidationError` otherwise (``http:``, ``javascript:``,
    other hosts, look-alike hosts such as ``player.bilibili.com.evil.example``)."""
    if not value:
        return
    message = _("Enter an https:// player address from one of these hosts: %(hosts)s.") % {
        "hosts": ", ".join(stream_hosts())
    }
    if any(c.isspace() or ord(c) < 32 for c in value) or len(value) > 500:
        raise ValidationError(message, code="stream_url")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValidationError(message, code="stream_url") from None
    host = (parts.hostname or "").lower()
    if (
        parts.scheme.lower() != "https"
        or parts.username is not None
        or parts.password is not None
        or port is not None
        or host not in stream_hosts()
    ):
        raise ValidationError(message, code="stream_url")


class Roadshow(AuthoredAndUpdated):
    """A roadshow (发布推介会) hosted by a transfer centre: ~30 projects pitched one after another.

    Live state: `status`, `current_slot` (the slot now presenting) and `live_version`, which
    every live change increments (go live, advance, questions opened/closed, a question asked,
    upvoted, answered or hidden, end) so clients can poll cheaply with ETags.
    `ticket_price_cny` is Decimal CNY (0 = free). Times are aware UTC.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    host = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="roadshows_hosted",
        verbose_name=_("host organisation"),
    )
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    ticket_price_cny = models.DecimalField(
        _("ticket price (CNY)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a free event."),
    )
    stream_embed_url = models.CharField(
        _("stream embed URL"),
        max_length=500,
        blank=True,
        validators=[validate_stream_url],
        help_text=_("The player address of the live stream (https, allowed hosts only)."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RoadshowStatus.choices, default=RoadshowStatus.SCHEDULED
    )
    current_slot = models.ForeignKey(
        "projects.RoadshowSlot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("now presenting"),
    )
    # The slot that was presenting when the event ended (current_slot is cleared then), so the
    # outcome report knows how far the agenda got.
    last_presented_slot = models.ForeignKey(
        "projects.RoadshowSlot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last project presented"),
    )
    # When it went live (set once, by roadshow_go_live). A host may open the event before its
    # scheduled start; the outcome report counts from the earlier of the two.
    went_live_at = models.DateTimeField(_("went live at"), null=True, blank=True, editable=False)
    live_version = models.PositiveBigIntegerField(default=0, editable=False)
    is_demo = models.BooleanField(_("demo roadshow"), default=False)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("roadshow")
        verbose_name_plural = _("roadshows")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="roadshow_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ticket_price_cny__gte=0), name="roadshow_price_non_negative"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="roadshow_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_free(self) -> bool:
        return self.ticket_price_cny == 0


class RoadshowSlot(models.Model):
    """One agenda item: the research result or technology need presented (exactly one), the
    presenting organisation, planned start (aware UTC, optional) and length in minutes.
    `questions_open` lets the audience ask questions about this slot."""

    roadshow = models.ForeignKey(Roadshow, on_delete=models.CASCADE, related_name="slots")
    order = models.PositiveIntegerField(_("order"))
    research_result = models.ForeignKey(
        ResearchResult,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadshow_slots",
        verbose_name=_("research result"),
    )
    technology_need = models.ForeignKey(
        TechnologyNeed,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadshow_slots",
        verbose_name=_("technology need"),
    )
    presenter = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="roadshow_slots",
        verbose_name=_("presenter organisation"),
    )
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), default=10, validators=[MinValueValidator(1), MaxValueValidator(480)]
    )
    questions_open = models.BooleanField(_("questions open"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["roadshow", "order", "id"]
        verbose_name = _("agenda slot")
        verbose_name_plural = _("agenda slots")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=(
                    Q(research_result__isnull=False, technology_need__isnull=True)
                    | Q(research_result__isnull=True, technology_need__isnull=False)
                ),
                name="roadshow_slot_one_listing",
            ),
            models.UniqueConstraint(fields=["roadshow", "order"], name="roadshow_slot_order"),
            models.UniqueConstraint(
                fields=["roadshow", "research_result"],
                condition=Q(research_result__isnull=False),
                name="roadshow_slot_result_once",
            ),
            models.UniqueConstraint(
                fields=["roadshow", "technology_need"],
                condition=Q(technology_need__isnull=False),
                name="roadshow_slot_need_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.listing.title}"

    @property
    def listing(self) -> ResearchResult | TechnologyNeed:
        """The listing presented (the research result or the technology need)."""
        listing = self.research_result or self.technology_need
        assert listing is not None  # the check constraint guarantees one
        return listing

    @property
    def listing_type(self) -> str:
        """``"result"`` or ``"need"``."""
        return "result" if self.research_result_id else "need"

    @property
    def title(self) -> str:
        return self.listing.title


class Question(models.Model):
    """A question from the audience about one slot; staff may hide or answer it."""

    slot = models.ForeignKey(RoadshowSlot, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadshow_questions"
    )
    text = models.CharField(_("question"), max_length=500)
    hidden = models.BooleanField(_("hidden"), default=False)
    answered = models.BooleanField(_("answered"), default=False)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:60]


class QuestionVote(models.Model):
    """One upvote of a question by one user."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["question", "user"], name="question_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ↑ {self.question_id}"


class Intent(models.Model):
    """意向: an attendee's "I'm interested" in the project of one slot (once per user and slot).
    `organization` is the organisation the user acts for (None for guests)."""

    roadshow = models.ForeignKey(Roadshow, on_delete=models.CASCADE, related_name="intents")
    slot = models.ForeignKey(RoadshowSlot, on_delete=models.CASCADE, related_name="intents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roadshow_intents"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("intent")
        verbose_name_plural = _("intents")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "slot"], name="intent_once_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.user} → slot {self.slot_id}"
