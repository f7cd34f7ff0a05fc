"""Replay providers: the fixture answers in ``fixtures/`` played back on the replay clock, offline.

They parse exactly what the live providers parse (the same ``parse_*`` functions over answers in the
real shapes), after moving the numbers with the clock so the widgets live:

* **CoinGecko** (``coingecko_markets_page1.json``, ``..._page2.json``: 2 x 250 coins). Each coin's price
  is multiplied by ``exp(sum of three sines)`` of the replay time (periods of 7 minutes, 3 hours and
  2 days; amplitudes 0.2 %, 1 % and 3 %, halved for the top 10 and ~0 for stablecoins; phases from the
  coin id), market cap and 24 h high/low follow, the 24 h change is recomputed from the same factor a
  day earlier, ``last_updated`` is the replay time. Ranks are recomputed from the moved market caps.
* **alternative.me** (``alternative_me_fng.json``: 365 daily values). The values are a cycle: replay
  day ``D`` shows value ``D mod 365`` of the cycle, timestamps are the replay's UTC midnights and
  ``time_until_update`` counts to the next one.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from market.providers.alternative_me import FearGreed, parse_fng
from market.providers.base import Provider
from market.providers.coingecko import PAGE_SIZE, TOP, CoinMarket, parse_markets

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DAY = 86400
_PERIODS = (7 * 60.0, 3 * 3600.0, 2 * DAY)
_AMPLITUDES = (0.002, 0.01, 0.03)
_STABLE_NAMES = ("usd", "dollar", "dai", "gold", "euro", "eur")


@cache
def fixture(name: str) -> Any:
    """A fixture answer, parsed once per process (callers must not mutate it)."""
    return json.loads((FIXTURES / name).read_text())


def _phase(coin_id: str, k: int) -> float:
    return (zlib.crc32(f"{coin_id}:{k}".encode()) % 100_000) / 100_000 * 2 * math.pi


def _stable(row: dict[str, Any]) -> bool:
    name = f"{row['symbol']} {row['name']}".lower()
    return abs(float(row.get("price_change_percentage_24h") or 0)) < 0.3 and any(s in name for s in _STABLE_NAMES)


def price_factor(coin_id: str, t: float, scale: float = 1.0) -> float:
    """The multiplier applied to a coin's fixture price at replay time ``t`` (epoch seconds)."""
    wave = sum(
        a * math.sin(2 * math.pi * t / p + _phase(coin_id, k))
        for k, (p, a) in enumerate(zip(_PERIODS, _AMPLITUDES, strict=True))
    )
    return math.exp(scale * wave)


def moved_markets(rows: list[dict[str, Any]], t: float) -> list[dict[str, Any]]:
    """Copies of ``/coins/markets`` rows moved to replay time ``t`` (see the module docstring)."""
    stamp = datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    out = []
    for row in rows:
        scale = 0.02 if _stable(row) else 0.5 if (row.get("market_cap_rank") or 99) <= 10 else 1.0
        now, day_ago = price_factor(row["id"], t, scale), price_factor(row["id"], t - DAY, scale)
        moved = dict(row)
        price = float(row["current_price"]) * now
        moved["current_price"] = price
        moved["market_cap"] = float(row["market_cap"]) * now
        moved["total_volume"] = float(row["total_volume"]) * (1 + 0.2 * math.sin(t / 5400 + _phase(row["id"], 9)))
        moved["high_24h"] = max(float(row["high_24h"]) * now, price)
        moved["low_24h"] = min(float(row["low_24h"]) * now, price)
        base = 1 + float(row.get("price_change_percentage_24h") or 0) / 100
        change = base * now / day_ago - 1
        moved["price_change_percentage_24h"] = 100 * change
        moved["price_change_24h"] = price - price / (1 + change)
        moved["last_updated"] = stamp
        out.append(moved)
    out.sort(key=lambda r: -r["market_cap"])
    for rank, row in enumerate(out, start=1):
        row["market_cap_rank"] = rank
    return out


def _replay_now(clock: Callable[[], float]) -> float:
    return float(clock())


class ReplayCoinGecko(Provider):
    """``CoinGecko.top`` over the fixture pages (no network)."""

    name = "coingecko-replay"

    def top(self, n: int = TOP) -> list[CoinMarket]:
        with self.recording():
            rows = fixture("coingecko_markets_page1.json") + fixture("coingecko_markets_page2.json")
            moved = moved_markets(rows, _replay_now(self.clock))
            coins: list[CoinMarket] = []
            for start in range(0, min(n, len(moved)), PAGE_SIZE):  # page by page, as the live provider
                coins.extend(parse_markets(moved[start : start + PAGE_SIZE]))
        return coins[:n]


def fng_answer(t: float, days: int) -> dict[str, Any]:
    """An ``/fng/?limit=days`` answer for replay time ``t``, in the real shape (newest first)."""
    cycle = list(reversed(fixture("alternative_me_fng.json")["data"]))  # oldest first
    today = int(t // DAY)
    data = []
    for back in range(max(days, 1)):
        day = today - back
        source = cycle[day % len(cycle)]
        entry = {
            "value": source["value"],
            "value_classification": source["value_classification"],
            "timestamp": str(day * DAY),
        }
        if back == 0:
            entry["time_until_update"] = str(int((today + 1) * DAY - t))
        data.append(entry)
    return {"name": "Fear and Greed Index", "data": data, "metadata": {"error": None}}


class ReplayAlternativeMe(Provider):
    """``AlternativeMe.fear_greed`` over the fixture cycle (no network)."""

    name = "alternative.me-replay"

    def fear_greed(self, days: int = 30) -> FearGreed:
        with self.recording():
            t = _replay_now(self.clock)
            return parse_fng(fng_answer(t, days), datetime.fromtimestamp(t, tz=UTC))
