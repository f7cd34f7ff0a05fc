"""What every intel widget shares: the JSON-safe envelope, the cache (Django's ``get_or_set``), groups.

A widget payload is plain JSON data and always carries ``"source"`` (where the data came from),
``"stale_since"`` (ISO time, or None when fresh), ``"updated_at"`` and ``"demo"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.cache import cache

from market.exchanges import errors
from market.selectors import snapshots
from market.selectors.candles import candle_exchanges
from market.selectors.intel import widget_key
from market.sources import get_source

GROUPS = {
    "arbitrage": "market.arbitrage",
    "funding": "market.funding",
    "long_short": "market.long-short",
    "open_interest": "market.open-interest",
    "liquidations": "market.liquidations",  # + "." + symbol slug, e.g. market.liquidations.btc-usdt-usdt
    "fear_greed": "market.fear-greed",
    "altcoin_season": "market.altcoin-season",
    "top_coins": "market.top-coins",
}


def plain(value: Any) -> Any:
    """JSON-safe copy: Decimal -> float, datetime -> ISO string, dataclass -> dict, NaN/inf -> None."""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.floating):
        return plain(float(value))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def as_float(value: Any) -> float | None:
    """``float(value)``; None for None, NaN and infinities."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def now() -> datetime:
    return datetime.now(UTC)


def is_demo() -> bool:
    return bool(get_source().is_demo)


def envelope(data: dict[str, Any], *, source: str | None, stale_since: datetime | None) -> dict[str, Any]:
    """``data`` with source, freshness and demo flag, JSON-safe."""
    return plain({**data, "source": source, "stale_since": stale_since, "updated_at": now(), "demo": is_demo()})


def widget(name: str, ttl: int, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The cached widget, computed and stored when missing."""
    return cache.get_or_set(widget_key(name), build, ttl)


def store(name: str, ttl: int, payload: dict[str, Any]) -> dict[str, Any]:
    cache.set(widget_key(name), payload, ttl)
    return payload


def exchanges() -> list[str]:
    return list(snapshots.exchanges())


def source_name(what: str) -> str:
    return f"{get_source().name} {what}"


def known_symbol(symbol: str) -> str:
    """``symbol`` if it is a followed perpetual; ``InvalidRequest`` otherwise."""
    if symbol not in snapshots.universe():
        raise errors.InvalidRequest(f"Unknown symbol {symbol!r}; use a perpetual of the followed universe.")
    return symbol


def last_prices(exchange: str) -> dict[str, float]:
    return {s: float(t.last) for s, t in snapshots.tickers(exchange).data.items() if t.last is not None}


def candle_exchange() -> str:
    return candle_exchanges()[0]


def universe_order(symbol: str) -> tuple[int, str]:
    universe = snapshots.universe()
    return (universe.index(symbol) if symbol in universe else len(universe), symbol)


_MULTIPLIERS = (("1000000", 1e6), ("1000", 1e3), ("1M", 1e6))


def base_coin(symbol: str) -> tuple[str, float]:
    """``("PEPE", 1000.0)`` for ``1000PEPE/USDT:USDT``: the coin and how many of it one contract unit is."""
    base = symbol.split("/")[0].upper()
    for prefix, multiplier in _MULTIPLIERS:
        if base.startswith(prefix) and len(base) > len(prefix) and not base[len(prefix)].isdigit():
            return base[len(prefix) :], multiplier
    return base, 1.0
