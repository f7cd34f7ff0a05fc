"""The server-less cache (no REDIS_URL): Django's file cache, minus its habit of culling live entries.

Lock-outs (allauth's login limits) and throttles (DRF) live in the default cache. Django's file cache
deletes a random third of its files whenever it holds MAX_ENTRIES (300 by default), live or not, so
enough unrelated writes (market data, failed logins on other accounts) erased a lock-out early.
This cache never deletes a live entry: at MAX_ENTRIES it deletes the expired ones, and above that it
grows (every entry has a lifetime, so live entries are bounded by what was written recently).
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import zlib

from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.files import locks

logger = logging.getLogger(__name__)

# Counting the files lists the whole directory, so it is done at most this often (OPTIONS may override).
CHECK_EVERY_SECONDS = 1.0
# After a sweep that left the cache still full of live entries, wait this long before the next one
# (a sweep reads every file; doing it on every write would make a full cache slow).
SWEEP_PAUSE_SECONDS = 30.0
_next_check: dict[str, float] = {}  # cache directory → monotonic time, shared by the per-thread instances


class ExpiringFileBasedCache(FileBasedCache):
    """FileBasedCache whose cull removes only expired entries (MAX_ENTRIES says when to look for them)."""

    def __init__(self, dir: str, params: dict) -> None:
        super().__init__(dir, params)
        self._check_every = float(params.get("OPTIONS", {}).get("CHECK_EVERY_SECONDS", CHECK_EVERY_SECONDS))

    def incr(self, key, delta: int = 1, version=None) -> int:
        # Django's file cache re-sets an incremented entry with the default timeout (5 minutes), so a
        # throttle counter (core.throttles.WindowCounterThrottle) would restart after a quiet spell, and
        # writes a new file per call (a rename costs milliseconds on some filesystems). This rewrites the
        # file in place under an exclusive lock, keeping its expiry, as Django's own touch() does: atomic
        # between processes, and cheap enough for one call per API request.
        try:
            with open(self._key_to_file(key, version), "r+b") as file:
                locks.lock(file, locks.LOCK_EX)
                try:
                    expiry = pickle.load(file)  # noqa: S301  (our own cache files, as Django's get reads them)
                    if expiry is not None and expiry < time.time():
                        raise ValueError(f"Key '{key}' not found.")
                    value = pickle.loads(zlib.decompress(file.read())) + delta  # noqa: S301
                    file.seek(0)
                    file.write(pickle.dumps(expiry, self.pickle_protocol))
                    file.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
                    file.truncate()
                finally:
                    locks.unlock(file)
        except (FileNotFoundError, EOFError, pickle.UnpicklingError, zlib.error):
            raise ValueError(f"Key '{key}' not found.") from None
        return value

    def _cull(self) -> None:
        now = time.monotonic()
        if now < _next_check.get(self._dir, 0.0):
            return
        _next_check[self._dir] = now + self._check_every
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        for name in files:
            try:
                with open(name, "rb") as file:
                    self._is_expired(file)  # deletes the file when its entry has expired
            except (OSError, EOFError, pickle.UnpicklingError):  # deleted meanwhile, or unreadable: not ours to judge
                continue
        live = len(self._list_cache_files())
        if live >= self._max_entries:
            _next_check[self._dir] = time.monotonic() + SWEEP_PAUSE_SECONDS
            logger.warning(
                "The file cache holds %s live entries (FLAXU_CACHE_MAX_ENTRIES=%s); none is culled. "
                "Raise the setting or set REDIS_URL.",
                live,
                self._max_entries,
            )


# --- Redis ----------------------------------------------------------------------------------------
# Django makes a cache backend per thread and per async context, and each RedisCache opens its own
# connection pool: under ASGI every request ran in a new context, so every request connected to Redis
# anew (a TCP connect and redis-py's hand-shake before its first cache call). One pool per process
# and server instead; redis-py pools are thread-safe and start afresh in a forked child.
_redis_pools: dict[tuple[str, str], object] = {}
_redis_pools_lock = threading.Lock()


_redis_clients: dict[int, object] = {}  # id(pool) → its redis.Redis (pools live as long as the process)


class _SharedPoolClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        # Django builds a new redis.Redis per cache call (≈ 0.3 ms, three calls per API request); a client
        # is only a thread-safe handle on its pool, so one per pool serves every thread.
        pool = self._get_connection_pool(write)
        client = _redis_clients.get(id(pool))
        if client is None:
            client = _redis_clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def _get_connection_pool(self, write):
        server = self._servers[self._get_connection_pool_index(write)]
        key = (server, repr(sorted(self._pool_options.items())))
        pool = _redis_pools.get(key)
        if pool is None:
            with _redis_pools_lock:
                pool = _redis_pools.get(key)
                if pool is None:
                    pool = _redis_pools[key] = self._pool_class.from_url(server, **self._pool_options)
        return pool


class SharedPoolRedisCache(RedisCache):
    """Django's Redis cache with one connection pool per process (not one per request context)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _SharedPoolClient
