"""kernel.web.error_status: the status of a page that shows a service's error again."""

from __future__ import annotations

from kernel.errors import ConflictError, DomainError
from kernel.web import error_status


def test_a_conflict_is_409_and_other_refusals_400():
    assert error_status(ConflictError("taken")) == 409
    assert error_status(DomainError("bad", fields={"title": ["required"]})) == 400
    assert error_status(None) == 400
