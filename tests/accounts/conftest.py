import pytest

from tests.accounts.helpers import SITE

# A frozen agreement to sign: the name on record is frozen once its holder signed one.
from tests.contracts.conftest import frozen, patent_result  # noqa: F401


@pytest.fixture(autouse=True)
def _site(settings):
    """Links in e-mails must be under this address, whatever host a request names."""
    settings.SITE_URL = SITE
