import pytest

from tests.accounts.helpers import SITE


@pytest.fixture(autouse=True)
def _site(settings):
    """Links in e-mails must be under this address, whatever host a request names."""
    settings.SITE_URL = SITE
