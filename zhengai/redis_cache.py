"""Django's Redis cache backend, keeping one Redis client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every cache call
(the pool is kept, the client is not), and building one fills its table of ~170 response
callbacks: profiled on a signed-in page served from stored values, that was a seventh of
the request. A ``redis.Redis`` over a pool is safe to share, so each pool gets one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


def cache_is_shared() -> bool:
    """Whether the default cache is one for every process (Redis, ``REDIS_URL``), rather than
    each process's own memory (the embedded default): what is kept in it is then seen by the
    web processes and the worker alike."""
    return bool(getattr(settings, "REDIS_URL", None))


class ReusedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PortalRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
