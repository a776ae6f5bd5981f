"""The public cache's Redis backend keeps one Redis client per pool (renovation/public/redis_cache.py)."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings

from renovation.public.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (REDIS_URL); CI has it")


@pytest.fixture
def cache():
    backend = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-redis-cache"})
    yield backend
    backend.delete_many(["a", "b"])
    backend.close()


def test_every_call_and_thread_shares_one_client_per_pool(cache):
    first = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is first  # one server: reads and writes share it
    seen = []
    thread = threading.Thread(target=lambda: seen.append(cache._cache.get_client()))
    thread.start()
    thread.join()
    assert seen == [first]
    assert len(cache._cache._pools) == 1


def test_it_stores_reads_and_deletes_as_djangos_backend_does(cache):
    cache.set("a", {"page": "甲"}, 30)
    assert cache.get("a") == {"page": "甲"}
    assert cache.add("a", "other", 30) is False
    assert cache.incr("b", 1) if cache.add("b", 1, 30) else False
    assert cache.get_many(["a", "b", "c"]) == {"a": {"page": "甲"}, "b": 2}
    cache.delete("a")
    assert cache.get("a", "gone") == "gone"
