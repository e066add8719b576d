"""Views worth keeping: what a page computes from stored data, kept and used again while that data
is unchanged (issue 14: the weekly report's page of a province computed ~10^5 rows per view).

A view is kept under a key that holds the *version* of the data it was computed from (for the
report page: the stored reports and the last workflow event, see
``services.reports.report_version``), so a change to the data makes a new key and the old view is
never read again: nothing has to be told to forget it, and processes or machines that share a
database agree without sharing the cache. Views are also forgotten after ``VIEW_CACHE_TTL``
seconds (default 300: names of firms and people shown in them may change without a new version)
and beyond ``VIEW_CACHE_SIZE`` views (default 64, least recently used first).

:class:`ViewCache` is what a cache offers; :class:`MemoryCache`, this process's memory, is the
default (one machine, nothing else to start). A cached view is shared by every request that
reads it: callers must not change it.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_app_context

__all__ = ["ViewCache", "MemoryCache", "init_view_cache", "view_cache", "cached"]


class ViewCache:
    """What a view cache offers: get a view by key (or None), put one."""

    def get(self, key: Hashable) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def put(self, key: Hashable, value: Any) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class MemoryCache(ViewCache):
    """Views in this process's memory: at most `size`, each for `ttl` seconds, behind a lock."""

    def __init__(self, size: int = 64, ttl: float = 300.0) -> None:
        self.size, self.ttl = max(int(size), 0), float(ttl)
        self._views: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            hit = self._views.get(key)
            if hit is None:
                return None
            if hit[0] < time.monotonic():
                del self._views[key]
                return None
            self._views.move_to_end(key)
            return hit[1]

    def put(self, key, value):
        if not self.size:
            return
        with self._lock:
            self._views[key] = (time.monotonic() + self.ttl, value)
            self._views.move_to_end(key)
            while len(self._views) > self.size:
                self._views.popitem(last=False)


_fallback = MemoryCache()


def init_view_cache(app) -> ViewCache:
    """The app's view cache (this process's memory) in app.extensions."""
    cache = MemoryCache(app.config.get("VIEW_CACHE_SIZE", 64), app.config.get("VIEW_CACHE_TTL", 300))
    app.extensions["matchmaker.views"] = cache
    return cache


def view_cache() -> ViewCache:
    """The running app's view cache (a process-wide one outside an application)."""
    if has_app_context():
        cache = current_app.extensions.get("matchmaker.views")
        if cache is not None:
            return cache
    return _fallback


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """The view kept under `key`, computed (and kept) when there is none."""
    cache = view_cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.put(key, value)
    return value
