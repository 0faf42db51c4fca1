"""A fixed-window counter in the cache: at most ``limit`` attempts per key and window."""

from __future__ import annotations

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt; False once ``limit`` attempts were made in the current window."""
    cache_key = f"throttle:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True
    return count <= limit
