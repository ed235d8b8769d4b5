"""The browser policies every page is served under: Content-Security-Policy (django-csp's
``CONTENT_SECURITY_POLICY``, CSP Level 3) and Permissions-Policy (django-permissions-policy's
``PERMISSIONS_POLICY``), built from the roadshow stream hosts and whether Stripe Checkout is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from csp.constants import NONE, SELF

#: Powerful browser features no page of Keqiao uses: off everywhere. Only features Chromium
#: recognises (its permissions_policy_features.json5): it logs an "Unrecognized feature"
#: console warning on every page for others, e.g. ambient-light-sensor and bluetooth, which
#: it ships only behind flags.
_FEATURES_OFF = (
    "accelerometer",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
#: Features the embedded stream players (and only they) need.
_PLAYER_FEATURES = ("autoplay", "encrypted-media", "fullscreen", "picture-in-picture")


def _origins(stream_hosts: Iterable[str]) -> list[str]:
    return [f"https://{host}" for host in stream_hosts]


def content_security_policy(
    *, stream_hosts: Iterable[str], stripe_checkout: bool
) -> dict[str, Any]:
    """Scripts, styles, fonts and data only from this site, no inline script, style or event
    handler anywhere; frames only from the roadshow stream hosts. Stripe Checkout is reached by
    a redirect after a form post, which form-action also governs."""
    stream_origins = _origins(stream_hosts)
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            "img-src": [SELF, "data:"],  # data: for the ticket QR code (SVG data URI)
            "font-src": [SELF],
            "connect-src": [SELF],
            "media-src": [SELF],
            "frame-src": stream_origins or [NONE],
            "frame-ancestors": [NONE],
            "form-action": [SELF, *(["https://checkout.stripe.com"] if stripe_checkout else [])],
            "base-uri": [NONE],
            "object-src": [NONE],
        }
    }


def permissions_policy(*, stream_hosts: Iterable[str]) -> dict[str, list[str]]:
    """Powerful features off everywhere; the embedded stream players may play, go fullscreen,
    show picture-in-picture and decrypt protected media."""
    players = ["self", *_origins(stream_hosts)]
    return {
        **{feature: [] for feature in _FEATURES_OFF},
        **{feature: players for feature in _PLAYER_FEATURES},
    }
