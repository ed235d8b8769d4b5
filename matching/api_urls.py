"""Matching and search API routes."""

urlpatterns: list[object] = []
