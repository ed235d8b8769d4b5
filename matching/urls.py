"""Matching and search web pages."""

urlpatterns: list[object] = []
