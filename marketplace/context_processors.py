"""Template context shared by every page."""

from django.http import HttpRequest

from marketplace import roles


def keqiao(request: HttpRequest) -> dict[str, object]:
    """`is_broker`; `my_organization` (the user's primary organisation, or None) and
    `organization_notice` (why its members may not publish or send requests yet, or "": the
    banner of every page, `roles.unverified_reason`)."""
    organization = roles.primary_organization(request.user)
    return {
        "is_broker": roles.is_broker(request.user),
        "my_organization": organization,
        "organization_notice": roles.unverified_reason(organization) if organization else "",
    }
