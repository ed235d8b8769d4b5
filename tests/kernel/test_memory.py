"""Freed heap memory goes back to the system before gunicorn forks (glibc's malloc_trim)."""

from __future__ import annotations

import platform

import pytest

from kernel.memory import release_free_heap


def _anonymous_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise AssertionError("no RssAnon in /proc/self/status")


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_the_heap_left_by_many_freed_objects_is_returned_to_the_system() -> None:
    # As loading the vector index does: many 1.5 KB buffers, most freed, a few kept between.
    buffers = [bytes(1536) + i.to_bytes(4, "little") for i in range(60_000)]
    kept = buffers[::50]
    del buffers
    before = _anonymous_kb()
    assert release_free_heap() is True
    assert _anonymous_kb() < before - 40_000  # of about 90 MB freed, most was still resident
    assert len(kept) == 1200
