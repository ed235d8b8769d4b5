"""The webhook endpoint: ``POST /payments/webhooks/<provider>/``, e.g.
``/payments/webhooks/stripe/``.

Responses (JSON): 200 ``{"received": true, "event": id, "result": ..., "repeated": bool}``
for a processed, repeated or ignored event; 400 in the API's error shape for a bad signature
or body; 404 for a provider that is not configured; 405 for anything but POST. Exempt from
CSRF: the signature authenticates the request.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.providers import get_provider
from payments.providers.base import InvalidSignature
from payments.services import webhook_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def payment_webhook(request: HttpRequest, provider: str) -> JsonResponse:
    if provider not in settings.PAYMENT_PROVIDERS:
        return JsonResponse(
            {"message": _("Unknown payment provider."), "code": "not_found", "fields": {}},
            status=404,
        )
    header = get_provider(provider).signature_header_name
    try:
        outcome = webhook_receive(
            provider=provider,
            payload=request.body,
            signature_header=request.headers.get(header, "") if header else "",
        )
    except InvalidSignature as exc:
        logger.warning("Rejected %s webhook: %s", provider, exc)
        return JsonResponse(
            {
                "message": _("The webhook signature is not valid."),
                "code": "invalid_signature",
                "fields": {},
            },
            status=400,
        )
    return JsonResponse(
        {
            "received": True,
            "event": outcome.event_id,
            "result": outcome.result,
            "repeated": outcome.repeated,
        }
    )
