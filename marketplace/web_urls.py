"""Listings web pages."""

urlpatterns: list[object] = []
