"""Binance USDⓈ-M real liquidations: the all-market stream ``!forceOrder@arr`` through ccxt pro.

``ccxt.pro.binanceusdm().watch_liquidations_for_symbols([])`` (no symbol: the all-market stream, served
at ``wss://fstream.binance.com/market/ws/...``) yields ccxt liquidation structures parsed from messages
like::

    {"e": "forceOrder", "E": 1698871323061,
     "o": {"s": "BTCUSDT", "S": "SELL", "o": "LIMIT", "f": "IOC", "q": "1.437", "p": "35100.81",
           "ap": "34959.70", "X": "FILLED", "l": "1.437", "z": "1.437", "T": 1698871323059}}

ccxt turns them into ``{"symbol": "BTC/USDT:USDT", "side": "sell", "price": 34959.7 (the average fill),
"contracts": 1.437 (the last fill), "contractSize": 1, "timestamp": 1698871323059, ...}``. The order's
side is the forced close, so ``sell`` means a **long** was liquidated and ``buy`` a short.

:class:`LiquidationStream` is the long-running consumer (``manage.py watch_liquidations``, live mode
only): it reconnects with backoff, records its health like the HTTP providers (name
``binance-liquidations``) and appends events to a capped list in the shared cache at most once per
second. :func:`recent_events` reads them back. In replay the simulator's events are used instead
(``market.selectors.snapshots.liquidations()``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from market.exchanges.translation import scrub
from market.providers.base import note_failure, note_success

logger = logging.getLogger(__name__)

NAME = "binance-liquidations"
EXCHANGE = "binanceusdm"
EVENTS_KEY = "market:liquidations:binanceusdm"
MAX_EVENTS = 5000
EVENTS_TTL_SECONDS = 24 * 3600
FLUSH_SECONDS = 1.0
RECONNECT_MAX_SECONDS = 60.0


def event_from_ccxt(liquidation: dict[str, Any]) -> dict[str, Any] | None:
    """Our plain event from a ccxt liquidation structure, or None if it lacks a price, size or side.

    ``{"exchange", "symbol", "side": "long"|"short" (the liquidated position), "price", "amount" (base
    units), "value" (quote), "time" (epoch seconds)}``.
    """
    side = {"sell": "long", "buy": "short"}.get(str(liquidation.get("side") or "").lower())
    price, contracts = liquidation.get("price"), liquidation.get("contracts")
    if side is None or not price or not contracts or liquidation.get("timestamp") is None:
        return None
    amount = float(contracts) * float(liquidation.get("contractSize") or 1.0)
    return {
        "exchange": EXCHANGE,
        "symbol": liquidation.get("symbol"),
        "side": side,
        "price": float(price),
        "amount": amount,
        "value": float(price) * amount,
        "time": int(liquidation["timestamp"]) / 1000.0,
    }


def append_events(events: list[dict[str, Any]], *, cap: int = MAX_EVENTS) -> None:
    """Add events to the shared capped list (one writer: the stream process)."""
    if not events:
        return
    stored = cache.get(EVENTS_KEY) or []
    cache.set(EVENTS_KEY, (stored + events)[-cap:], EVENTS_TTL_SECONDS)


def recent_events(*, since: float | None = None, symbol: str | None = None) -> list[dict[str, Any]]:
    """Stored events, oldest first, optionally from ``since`` (epoch seconds) and for one symbol."""
    events = cache.get(EVENTS_KEY) or []
    return [e for e in events if (since is None or e["time"] >= since) and (symbol is None or e["symbol"] == symbol)]


def _default_client() -> Any:
    import ccxt.pro

    return ccxt.pro.binanceusdm({"enableRateLimit": True})


class LiquidationStream:
    """Consume the stream until ``stop`` is set; ``client_factory`` builds the ccxt pro client."""

    def __init__(
        self,
        client_factory: Callable[[], Any] = _default_client,
        *,
        flush_seconds: float = FLUSH_SECONDS,
        clock: Callable[[], float] = time.time,
    ):
        self.client_factory = client_factory
        self.flush_seconds = flush_seconds
        self.clock = clock
        self.buffer: list[dict[str, Any]] = []
        self.flushed_at = 0.0
        self.received = 0
        self.since_ms: int | None = None  # newest event time taken so far
        self.seen_at_since: set[tuple] = set()  # events taken at exactly since_ms (ms ties)

    def take(self, liquidations: list[dict[str, Any]]) -> int:
        """Buffer the events newer than those taken (or at the same millisecond and not seen yet)."""
        taken = 0
        for liquidation in sorted(liquidations or [], key=lambda x: x.get("timestamp") or 0):
            event = event_from_ccxt(liquidation)
            if event is None:
                continue
            ms = int(liquidation["timestamp"])
            key = (event["symbol"], event["side"], event["price"], event["amount"])
            if self.since_ms is not None and (
                ms < self.since_ms or (ms == self.since_ms and key in self.seen_at_since)
            ):
                continue
            if ms != self.since_ms:
                self.since_ms, self.seen_at_since = ms, set()
            self.seen_at_since.add(key)
            self.buffer.append(event)
            taken += 1
        self.received += taken
        return taken

    def flush(self, *, force: bool = False) -> None:
        now = self.clock()
        if self.buffer and (force or now - self.flushed_at >= self.flush_seconds):
            append_events(self.buffer)
            note_success(NAME, at=now)
            self.buffer, self.flushed_at = [], now

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        client = self.client_factory()
        delay = 1.0
        stopper = asyncio.ensure_future(stop.wait())
        watcher: asyncio.Future | None = None
        try:
            while not stop.is_set():
                if watcher is None:
                    watcher = asyncio.ensure_future(client.watch_liquidations_for_symbols([]))
                done, _ = await asyncio.wait(
                    {watcher, stopper}, timeout=self.flush_seconds, return_when="FIRST_COMPLETED"
                )
                if watcher in done:
                    finished, watcher = watcher, None
                    try:
                        batch = finished.result()
                        # A watch resolves with the one message that woke it; the rest of a burst only
                        # reaches ccxt's cache (``client.liquidations``), so read that cache from ``since`` on.
                        batch = list(getattr(client, "liquidations", None) or batch or [])
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:
                        message = scrub(f"{NAME}: {type(exc).__name__}: {exc}")
                        logger.warning("Liquidation stream error, reconnecting in %.0f s: %s", delay, message)
                        note_failure(NAME, message, at=self.clock())
                        await asyncio.wait({stopper}, timeout=delay)
                        delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                        continue
                    delay = 1.0
                    self.take(batch)
                self.flush()
        finally:
            for task in (watcher, stopper):
                if task is not None and not task.done():
                    task.cancel()
            self.flush(force=True)
            close = getattr(client, "close", None)
            if close is not None:
                try:
                    await close()
                except Exception:
                    logger.debug("Closing the ccxt client failed", exc_info=True)
