"""Writes of saved searches and alert settings (keyword-only, typed, in transactions).

Only the owner may change a saved search (the selectors give others 404 before these run);
following applies to the listings of the actor's own organisations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kernel.errors import DomainError, PermissionDeniedError
from kernel.invisible_text import without_invisible
from kernel.locking import lock_row_by_pk
from marketplace import roles
from matching.alerts.models import AlertSettings, EmailMode, ListingUnfollow, SavedSearch
from matching.search.documents import model_for

from .queries import checked_params

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from matching.search.backends.base import ListingKind

NAME_MAX = 100


def _clean_name(name: str) -> str:
    # Invisible characters (bidi controls such as U+202E, zero-width ones) would make the name
    # shown differ from the name stored (Unicode Technical Standard #39): they are left out.
    name = " ".join(without_invisible(name or "").split())
    if not name:
        raise DomainError(
            _("Give the search a name."), code="name_required",
            fields={"name": [_("Give the search a name.")]},
        )
    if len(name) > NAME_MAX:
        raise DomainError(
            _("The name is too long."), code="name_too_long",
            fields={"name": [_("At most 100 characters.")]},
        )
    return name


def _clean_query(query: Mapping[str, Any]) -> dict[str, Any]:
    """`query` in its one saved form (`checked_params`); DomainError per parameter."""
    canonical, errors = checked_params(query)
    if errors:
        raise DomainError(
            _("The search has values that are not valid."), code="invalid_query",
            fields={f"query.{name}": list(messages) for name, messages in errors.items()},
        )
    return canonical


def _refuse_a_second_copy(*, actor: User, query: dict[str, Any], other_than: int | None) -> int:
    """DomainError (code ``duplicate``) when the actor already saved `query` (one search, one
    alert), compared in the saved form (rows saved before it was one are read in it too);
    `other_than` is the search being changed. Locks the user's row first, which serialises
    one user's checks; returns how many searches the user has."""
    lock_row_by_pk(get_user_model(), actor.pk)
    saved = list(SavedSearch.objects.filter(user=actor).only("name", "query"))
    same = next(
        (s for s in saved if s.pk != other_than and checked_params(s.query)[0] == query), None
    )
    if same is not None:
        raise DomainError(
            _("You have already saved this search as “%(name)s”.") % {"name": same.name},
            code="duplicate",
        )
    return len(saved)


@transaction.atomic
def saved_search_create(*, actor: User, name: str, query: Mapping[str, Any]) -> SavedSearch:
    """Save the search `query` (the search page's parameters) under `name`. DomainError per
    field for a missing or long name or bad parameters, (code ``duplicate``) when the user
    already saved the same parameters (one search, one alert), and (code ``too_many``) beyond
    `ALERT_SAVED_SEARCHES_PER_USER` searches."""
    name = _clean_name(name)
    query = _clean_query(query)
    count = _refuse_a_second_copy(actor=actor, query=query, other_than=None)
    limit = int(settings.ALERT_SAVED_SEARCHES_PER_USER)
    if count >= limit:
        raise DomainError(
            _("You have saved as many searches as allowed (%(limit)d); delete one first.")
            % {"limit": limit},
            code="too_many",
        )
    return SavedSearch.objects.create(user=actor, name=name, query=query)


@transaction.atomic
def saved_search_update(
    *,
    saved_search: SavedSearch,
    actor: User,
    name: str | None = None,
    query: Mapping[str, Any] | None = None,
) -> SavedSearch:
    """Rename a saved search and/or replace its parameters (its owner only). DomainError as
    `saved_search_create`'s: bad values, and (code ``duplicate``) parameters the user saved
    in another search."""
    if saved_search.user_id != actor.pk:
        raise PermissionDeniedError(_("You can only change your own saved searches."))
    fields = ["updated_at"]
    if name is not None:
        saved_search.name = _clean_name(name)
        fields.append("name")
    if query is not None:
        saved_search.query = _clean_query(query)
        _refuse_a_second_copy(actor=actor, query=saved_search.query, other_than=saved_search.pk)
        fields.append("query")
    saved_search.save(update_fields=fields)
    return saved_search


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch, actor: User) -> None:
    """Delete a saved search (its owner only); alerts already sent stay."""
    if saved_search.user_id != actor.pk:
        raise PermissionDeniedError(_("You can only delete your own saved searches."))
    saved_search.delete()


@transaction.atomic
def alert_settings_update(*, actor: User, email_mode: str) -> AlertSettings:
    """Set the actor's alert e-mails: "immediate", "digest" or "none"."""
    if email_mode not in EmailMode.values:
        raise DomainError(
            _("Choose how alerts are e-mailed."), code="invalid",
            fields={"email_mode": [_("Choose one of the offered values.")]},
        )
    row, _created = AlertSettings.objects.update_or_create(
        user=actor, defaults={"email_mode": email_mode}
    )
    return row


def alerts_unsubscribe(*, user: User) -> AlertSettings:
    """The one-click unsubscribe: no more alert e-mails for `user` (in-app alerts stay)."""
    return alert_settings_update(actor=user, email_mode=EmailMode.NONE)


@transaction.atomic
def listing_follow_set(*, actor: User, kind: str, object_id: int, follow: bool) -> bool:
    """Follow (the default) or unfollow the matches of a listing of one of the actor's
    organisations. DomainError for an unknown kind, PermissionDeniedError for a listing the
    actor is not a member of. Returns `follow`."""
    if kind not in ("result", "need"):
        raise DomainError(
            _("Choose a research result or a technology need."), code="invalid",
            fields={"kind": [_("Choose one of the offered values.")]},
        )
    model = model_for(cast("ListingKind", kind))  # checked above
    owner_id = model.objects.filter(pk=object_id).values_list("owner_id", flat=True).first()
    if owner_id is None or owner_id not in roles.organization_ids(actor):
        raise PermissionDeniedError(_("You can only follow your own organisations' listings."))
    unfollowed = ListingUnfollow.objects.filter(user=actor, kind=kind, object_id=object_id)
    if follow:
        unfollowed.delete()
    else:  # a repeated submit finds the row (no IntegrityError)
        ListingUnfollow.objects.get_or_create(user=actor, kind=kind, object_id=object_id)
    return follow


@transaction.atomic
def alert_settings_change(
    *,
    actor: User,
    email_mode: str | None = None,
    follows: Sequence[tuple[str, int, bool]] = (),
) -> None:
    """Change the e-mail mode (when given) and follow or unfollow listings ((kind, id,
    follow) each), all or nothing: the first refusal (`alert_settings_update`,
    `listing_follow_set`) rolls every change back."""
    if email_mode is not None:
        alert_settings_update(actor=actor, email_mode=email_mode)
    for kind, object_id, follow in follows:
        listing_follow_set(actor=actor, kind=kind, object_id=object_id, follow=follow)
