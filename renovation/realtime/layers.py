"""The channel layer in production: channels_redis's core layer with a bounded Redis pool.

channels_redis builds a plain redis-py ConnectionPool, which holds at most 100 connections and
fails the 101st caller at once with ``MaxConnectionsError``. Every handshake holds a connection
for its ``group_add`` and every closing socket one for its ``group_discard``, so a notice shared
in a group chat (hundreds of sockets opening, or closing, in the same second on one process)
failed handshakes with HTTP 500 and left the members it could not discard in the group until
``group_expiry``. Here the pool is a BlockingConnectionPool: at most ``max_connections`` per
process (and event loop), and a caller waits up to ``timeout`` seconds for one to come free.
Both come from the settings (``CHANNEL_REDIS_MAX_CONNECTIONS``, ``CHANNEL_REDIS_POOL_TIMEOUT``).

Failures of Redis itself (down, restarting) still raise ``redis.exceptions.RedisError``;
``LAYER_ERRORS`` is what the live consumers treat as "the layer is gone"
(renovation/realtime/consumers.py).
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer as CoreRedisChannelLayer
from redis.asyncio import BlockingConnectionPool
from redis.exceptions import RedisError

# What a channel-layer call raises when Redis is unreachable, restarting or out of connections.
LAYER_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)


class RedisChannelLayer(CoreRedisChannelLayer):
    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        address = host.pop("address", None)
        if address is None:  # host/port or sentinel hosts: channels_redis's own pools
            return super().create_pool(index)
        return BlockingConnectionPool.from_url(address, **host)
