"""The portal's Redis cache backend keeps one client per pool, and still works as a cache."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: CI sets REDIS_URL")


def test_one_client_per_pool_and_a_working_cache():
    from django.core.cache import caches

    from zhengai.redis_cache import PortalRedisCache

    cache = caches["default"]
    assert isinstance(cache, PortalRedisCache)
    client = cache._cache.get_client("k", write=True)
    assert cache._cache.get_client("other", write=True) is client
    assert cache._cache.get_client("k") is client  # one server: reads use the same pool
    cache.set("redis-cache-test", {"值": 1}, 30)
    assert cache.get("redis-cache-test") == {"值": 1}
    assert cache.get_many(["redis-cache-test", "missing"]) == {"redis-cache-test": {"值": 1}}
    cache.delete("redis-cache-test")
    assert cache.get("redis-cache-test") is None
