"""Elasticsearch in the search tests: which backends to run, and a per-session index prefix.

Tests that need the real node are marked `elasticsearch` and skipped with a reason when
ELASTICSEARCH_URL is not set. While a module runs, SEARCH_BACKENDS points the Elasticsearch
backend at the index prefix `keqiao-test-<pid>` (never the development indices on the same
node), and every index of that prefix is deleted when the module ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from matching.search import EMBEDDED_BACKEND

ES_URL: str = getattr(settings, "ELASTICSEARCH_URL", "") or ""
TEST_PREFIX = f"keqiao-test-{os.getpid()}"
ES_BACKEND = "matching.search.backends.elasticsearch.ElasticsearchSearchBackend"
#: The embedded index of this test run (removed by `drop_embedded_test_index`).
EMBEDDED_INDEX_DIR = tempfile.mkdtemp(prefix="keqiao-test-index-")
SKIP_REASON = "Elasticsearch is not configured (set ELASTICSEARCH_URL to a running node)"

needs_es = [pytest.mark.elasticsearch, pytest.mark.skipif(not ES_URL, reason=SKIP_REASON)]


def backend_params() -> list[Any]:
    """The shared suite's backends: "embedded" always, "elasticsearch" when configured."""
    return [pytest.param("embedded"), pytest.param("elasticsearch", marks=needs_es)]


def es_config(prefix: str = TEST_PREFIX, **params: Any) -> dict[str, Any]:
    """A SEARCH_BACKENDS entry for the node at ELASTICSEARCH_URL under `prefix`."""
    return {"BACKEND": ES_BACKEND, "URL": ES_URL, "INDEX_PREFIX": prefix, **params}


def backends_for_tests(**extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """SEARCH_BACKENDS for tests: Elasticsearch (if configured) under the test prefix as
    "default"/"elasticsearch", the embedded backend as "embedded", plus `extra` entries."""
    if ES_URL:
        backends: dict[str, dict[str, Any]] = {
            "default": es_config(),
            "elasticsearch": {"ALIAS": "default"},
            "embedded": embedded_config(),
        }
    else:
        backends = {"default": embedded_config(), "embedded": {"ALIAS": "default"}}
    return {**backends, **extra}


def embedded_config() -> dict[str, Any]:
    """The SEARCH_BACKENDS entry of the embedded backend, on this run's index directory."""
    return {"BACKEND": EMBEDDED_BACKEND, "PATH": EMBEDDED_INDEX_DIR}


def drop_embedded_test_index() -> None:
    """Delete this run's embedded index (at the end of the run)."""
    shutil.rmtree(EMBEDDED_INDEX_DIR, ignore_errors=True)


def drop_test_indices(prefix: str = TEST_PREFIX) -> None:
    """Delete every index of `prefix` on the Elasticsearch node (nothing when it is not
    configured)."""
    if not ES_URL:
        return
    from matching.search.backends.elasticsearch import ElasticsearchSearchBackend

    ElasticsearchSearchBackend({"URL": ES_URL, "INDEX_PREFIX": prefix}).drop_indices()


@pytest.fixture(scope="module")
def es_test_prefix() -> Iterator[str]:
    """Module-wide: the test SEARCH_BACKENDS; the prefix's indices are dropped at the end."""
    override = override_settings(SEARCH_BACKENDS=backends_for_tests())
    override.enable()
    try:
        yield TEST_PREFIX
    finally:
        override.disable()
        drop_test_indices()
