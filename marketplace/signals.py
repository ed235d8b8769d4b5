"""Signals of the listings domain, for the apps above it (which marketplace may not import).

`listing_published` is sent inside the publishing transaction (`listing_approve`) with
``listing`` (the ResearchResult or TechnologyNeed, now published): a receiver's writes commit
or roll back with the publication. Receivers must be quick (no search, no e-mail): slow work
belongs in a worker fed by an outbox (matching's alerts do exactly that).
"""

from __future__ import annotations

from django.dispatch import Signal

listing_published = Signal()
