"""Invitation addresses compare as the database's ``iexact`` lookups: the local part without
case, the domain as its IDNA A-label."""

from __future__ import annotations

import pytest

from marketplace.services.members import same_address


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Li@Example.COM", "li@example.com", True),
        ("li@straße.de", "li@strasse.de", False),
        ("li@Straße.de", "li@xn--strae-oqa.de", True),
        ("STRASSE@example.com", "straße@example.com", False),
        ("li@example.com", "", False),
        ("li@bad..domain", "LI@bad..domain", True),
    ],
)
def test_same_address(first, second, same):
    assert same_address(first, second) is same
