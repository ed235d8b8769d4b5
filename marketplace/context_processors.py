"""Template context shared by every page."""

from django.http import HttpRequest

from marketplace import roles


def keqiao(request: HttpRequest) -> dict[str, object]:
    return {"is_broker": roles.is_broker(request.user)}
