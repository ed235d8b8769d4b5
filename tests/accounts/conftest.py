import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_allauth_rate_limits():
    """allauth counts its rate limits (one verification e-mail per address every 3 minutes) in
    the cache, which outlives a test: each test starts with none."""
    cache.clear()
    yield
    cache.clear()
