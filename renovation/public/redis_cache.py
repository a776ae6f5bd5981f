"""Django's Redis cache with one Redis client per connection pool, not one per call.

Django's ``RedisCacheClient.get_client`` makes a new ``redis.Redis`` around its connection pool for
every cache call. With redis-py 8 that object costs about 0.3 ms of CPU to build (its response
callbacks, its retry and its event dispatcher), more than the round trip it is made for, and a
public page makes two or three cache calls (the scopes' versions, the page, routing's version). A
``redis.Redis`` holds no connection of its own: each command takes one from the pool and gives it
back, so one client per pool is shared by every call and thread, as redis-py documents. Everything
else (the pools, the serializer, the options in ``CACHES``) is Django's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}  # by the pool's index in ``_pools``

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with ``RedisCacheClient`` above."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
