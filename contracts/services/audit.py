"""The audit trail: who is asking (`ClientInfo`) and the one writer of `AgreementEvent` rows.

`ClientInfo` is what services record with each `AgreementEvent`; views and APIs build it from the
request with `client_info`. The IP address is REMOTE_ADDR (set by the server or a trusted proxy
in front of it); forwarded-for headers are not trusted here because any client can send them.

Every event is recorded through `agreement_event_record`: created, edited, approved, reopened,
checked, signed, sealed, downloaded, verified, amended — with actor, UTC time, IP address, user
agent, document hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from contracts.models import Agreement, AgreementEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

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


def agreement_event_record(
    *,
    agreement: Agreement,
    kind: str,
    actor: User | None,
    client: ClientInfo,
    document_sha256: str = "",
    details: dict[str, Any] | None = None,
) -> AgreementEvent:
    """Append one event to the audit trail (times are aware UTC, `created_at_beijing` for
    display). `actor` may be None for the system or an anonymous verifier. Used by the
    verification module (pdf-seal) with kind=EventKind.VERIFIED as well."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AgreementEvent.objects.create(
        agreement=agreement,
        kind=kind,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated and actor is not None else "",
        ip_address=client.ip_address,
        user_agent=client.user_agent[:500],
        document_sha256=document_sha256,
        details=details or {},
    )
