"""Funding on open paper trades: the rate FLAXU's funding snapshot announced for each settlement, counted once.

A perpetual's funding settles at fixed times (every 8 h on most BingX contracts); at each one a position
pays or receives size x mark price x rate: a long pays a positive rate, a short receives it (and the other
way round for a negative rate). The paper broker has no exchange to say what was settled, so it is worked
out from the funding snapshot FLAXU already keeps (``market.selectors.snapshots.funding``: per symbol the
current rate, its next funding time and the mark price, refreshed every FLAXU_TTL_FUNDING seconds):

- **The rate of a settlement** is the snapshot's rate whose ``next_funding_time`` is that settlement: the
  exchange's rate for the period ending then. Each paper sync remembers, per exchange and symbol, the last
  rate and mark price the snapshot showed for each next funding time (in the cache, for a week), so the
  rate is still known after the snapshot has moved on to the next settlement. The one counted is the last
  seen for that time, before the settlement or in the minutes after it until the funding refresh rolls on.
- **No rate known, nothing counted.** A settlement the snapshot never announced while FLAXU watched (no
  funding data at all, as in the paper/backtest parity test; the funding refresh down for a whole period;
  the cache emptied) is not counted for anyone, then or later: FLAXU does not guess a rate.
- **Mark price:** the snapshot's, next to the rate; without one, the fresh last price when it was seen.
- **Size:** what remains open at the sync that counts it (syncs run on every ticker update: a TP1 exit
  within seconds of a settlement is not told apart).
- **Once:** a settlement counts for a trade opened before it and still OPEN; it goes through
  ``ledger.trade_add_funding`` (paid positive, received negative, in the trade's PnL and so in the paper
  wallet once the trade closes) and ``Trade.funding_until`` moves to it in the same transaction, under
  the trade's row lock: repeated or concurrent syncs count it once.

Settlement times are the market source's (BingX's, or the replay's, which runs in real time by default),
compared with the trades' wall-clock times. The paper watcher (``paper_watch.paper_watch_tickers``) counts
funding on every ticker update, before that update's exits, so a trade closing on the first tick after a
settlement still pays it; one closed by hand in the seconds between a settlement and the next update does
not, as for live trades (``trading.services.funding``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from market.selectors import snapshots
from market.selectors.prices import fresh_last_price
from trading.models import Mode, Trade
from trading.services import ledger

logger = logging.getLogger(__name__)
MEMORY = timedelta(days=7)  # how long a settlement's rate is remembered (a trade unsynced longer loses it)

Settlements = dict[datetime, tuple[Decimal, Decimal]]  # settlement time -> (rate, mark price)


def _memory_key(exchange: str, symbol: str) -> str:
    return f"trading:paper-funding:{exchange}:{symbol}"


def paper_funding_remember(exchange: str, symbols: Iterable[str]) -> dict[str, Settlements]:
    """Remember the funding snapshot's rate for each symbol's next settlement; every remembered one, by symbol."""
    snap = snapshots.funding(exchange)
    keys = {symbol: _memory_key(exchange, symbol) for symbol in symbols}
    stored = cache.get_many(list(keys.values()))
    horizon = timezone.now() - MEMORY
    known: dict[str, Settlements] = {}
    changed: dict[str, Settlements] = {}
    for symbol, key in keys.items():
        settlements = {at: seen for at, seen in (stored.get(key) or {}).items() if at > horizon}
        rate = snap.data.get(symbol)
        if rate is not None and rate.next_funding_time is not None and rate.rate is not None:
            mark = rate.mark_price or fresh_last_price(exchange, symbol)
            if mark and settlements.get(rate.next_funding_time) != (rate.rate, mark):
                settlements[rate.next_funding_time] = (rate.rate, mark)
                changed[key] = settlements
        known[symbol] = settlements
    if changed:
        cache.set_many(changed, timeout=int(MEMORY.total_seconds()))
    return known


def _due(trade: Trade, settlements: Settlements, now: datetime) -> list[datetime]:
    """The known settlements not yet counted for ``trade``: after its opening (or last counted one), passed."""
    since = trade.funding_until or trade.opened_at
    return sorted(at for at in settlements if since < at <= now)


def _count(trade: Trade, settlements: Settlements, now: datetime) -> bool:
    with transaction.atomic():
        locked = Trade.objects.select_for_update().get(pk=trade.pk)
        if locked.status != Trade.Status.OPEN or locked.opened_at is None or locked.remaining <= 0:
            return False
        due = _due(locked, settlements, now)
        if not due:
            return False
        sign = 1 if locked.side == Trade.Side.LONG else -1
        paid = sum((sign * locked.remaining * mark * rate for rate, mark in map(settlements.get, due)), Decimal(0))
        ledger.trade_add_funding(locked, paid)
        Trade.objects.filter(pk=locked.pk).update(funding_until=due[-1])
    trade.refresh_from_db()
    return True


def paper_funding_count(exchange: str) -> int:
    """Count, once, the funding of every known settlement passed on the open paper trades of ``exchange``;
    returns the number of trades that paid or received some."""
    trades = list(
        Trade.objects.filter(mode=Mode.PAPER, status=Trade.Status.OPEN, exchange=exchange)
        .exclude(opened_at=None)
        .order_by("id")
    )
    if not trades:
        return 0
    known = paper_funding_remember(exchange, {t.symbol for t in trades})
    now = timezone.now()
    counted = 0
    for trade in trades:
        settlements = known.get(trade.symbol) or {}
        if _due(trade, settlements, now):
            counted += _count(trade, settlements, now)
    return counted
