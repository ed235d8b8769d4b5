"""How a notification verb's link is built from its parameters (`marketplace.notification_verbs`
names one of these per verb): the path of the object's page by URL route name, "" when the site
has no page for it. Routes are named by string; this module imports no feature app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.urls import NoReverseMatch, reverse

#: A parameter value: what JSON stores as it is (no lazy strings, dates or model instances).
ParamValue = str | int | float | bool | None
Params = Mapping[str, ParamValue]

#: The parameter that picks one of a verb's `variants`.
VARIANT = "variant"


def first_route(*names: str, key: str, kwarg: str = "pk", fallback: str = "") -> Callable[
    [Params], str
]:
    """A link builder: the path of the first of the routes `names` that exists, with the
    parameter `key` as its `kwarg`; `fallback` (formatted with ``{id}``) when none does."""

    def link(params: Params) -> str:
        for name in names:
            try:
                return reverse(name, kwargs={kwarg: params[key]})
            except NoReverseMatch:
                continue
        return fallback.format(id=params[key]) if fallback else ""

    return link


def listing_link(params: Params) -> str:
    """The listing's page: `result-detail` or `need-detail` by the parameter ``kind``."""
    if params.get("kind") == "need":
        return first_route("need-detail", key="listing", fallback="/needs/{id}/")(params)
    return first_route("result-detail", key="listing", fallback="/results/{id}/")(params)


match_request_link = first_route(
    "match-request-detail", "api-match-request-detail", key="match_request"
)
agreement_link = first_route("agreement-detail", "api-agreement-detail", key="agreement")
my_schedule_link = first_route(
    "roadshow-my-schedule", key="roadshow_id", kwarg="roadshow_id",
    fallback="/roadshows/{id}/my-schedule/",
)
roadshow_link = first_route("roadshow-detail", key="roadshow_id")
organization_link = first_route(
    "organization-detail", "api-organization-detail", key="organization"
)
members_link = first_route("organization-members", key="organization")
join_requests_link = first_route(
    "organization-join-requests", "api-organization-join-requests", key="organization"
)


def claims_queue_link(params: Params) -> str:
    """The brokers' queue of claims."""
    try:
        return reverse("organization-claim-queue")
    except NoReverseMatch:
        return ""


def mediation_link(sender_link: Callable[[Params], str]) -> Callable[[Params], str]:
    """A link builder for the transfer centre's verbs: the request's own page (`sender_link`)
    for the variant ``sender``, else the brokers' mediation queue."""

    def link(params: Params) -> str:
        if params.get(VARIANT) == "sender":
            return sender_link(params)
        try:
            return reverse("mediation-queue")
        except NoReverseMatch:
            return ""

    return link
