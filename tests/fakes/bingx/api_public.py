"""Public market data (no signature): server time, listings, tickers, order book, candles, funding,
open interest and trades, derived from the contracts' mark prices (``markets.py``) so they move when a
test moves the mark.
"""

from __future__ import annotations

import math
from decimal import Decimal

from ccxt.base.exchange import Exchange as CcxtExchange

from . import errors as E
from .errors import BingXError
from .markets import INVERSE_CONTRACTS, SPOT_SYMBOLS, Contract
from .models import ZERO, Account, fmt
from .state import Exchange
from .wire import Answer, ok

# The intervals BingX's kline endpoint accepts; their lengths are ccxt's reading of the labels.
KLINE_SECONDS = {
    interval: CcxtExchange.parse_timeframe(interval)
    for interval in ("1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M")
}


def server_time(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    return ok(ex, {"serverTime": ex.server_time()})


def contracts(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    out = []
    for c in ex.contracts.values():
        if p.get("symbol") and p["symbol"] != c.symbol:
            continue
        out.append(
            {
                "contractId": c.contract_id,
                "symbol": c.symbol,
                "size": fmt(c.trade_min_quantity, c.quantity_precision),
                "quantityPrecision": c.quantity_precision,
                "pricePrecision": c.price_precision,
                "feeRate": float(ex.taker_fee),
                "makerFeeRate": float(ex.maker_fee),
                "takerFeeRate": float(ex.taker_fee),
                "tradeMinLimit": 0,
                "tradeMinQuantity": float(c.trade_min_quantity),
                "tradeMinUSDT": float(c.trade_min_usdt),
                "maxLongLeverage": c.max_leverage,
                "maxShortLeverage": c.max_leverage,
                "currency": c.currency,
                "asset": c.asset,
                "status": 1,
                "apiStateOpen": "true",
                "apiStateClose": "true",
                "ensureTrigger": True,
                "triggerFeeRate": "0.00020000",
                "brokerState": False,
                "launchTime": 1672502400000,
                "maintainTime": 0,
                "offTime": 0,
            }
        )
    return ok(ex, out)


def inverse_contracts(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    return ok(ex, list(INVERSE_CONTRACTS))


def spot_symbols(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    return ok(ex, {"symbols": list(SPOT_SYMBOLS)}, debugMsg="")


def _ticker(ex: Exchange, c: Contract) -> dict:
    mark = ex.mark[c.symbol]
    q = c.tick
    open_ = (mark * Decimal("0.985")).quantize(q)
    now = ex.server_time()
    change = mark - open_
    return {
        "symbol": c.symbol,
        "priceChange": fmt(change, c.price_precision),
        "priceChangePercent": fmt(change / open_ * 100 if open_ else ZERO, 2),
        "lastPrice": fmt(mark, c.price_precision),
        "lastQty": fmt(c.trade_min_quantity * 10, c.quantity_precision),
        "highPrice": fmt((mark * Decimal("1.012")).quantize(q), c.price_precision),
        "lowPrice": fmt((open_ * Decimal("0.991")).quantize(q), c.price_precision),
        "volume": fmt(c.open_interest / mark / 3, c.quantity_precision),
        "quoteVolume": fmt(c.open_interest / 3, 2),
        "openPrice": fmt(open_, c.price_precision),
        "openTime": now - 86_400_000,
        "closeTime": now,
        "bidPrice": fmt(mark - q, c.price_precision),
        "bidQty": fmt(c.trade_min_quantity * 37, c.quantity_precision),
        "askPrice": fmt(mark + q, c.price_precision),
        "askQty": fmt(c.trade_min_quantity * 41, c.quantity_precision),
    }


def ticker(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    if p.get("symbol"):
        return ok(ex, _ticker(ex, ex.contract(p["symbol"])))
    return ok(ex, [_ticker(ex, c) for c in ex.contracts.values()])


def spot_ticker(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    out = []
    for s in SPOT_SYMBOLS:
        if p.get("symbol") and p["symbol"] != s["symbol"]:
            continue
        t = _ticker(ex, ex.contracts[s["symbol"]])
        t.pop("lastQty")  # ccxt tells spot tickers from swap ones by the missing lastQty
        out.append(t)
    return ok(ex, out)


def price(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    def one(c):
        return {"symbol": c.symbol, "price": fmt(ex.mark[c.symbol], c.price_precision), "time": ex.server_time()}

    if p.get("symbol"):
        return ok(ex, one(ex.contract(p["symbol"])))
    return ok(ex, [one(c) for c in ex.contracts.values()])


def book_ticker(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    t = _ticker(ex, c)
    return ok(
        ex,
        {
            "book_ticker": {
                "symbol": c.symbol,
                "bid_price": float(t["bidPrice"]),
                "bid_qty": float(t["bidQty"]),
                "ask_price": float(t["askPrice"]),
                "ask_qty": float(t["askQty"]),
            }
        },
    )


def depth(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    limit = int(p.get("limit") or 20)
    if limit not in (5, 10, 20, 50, 100, 500, 1000):
        raise BingXError(E.PARAM_INVALID, "Invalid parameters, limit: must be one of 5, 10, 20, 50, 100, 500, 1000")
    mark = ex.mark[c.symbol]
    bids, asks, bids_coin, asks_coin = [], [], [], []
    for i in range(limit):
        qty = c.trade_min_quantity * (10 + (i * 37) % 90)
        bp, ap = mark - c.tick * (i + 1), mark + c.tick * (i + 1)
        bids.append([fmt(bp, c.price_precision), fmt(qty, c.quantity_precision)])
        asks.append([fmt(ap, c.price_precision), fmt(qty, c.quantity_precision)])
        bids_coin.append([fmt(bp, c.price_precision), fmt(qty, c.quantity_precision)])
        asks_coin.append([fmt(ap, c.price_precision), fmt(qty, c.quantity_precision)])
    asks.reverse()
    asks_coin.reverse()
    return ok(ex, {"T": ex.server_time(), "bids": bids, "asks": asks, "bidsCoin": bids_coin, "asksCoin": asks_coin})


def _candles(ex: Exchange, p) -> tuple[Contract, list[tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal]]]:
    c = ex.contract(p.get("symbol"))
    interval = p.get("interval")
    if interval not in KLINE_SECONDS:
        raise BingXError(E.PARAM_INVALID, "Invalid parameters, interval: This field is required.")
    step = KLINE_SECONDS[interval] * 1000
    limit = min(int(p.get("limit") or 500), 1440)
    now = ex.server_time()
    last_open = now - now % step
    end = int(p["endTime"]) if p.get("endTime") else now
    end = min(end, now)
    if p.get("startTime"):
        start = int(p["startTime"])
        first = start - start % step + (step if start % step else 0)
        opens = [t for t in range(first, min(end, last_open) + 1, step)][:limit]
    else:
        top = min(end - end % step, last_open)
        opens = [top - i * step for i in range(limit)][::-1]
    mark = ex.mark[c.symbol]
    rows = []
    for t in opens:
        k = (last_open - t) // step  # candles back from now
        wave = Decimal(str(math.sin(k / 7.0) * 0.004 + math.sin(k / 31.0) * 0.01))
        close = mark if k == 0 else (mark * (1 + wave)).quantize(c.tick)
        prev = mark * (1 + Decimal(str(math.sin((k + 1) / 7.0) * 0.004 + math.sin((k + 1) / 31.0) * 0.01)))
        open_ = prev.quantize(c.tick)
        high = (max(open_, close) * Decimal("1.001")).quantize(c.tick)
        low = (min(open_, close) * Decimal("0.999")).quantize(c.tick)
        vol = (c.trade_min_quantity * (1000 + (k * 7919) % 5000)).quantize(c.step)
        rows.append((t, open_, high, low, close, vol))
    return c, rows


def klines(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    c, rows = _candles(ex, p)
    pp = c.price_precision
    return ok(
        ex,
        [
            {
                "open": fmt(o, pp),
                "close": fmt(cl, pp),
                "high": fmt(h, pp),
                "low": fmt(lo, pp),
                "volume": fmt(v, c.quantity_precision),
                "time": t,
            }
            for t, o, h, lo, cl, v in rows
        ],
    )


def mark_klines(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    c, rows = _candles(ex, p)
    pp = c.price_precision
    step = KLINE_SECONDS[p["interval"]] * 1000
    return ok(
        ex,
        [
            {
                "open": fmt(o, pp),
                "close": fmt(cl, pp),
                "high": fmt(h, pp),
                "low": fmt(lo, pp),
                "volume": "0.00",
                "openTime": t,
                "closeTime": t + step - 1,
            }
            for t, o, h, lo, cl, v in rows
        ],
    )


def _premium(ex: Exchange, c: Contract) -> dict:
    now = ex.server_time()
    eight_h = 8 * 3_600_000
    return {
        "symbol": c.symbol,
        "markPrice": fmt(ex.mark[c.symbol], c.price_precision),
        "indexPrice": fmt(ex.index[c.symbol], c.price_precision),
        "lastFundingRate": fmt(ex.funding[c.symbol], 8),
        "nextFundingTime": now - now % eight_h + eight_h,
        "fundingIntervalHours": 8,
    }


def premium_index(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    if p.get("symbol"):
        return ok(ex, _premium(ex, ex.contract(p["symbol"])))
    return ok(ex, [_premium(ex, c) for c in ex.contracts.values()])


def funding_history(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    limit = min(int(p.get("limit") or 100), 1000)
    eight_h = 8 * 3_600_000
    now = ex.server_time()
    last = now - now % eight_h
    rows = [
        {
            "symbol": c.symbol,
            "fundingRate": fmt(ex.funding[c.symbol] * (1 + Decimal(i % 5) / 10), 8),
            "fundingTime": last - i * eight_h,
        }
        for i in range(limit)
    ]
    if p.get("startTime"):
        rows = [r for r in rows if r["fundingTime"] >= int(p["startTime"])]
    if p.get("endTime"):
        rows = [r for r in rows if r["fundingTime"] <= int(p["endTime"])]
    return ok(ex, rows)


def open_interest(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    return ok(ex, {"openInterest": fmt(c.open_interest, 2), "symbol": c.symbol, "time": ex.server_time()})


def trades(ex: Exchange, acct: Account | None, p: dict) -> Answer:
    c = ex.contract(p.get("symbol"))
    limit = min(int(p.get("limit") or 500), 1000)
    now = ex.server_time()
    mark = ex.mark[c.symbol]
    return ok(
        ex,
        [
            {
                "time": now - i * 1000,
                "isBuyerMaker": bool(i % 2),
                "price": fmt(mark, c.price_precision),
                "qty": fmt(c.trade_min_quantity * (i % 7 + 1), c.quantity_precision),
                "quoteQty": fmt(mark * c.trade_min_quantity * (i % 7 + 1), 4),
            }
            for i in range(limit)
        ],
    )
