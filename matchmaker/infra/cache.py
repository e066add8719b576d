"""The cache every process of the service shares: Redis when ``REDIS_URL`` is configured, else
this process's memory (the single-machine default, nothing else to start).

Values are bytes or text under string keys, with a time to live; counters (:func:`bump`,
:func:`generation`) let one process tell all the others that what they computed from some data
is stale (e.g. the best-partner index after a posting changed). Keys are prefixed with
``CACHE_KEY_PREFIX`` (default ``matchmaker:``), so several services may share one Redis.

If Redis cannot be reached the cache answers as empty (a miss, no generation) and logs it:
callers recompute rather than fail, and rate limits fall back to memory on their own.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Optional

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

__all__ = ["SharedCache", "MemoryCache", "RedisCache", "shared_cache", "init_cache", "redis_client",
           "bump", "generation"]


class SharedCache:
    """What a cache offers; :class:`MemoryCache` and :class:`RedisCache` implement it."""

    shared = False  # True when other processes (other machines) see the same values

    def get(self, key: str) -> Optional[bytes]:  # pragma: no cover - interface
        raise NotImplementedError

    def set(self, key: str, value: bytes | str, ttl: float) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def delete(self, key: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def add(self, key: str, value: bytes | str, ttl: float) -> bool:  # pragma: no cover - interface
        """Set `key` only if it is absent; True when this call set it (a claim only one process wins)."""
        raise NotImplementedError

    def incr(self, key: str) -> Optional[int]:  # pragma: no cover - interface
        raise NotImplementedError

    def counter(self, key: str) -> Optional[int]:  # pragma: no cover - interface
        raise NotImplementedError


class MemoryCache(SharedCache):
    """This process's memory, behind a lock (the default without Redis)."""

    def __init__(self, prefix: str = "matchmaker:") -> None:
        self.prefix = prefix
        self._values: dict[str, tuple[float, bytes]] = {}
        self._counters: dict[str, int] = {}
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            hit = self._values.get(self.prefix + key)
            if hit is None or hit[0] < time.monotonic():
                self._values.pop(self.prefix + key, None)
                return None
            return hit[1]

    def set(self, key, value, ttl):
        data = value.encode() if isinstance(value, str) else bytes(value)
        with self._lock:
            if len(self._values) > 10_000:  # a cache, not a store: forget what has expired
                now = time.monotonic()
                self._values = {k: v for k, v in self._values.items() if v[0] >= now}
            self._values[self.prefix + key] = (time.monotonic() + ttl, data)

    def delete(self, key):
        with self._lock:
            self._values.pop(self.prefix + key, None)

    def add(self, key, value, ttl):
        if self.get(key) is not None:
            return False
        with self._lock:
            if self.prefix + key in self._values and self._values[self.prefix + key][0] >= time.monotonic():
                return False
            self._values[self.prefix + key] = (time.monotonic() + ttl,
                                               value.encode() if isinstance(value, str) else bytes(value))
            return True

    def incr(self, key):
        with self._lock:
            value = self._counters.get(self.prefix + key, 0) + 1
            self._counters[self.prefix + key] = value
            return value

    def counter(self, key):
        with self._lock:
            return self._counters.get(self.prefix + key, 0)


class RedisCache(SharedCache):
    """Redis (``REDIS_URL``): every process and machine pointed at it sees the same values."""

    shared = True

    def __init__(self, client, prefix: str = "matchmaker:") -> None:
        self.client = client
        self.prefix = prefix

    def _try(self, what, default, call, *args):
        from redis.exceptions import RedisError

        try:
            return call(*args)
        except RedisError as exc:
            log.warning("shared cache: %s failed (%s); answering without it", what, exc)
            return default

    def get(self, key):
        return self._try("get", None, self.client.get, self.prefix + key)

    def set(self, key, value, ttl):
        self._try("set", None, lambda: self.client.set(self.prefix + key, value, px=max(1, int(ttl * 1000))))

    def delete(self, key):
        self._try("delete", None, self.client.delete, self.prefix + key)

    def incr(self, key):
        return self._try("incr", None, self.client.incr, self.prefix + key)

    def add(self, key, value, ttl):
        # Redis unreachable: claim it (better twice than never)
        return bool(self._try("add", True, lambda: self.client.set(self.prefix + key, value, px=max(1, int(ttl * 1000)),
                                                                   nx=True)))

    def counter(self, key):
        from redis.exceptions import RedisError

        try:
            value = self.client.get(self.prefix + key)
        except RedisError as exc:
            log.warning("shared cache: reading %s failed (%s)", key, exc)
            return None
        return int(value) if value is not None else 0


def redis_client(url: str):
    """A Redis client for `url` with short timeouts (a cache or limit must not hang a request)."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30)


_fallback = MemoryCache()


def init_cache(app) -> SharedCache:
    """Create the app's cache (Redis when REDIS_URL is set, else memory) in app.extensions."""
    prefix = app.config.get("CACHE_KEY_PREFIX") or "matchmaker:"
    url = app.config.get("REDIS_URL")
    cache = RedisCache(redis_client(url), prefix) if url else MemoryCache(prefix)
    app.extensions["matchmaker.cache"] = cache
    return cache


def shared_cache() -> SharedCache:
    """The running app's cache (this process's memory outside an application)."""
    if has_app_context():
        cache = current_app.extensions.get("matchmaker.cache")
        if cache is not None:
            return cache
    return _fallback


def bump(name: str) -> Optional[int]:
    """Advance the generation `name`: every process then treats what it derived before as stale."""
    return shared_cache().incr("generation:" + name)


def generation(name: str) -> Optional[int]:
    """The current generation `name` (0 before the first bump; None when Redis is unreachable)."""
    return shared_cache().counter("generation:" + name)
