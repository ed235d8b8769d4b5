"""Listings API routes (filled in by the listings API)."""

urlpatterns: list[object] = []
