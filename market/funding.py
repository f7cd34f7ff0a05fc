"""Funding rates side by side across exchanges, with the next funding time and an annualized rate.

Pure: plain observations in, plain rows out. No Django, no I/O.

Rules:

* ``rate`` is the fraction paid per funding period (``0.0001`` = 0.01 %, paid by longs to shorts when
  positive). The period comes from the exchange's funding interval (``"8h"``, ``"4h"``, ``"1h"``, or a
  number of hours); an unknown interval counts as 8 hours, the most common one (Binance, OKX, Bybit and
  BingX default to 8 h for most perpetuals).
* **Annualized rate** (simple, not compounded): ``rate * periods_per_year`` with
  ``periods_per_year = 365 * 24 / interval_hours``; e.g. 0.01 % every 8 h is ``0.0001 * 1095 = 10.95 %``
  a year. Shown in percent.
* A symbol's row lists every exchange that quotes it; ``spread_pct`` is the highest minus the lowest
  annualized rate across them (the carry a long-short pair across those venues would earn, before fees),
  ``None`` when only one exchange quotes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

HOURS_PER_YEAR = 365 * 24
DEFAULT_INTERVAL_HOURS = 8.0
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd]?)\s*$", re.IGNORECASE)
_UNIT_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "": 1.0}


@dataclass(frozen=True, slots=True)
class FundingObservation:
    """One exchange's current funding rate for one symbol."""

    exchange: str
    symbol: str
    rate: float
    next_funding_time: datetime | None = None
    interval: str | float | None = None  # "8h", 8, 8.0 or None (unknown: 8 h)


@dataclass(frozen=True, slots=True)
class FundingQuote:
    exchange: str
    rate_pct: float  # per period, percent
    interval_hours: float
    annualized_pct: float
    next_funding_time: datetime | None


@dataclass(frozen=True, slots=True)
class FundingRow:
    symbol: str
    quotes: dict[str, FundingQuote] = field(default_factory=dict)  # by exchange
    spread_pct: float | None = None  # max - min annualized, percent


def interval_hours(value: str | float | None, default: float = DEFAULT_INTERVAL_HOURS) -> float:
    """Hours in one funding period from ccxt's ``interval`` ("8h", "480m", "1d") or a number of hours."""
    if value is None or value == "":
        return default
    if isinstance(value, int | float):
        return float(value) if value > 0 else default
    match = _INTERVAL.match(str(value))
    if not match:
        return default
    hours = float(match.group(1)) * _UNIT_HOURS[match.group(2).lower()]
    return hours if hours > 0 else default


def periods_per_year(hours: float) -> float:
    return HOURS_PER_YEAR / hours


def annualize(rate: float, interval: str | float | None = None) -> float:
    """The simple annualized rate as a fraction: ``rate * 365 * 24 / interval_hours``."""
    return float(rate) * periods_per_year(interval_hours(interval))


def compare(observations: Iterable[FundingObservation], exchanges: Sequence[str] | None = None) -> list[FundingRow]:
    """One row per symbol with each exchange's quote; rows sorted by spread (widest first), then symbol.

    ``exchanges`` restricts (and orders) the venues kept; by default every venue seen is kept.
    """
    wanted = None if exchanges is None else list(exchanges)
    by_symbol: dict[str, dict[str, FundingQuote]] = {}
    for o in observations:
        if wanted is not None and o.exchange not in wanted:
            continue
        hours = interval_hours(o.interval)
        by_symbol.setdefault(o.symbol, {})[o.exchange] = FundingQuote(
            exchange=o.exchange,
            rate_pct=100.0 * float(o.rate),
            interval_hours=hours,
            annualized_pct=100.0 * float(o.rate) * periods_per_year(hours),
            next_funding_time=o.next_funding_time,
        )
    rows = []
    for symbol, quotes in by_symbol.items():
        if wanted is not None:
            quotes = {e: quotes[e] for e in wanted if e in quotes}
        annual = [q.annualized_pct for q in quotes.values()]
        spread = max(annual) - min(annual) if len(annual) >= 2 else None
        rows.append(FundingRow(symbol=symbol, quotes=quotes, spread_pct=spread))
    rows.sort(key=lambda r: (r.spread_pct is None, -(r.spread_pct or 0.0), r.symbol))
    return rows
