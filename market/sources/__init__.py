"""Market-data sources behind one interface (``base.MarketSource``): ``live`` and ``replay``.

``get_source()`` returns the one ``FLAXU_MARKET_SOURCE`` names, built once per process (and again only
when the settings it was built from change, e.g. in tests).
"""

from __future__ import annotations

import functools
import time

from django.conf import settings
from django.core.cache import cache

from market.sources.base import Liquidation, MarketSource
from market.timeframes import TIMEFRAMES  # the timeframes every source serves

# Replay at a speed other than 1x: when the replay started, shared by every process through the cache.
REPLAY_START_KEY = "market:replay:start"


def get_source() -> MarketSource:
    """The configured market source (cached per process)."""
    return _build(
        settings.FLAXU_MARKET_SOURCE,
        tuple(settings.FLAXU_MARKET_EXCHANGES),
        int(settings.FLAXU_REPLAY_SEED),
        float(settings.FLAXU_REPLAY_SPEED),
        settings.FLAXU_REPLAY_CSV,
    )


def replay_start() -> float:
    """Wall time at which the replay started (the first process to ask sets it)."""
    now = time.time()
    cache.add(REPLAY_START_KEY, now, timeout=None)
    return float(cache.get(REPLAY_START_KEY, now))


@functools.lru_cache(maxsize=8)
def _build(name: str, exchanges: tuple[str, ...], seed: int, speed: float, csv_path: str) -> MarketSource:
    if name == "live":
        from market.sources.live import LiveSource

        return LiveSource(exchanges=exchanges)
    from market.sources.replay import ReplaySource

    # At 1x the replay clock is the wall clock (nothing to share); otherwise every process anchors at
    # the same start.
    start = None if speed == 1.0 and not csv_path else replay_start()
    return ReplaySource(seed=seed, exchanges=exchanges, speed=speed, csv_path=csv_path or None, start=start)


def reset_source() -> None:
    """Forget the cached source (tests)."""
    _build.cache_clear()


__all__ = ["TIMEFRAMES", "Liquidation", "MarketSource", "get_source", "reset_source"]
