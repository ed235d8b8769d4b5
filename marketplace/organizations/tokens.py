"""Invitation tokens: a random secret in the e-mailed link, kept only as its digest.

The token carries 256 bits from `secrets` (URL-safe Base64, 43 characters); the database
holds its SHA-256 digest (as django-rest-knox keeps API tokens), so a copy of the table
cannot accept an invitation. A fast hash suffices: the secret is random, not a password.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The stored form of an invitation token: its SHA-256 digest in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
