"""Fixtures of the attack tests: private evidence goes to a temporary directory, absolute links
under a fixed site address."""

import pytest

from tests.marketplace.organizations.members_helpers import SITE


@pytest.fixture(autouse=True)
def _private_media_and_site(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.SITE_URL = SITE
