"""The contract fixtures (`frozen`, `patent_result`) for the attack tests of signing."""

from tests.contracts.conftest import complete, frozen, patent_result  # noqa: F401
