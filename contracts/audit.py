"""Who is asking, for the audit trail: the client's IP address and user agent.

`ClientInfo` is what services record with each `AgreementEvent`; views and APIs build it from the
request with `client_info`. The IP address is REMOTE_ADDR (set by the server or a trusted proxy
in front of it); forwarded-for headers are not trusted here because any client can send them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

USER_AGENT_MAX_LENGTH = 500


@dataclass(frozen=True)
class ClientInfo:
    ip_address: str | None = None
    user_agent: str = ""


#: For events caused by the system itself (management commands, demo data).
SYSTEM = ClientInfo(ip_address=None, user_agent="keqiao (system)")


def client_info(request: HttpRequest) -> ClientInfo:
    ip = request.META.get("REMOTE_ADDR") or None
    agent = str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_MAX_LENGTH]
    return ClientInfo(ip_address=ip, user_agent=agent)
