"""The Redis cache under a burst: more request threads than pooled connections wait, they never fail.

Django runs each ASGI request's sync code in a thread of its own, and core.cache.SharedPoolRedisCache
shares one connection pool per process, so a burst of N requests is N threads calling the cache at once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.core.cache import caches

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache needs REDIS_URL")
THREADS = 300


def test_a_burst_of_threads_larger_than_the_pool_all_get_their_cache_answer():
    start = threading.Barrier(THREADS)

    def request(i: int) -> object:
        cache = caches["default"]  # per thread, as in a request; the pool underneath is shared
        start.wait(timeout=30)  # all at once
        cache.set(f"burst:{i}", i, timeout=30)
        return cache.get(f"burst:{i}")

    with ThreadPoolExecutor(THREADS) as executor:
        results = list(executor.map(request, range(THREADS)))

    assert results == list(range(THREADS))
