"""`{% load regions %}`: `{{ listing.province|province_label }}`, the province-level division
in the page's language (`marketplace.regions.province_label`: "Hebei" on English pages)."""

from __future__ import annotations

from django import template

from marketplace.regions import province_label as label_of

register = template.Library()


@register.filter
def province_label(name: object) -> str:
    """`name` (a stored province name) as the page's language names it; "" for none."""
    return label_of(str(name)) if name else ""
