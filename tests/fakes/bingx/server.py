"""The HTTP side of the fake BingX: routing, signature checks, BingX's answer shapes and fault injection.

``FakeBingX`` is the scenario API (see the package docstring and README.md). Paths are BingX's own
(``/openApi/...``); ccxt 4.5.90 is pointed at ``f"{fake.url}/openApi"`` for every API section.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from . import errors as E
from .errors import BingXError
from .markets import COINS, INVERSE_CONTRACTS, SPOT_SYMBOLS, Contract
from .state import ZERO, Account, Exchange, Order, Position, dec, fmt

FAULTS = ("latency", "http_500", "http_429", "timeout_after_accept", "reset", "bad_json", "maintenance")
DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
KLINE_SECONDS = {"1m": 60, "3m": 180, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "2h": 7200, "4h": 14400,
                 "6h": 21600, "8h": 28800, "12h": 43200, "1d": 86400, "3d": 259200, "1w": 604800, "1M": 2592000}


@dataclass
class Fault:
    prefix: str
    kind: str
    remaining: int | None  # None: every matching request
    method: str | None = None
    options: dict = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return path == self.prefix or path.startswith(self.prefix)

    def describe(self) -> dict:
        return {"path": self.prefix, "fault": self.kind, "remaining": self.remaining, "method": self.method,
                **self.options}


@dataclass
class Route:
    handler: Callable
    private: bool = False
    permission: str | None = None  # "read", "futures", "agent"


def _num(value: Decimal | None):
    """A JSON number for the fields BingX answers as numbers."""
    if value is None:
        return 0
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _uid(uid: str):
    return int(uid) if uid.isdigit() else uid


# ==================================================================== answer shapes
def order_query_json(o: Order, c: Contract) -> dict:
    """An order as GET /openApi/swap/v2/trade/order (data.order) and openOrders answer it."""
    pp, qp = c.price_precision, c.quantity_precision

    def attached(a: dict | None, default_type: str) -> dict:
        if not a:
            return {"type": "", "quantity": 0, "stopPrice": 0, "price": 0, "workingType": "", "stopGuaranteed": ""}
        return {"type": str(a.get("type", default_type)), "quantity": _num(dec(a.get("quantity", o.orig_qty))),
                "stopPrice": _num(dec(a["stopPrice"])), "price": _num(dec(a.get("price", 0))),
                "workingType": str(a.get("workingType", "MARK_PRICE")), "stopGuaranteed": ""}

    return {
        "symbol": o.symbol,
        "orderId": o.order_id,
        "side": o.side,
        "positionSide": o.position_side,
        "type": o.type,
        "origQty": fmt(o.orig_qty, qp),
        "price": fmt(o.price or ZERO, pp),
        "executedQty": fmt(o.executed_qty, qp),
        "avgPrice": fmt(o.avg_price, pp),
        "cumQuote": fmt(o.cum_quote, 4) if o.executed_qty else "0",
        "stopPrice": fmt(o.stop_price, pp) if o.stop_price is not None else "",
        "profit": fmt(o.profit, 4),
        "commission": fmt(o.commission, 6),
        "status": o.status,
        "time": o.time,
        "updateTime": o.update_time,
        "clientOrderId": o.client_order_id,
        "leverage": f"{o.leverage}X",
        "takeProfit": attached(o.take_profit, "TAKE_PROFIT_MARKET"),
        "stopLoss": attached(o.stop_loss, "STOP_MARKET"),
        "advanceAttr": 0,
        "positionID": o.position_id,
        "takeProfitEntrustPrice": 0,
        "stopLossEntrustPrice": 0,
        "orderType": "",
        "workingType": o.working_type,
        "onlyOnePosition": False,
        "reduceOnly": o.reduce_only,
        "stopGuaranteed": "false",
        "triggerOrderId": o.trigger_order_id,
        "closePosition": "true" if o.close_position else "",
    }


def order_placed_json(o: Order, params: dict) -> dict:
    """The order as POST /openApi/swap/v2/trade/order answers it (data.order): an echo of the request,
    without status or fill (BingX answers before the fill is reported)."""
    return {
        "symbol": o.symbol,
        "orderId": o.order_id,
        "side": o.side,
        "positionSide": o.position_side,
        "type": o.type,
        "price": _num(o.price),
        "quantity": _num(o.orig_qty),
        "stopPrice": _num(o.stop_price),
        "workingType": o.working_type,
        "clientOrderID": o.client_order_id,
        "timeInForce": o.time_in_force,
        "priceRate": _num(dec(params["priceRate"])) if params.get("priceRate") else 0,
        "stopLoss": params.get("stopLoss", ""),
        "takeProfit": params.get("takeProfit", ""),
        "reduceOnly": o.reduce_only,
        "activationPrice": 0,
        "closePosition": "true" if o.close_position else "",
        "stopGuaranteed": "",
    }


def position_json(ex: Exchange, acct: Account, p: Position) -> dict:
    c = ex.contracts[p.symbol]
    mark = ex.mark[p.symbol]
    upnl = ex.unrealized(p)
    lev = Decimal(p.leverage)
    liq = p.entry * (1 - 1 / lev + Decimal("0.005")) if p.direction > 0 else p.entry * (1 + 1 / lev - Decimal("0.005"))
    return {
        "positionId": str(p.position_id),
        "symbol": p.symbol,
        "currency": c.currency,
        "positionAmt": fmt(p.qty, c.quantity_precision),
        "availableAmt": fmt(p.qty, c.quantity_precision),
        "positionSide": p.side_name,
        "isolated": p.isolated,
        "avgPrice": fmt(p.entry, c.price_precision + 1),
        "initialMargin": fmt(p.margin, 4),
        "margin": fmt(p.margin + (upnl if p.isolated else ZERO), 4),
        "leverage": p.leverage,
        "unrealizedProfit": fmt(upnl, 4),
        "realisedProfit": fmt(p.realised, 4),
        "liquidationPrice": _num(liq.quantize(c.tick)),
        "pnlRatio": fmt(upnl / p.margin if p.margin else ZERO, 4),
        "maxMarginReduction": "0.0000",
        "riskRate": fmt(Decimal("0.0010"), 4),
        "markPrice": fmt(mark, c.price_precision),
        "positionValue": fmt(p.qty * mark, 4),
        "onlyOnePosition": not acct.hedged,
        "updateTime": p.update_time,
    }


# ==================================================================== the BingX application
class App:
    """Dispatches one request; raises nothing: every outcome is (http_status, body_bytes, headers)."""

    def __init__(self, ex: Exchange):
        self.ex = ex
        r = Route
        self.routes: dict[tuple[str, str], Route] = {
            # public market data
            ("GET", "/openApi/swap/v2/server/time"): r(self.server_time),
            ("GET", "/openApi/spot/v1/server/time"): r(self.server_time),
            ("GET", "/openApi/swap/v2/quote/contracts"): r(self.contracts),
            ("GET", "/openApi/cswap/v1/market/contracts"): r(self.inverse_contracts),
            ("GET", "/openApi/spot/v1/common/symbols"): r(self.spot_symbols),
            ("GET", "/openApi/swap/v2/quote/ticker"): r(self.ticker),
            ("GET", "/openApi/spot/v1/ticker/24hr"): r(self.spot_ticker),
            ("GET", "/openApi/swap/v2/quote/price"): r(self.price),
            ("GET", "/openApi/swap/v2/quote/bookTicker"): r(self.book_ticker),
            ("GET", "/openApi/swap/v2/quote/depth"): r(self.depth),
            ("GET", "/openApi/swap/v3/quote/klines"): r(self.klines),
            ("GET", "/openApi/swap/v2/quote/klines"): r(self.klines),
            ("GET", "/openApi/swap/v1/market/markPriceKlines"): r(self.mark_klines),
            ("GET", "/openApi/swap/v2/quote/premiumIndex"): r(self.premium_index),
            ("GET", "/openApi/swap/v2/quote/fundingRate"): r(self.funding_history),
            ("GET", "/openApi/swap/v2/quote/openInterest"): r(self.open_interest),
            ("GET", "/openApi/swap/v2/quote/trades"): r(self.trades),
            # account and wallet (read)
            ("GET", "/openApi/wallets/v1/capital/config/getall"): r(self.coin_config, True, "read"),
            ("GET", "/openApi/v1/account/apiPermissions"): r(self.api_permissions, True, "read"),
            ("GET", "/openApi/v1/account/apiRestrictions"): r(self.api_restrictions, True, "read"),
            ("GET", "/openApi/account/v1/uid"): r(self.uid, True, "read"),
            ("GET", "/openApi/api/v3/capital/deposit/hisrec"): r(self.deposits, True, "read"),
            ("GET", "/openApi/api/v3/capital/withdraw/history"): r(self.withdrawals, True, "read"),
            ("GET", "/openApi/swap/v3/user/balance"): r(self.swap_balance_v3, True, "read"),
            ("GET", "/openApi/swap/v2/user/balance"): r(self.swap_balance_v2, True, "read"),
            ("GET", "/openApi/spot/v1/account/balance"): r(self.spot_balance, True, "read"),
            ("GET", "/openApi/fund/v1/account/balance"): r(self.fund_balance, True, "read"),
            ("GET", "/openApi/swap/v2/user/positions"): r(self.positions, True, "read"),
            ("GET", "/openApi/swap/v2/user/commissionRate"): r(self.commission_rate, True, "read"),
            ("GET", "/openApi/swap/v2/trade/leverage"): r(self.get_leverage, True, "read"),
            ("GET", "/openApi/swap/v2/trade/marginType"): r(self.get_margin_type, True, "read"),
            ("GET", "/openApi/swap/v1/positionSide/dual"): r(self.get_position_mode, True, "read"),
            ("GET", "/openApi/swap/v2/trade/order"): r(self.query_order, True, "read"),
            ("GET", "/openApi/swap/v2/trade/openOrders"): r(self.open_orders, True, "read"),
            ("GET", "/openApi/swap/v2/trade/allOrders"): r(self.all_orders, True, "read"),
            ("GET", "/openApi/swap/v1/trade/fullOrder"): r(self.full_orders, True, "read"),
            ("GET", "/openApi/swap/v2/trade/allFillOrders"): r(self.fill_orders, True, "futures"),
            # trading (perpetual futures permission)
            ("POST", "/openApi/swap/v2/trade/leverage"): r(self.set_leverage, True, "futures"),
            ("POST", "/openApi/swap/v2/trade/marginType"): r(self.set_margin_type, True, "futures"),
            ("POST", "/openApi/swap/v1/positionSide/dual"): r(self.set_position_mode, True, "futures"),
            ("POST", "/openApi/swap/v2/trade/order"): r(self.place_order, True, "futures"),
            ("DELETE", "/openApi/swap/v2/trade/order"): r(self.cancel_order, True, "futures"),
            ("DELETE", "/openApi/swap/v2/trade/allOpenOrders"): r(self.cancel_all, True, "futures"),
            ("POST", "/openApi/swap/v2/trade/closeAllPositions"): r(self.close_all_positions, True, "futures"),
            # agent (the platform owner's agent key)
            ("GET", "/openApi/agent/v1/account/inviteRelationCheck"): r(self.invite_relation_check, True, "agent"),
        }

    # ------------------------------------------------------------ envelope
    def ok(self, data, code=0, **extra) -> tuple[int, bytes]:
        body = {"code": code, "msg": "", "timestamp": self.ex.server_time(), "data": data}
        body.update(extra)
        return 200, json.dumps(body).encode()

    @staticmethod
    def bare(data) -> tuple[int, bytes]:
        return 200, json.dumps(data).encode()

    def error(self, exc: BingXError) -> tuple[int, bytes]:
        body = {"code": exc.code, "msg": exc.msg, "timestamp": self.ex.server_time(), "data": {}}
        return exc.http_status, json.dumps(body).encode()

    # ------------------------------------------------------------ dispatch and authentication
    def dispatch(self, method: str, path: str, pairs: list[tuple[str, str]], headers, client_ip: str,
                 json_body: bool) -> tuple[int, bytes]:
        route = self.routes.get((method, path))
        if route is None:
            if any(p == path for (_, p) in self.routes):
                return 405, b"405 method not allowed"
            return 404, b"404 page not found"
        params = dict(pairs)
        try:
            with self.ex.lock:
                acct = None
                if route.private:
                    acct = self.authenticate(pairs, params, headers, client_ip, json_body)
                    self.authorize(acct, route.permission)
                return route.handler(acct, params)
        except BingXError as exc:
            return self.error(exc)

    def authenticate(self, pairs, params, headers, client_ip, json_body) -> Account:
        api_key = headers.get("X-BX-APIKEY")
        if not api_key:
            raise BingXError(*E.NULL_API_KEY)
        acct = self.ex.by_key.get(api_key)
        if acct is None:
            raise BingXError(*E.INCORRECT_API_KEY)
        signature = params.get("signature")
        if not signature:
            raise BingXError(*E.NULL_SIGNATURE)
        # BingX: query-string parameters are signed in the order they are sent (ccxt sends them sorted);
        # a JSON body is signed with its keys sorted a-z. Values are signed URL-decoded.
        signed = [(k, v) for k, v in pairs if k != "signature"]
        if json_body:
            signed.sort(key=lambda kv: kv[0])
        payload = "&".join(f"{k}={v}" for k, v in signed)
        expected = hmac.new(acct.secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(signature).lower()):
            raise BingXError(*E.SIGNATURE_MISMATCH)
        if not params.get("timestamp"):
            raise BingXError(*E.TIMESTAMP_MISMATCH)
        try:
            ts = int(params["timestamp"])
            window = int(params.get("recvWindow") or DEFAULT_RECV_WINDOW)
        except ValueError:
            raise BingXError(*E.TIMESTAMP_INVALID) from None
        window = min(max(window, 0), MAX_RECV_WINDOW)
        if abs(self.ex.server_time() - ts) > window:
            raise BingXError(*E.TIMESTAMP_MISMATCH)
        if acct.ip_addresses and client_ip not in acct.ip_addresses:
            raise BingXError(*E.IP_NOT_WHITELISTED)
        return acct

    @staticmethod
    def authorize(acct: Account, permission: str | None) -> None:
        if permission == "read" and not acct.permissions.get("enableReading"):
            raise BingXError(E.PERMISSION_DENIED[0], E.PERMISSION_DENIED[1] + ", this api need permission: Read")
        if permission == "futures" and not acct.permissions.get("enableFutures"):
            raise BingXError(E.PERMISSION_DENIED[0],
                             E.PERMISSION_DENIED[1] + ", this api need permission: Perpetual Futures Trading")
        if permission == "agent" and not acct.is_agent:
            raise BingXError(E.PERMISSION_DENIED[0],
                             E.PERMISSION_DENIED[1] + ", the signature verification user must be a parent user "
                                                      "and have an agent role")

    # ------------------------------------------------------------ public
    def server_time(self, acct, p):
        return self.ok({"serverTime": self.ex.server_time()})

    def contracts(self, acct, p):
        out = []
        for c in self.ex.contracts.values():
            if p.get("symbol") and p["symbol"] != c.symbol:
                continue
            out.append({
                "contractId": c.contract_id, "symbol": c.symbol,
                "size": fmt(c.trade_min_quantity, c.quantity_precision),
                "quantityPrecision": c.quantity_precision, "pricePrecision": c.price_precision,
                "feeRate": float(self.ex.taker_fee), "makerFeeRate": float(self.ex.maker_fee),
                "takerFeeRate": float(self.ex.taker_fee), "tradeMinLimit": 0,
                "tradeMinQuantity": float(c.trade_min_quantity), "tradeMinUSDT": float(c.trade_min_usdt),
                "maxLongLeverage": c.max_leverage, "maxShortLeverage": c.max_leverage,
                "currency": c.currency, "asset": c.asset, "status": 1, "apiStateOpen": "true",
                "apiStateClose": "true", "ensureTrigger": True, "triggerFeeRate": "0.00020000",
                "brokerState": False, "launchTime": 1672502400000, "maintainTime": 0, "offTime": 0,
            })
        return self.ok(out)

    def inverse_contracts(self, acct, p):
        return self.ok(list(INVERSE_CONTRACTS))

    def spot_symbols(self, acct, p):
        return self.ok({"symbols": list(SPOT_SYMBOLS)}, debugMsg="")

    def _ticker(self, c: Contract) -> dict:
        mark = self.ex.mark[c.symbol]
        q = c.tick
        open_ = (mark * Decimal("0.985")).quantize(q)
        now = self.ex.server_time()
        change = mark - open_
        return {
            "symbol": c.symbol, "priceChange": fmt(change, c.price_precision),
            "priceChangePercent": fmt(change / open_ * 100 if open_ else ZERO, 2),
            "lastPrice": fmt(mark, c.price_precision), "lastQty": fmt(c.trade_min_quantity * 10, c.quantity_precision),
            "highPrice": fmt((mark * Decimal("1.012")).quantize(q), c.price_precision),
            "lowPrice": fmt((open_ * Decimal("0.991")).quantize(q), c.price_precision),
            "volume": fmt(c.open_interest / mark / 3, c.quantity_precision),
            "quoteVolume": fmt(c.open_interest / 3, 2), "openPrice": fmt(open_, c.price_precision),
            "openTime": now - 86_400_000, "closeTime": now,
            "bidPrice": fmt(mark - q, c.price_precision),
            "bidQty": fmt(c.trade_min_quantity * 37, c.quantity_precision),
            "askPrice": fmt(mark + q, c.price_precision),
            "askQty": fmt(c.trade_min_quantity * 41, c.quantity_precision),
        }

    def ticker(self, acct, p):
        if p.get("symbol"):
            return self.ok(self._ticker(self.ex.contract(p["symbol"])))
        return self.ok([self._ticker(c) for c in self.ex.contracts.values()])

    def spot_ticker(self, acct, p):
        out = []
        for s in SPOT_SYMBOLS:
            if p.get("symbol") and p["symbol"] != s["symbol"]:
                continue
            t = self._ticker(self.ex.contracts[s["symbol"]])
            t.pop("lastQty")  # ccxt tells spot tickers from swap ones by the missing lastQty
            out.append(t)
        return self.ok(out)

    def price(self, acct, p):
        def one(c):
            return {"symbol": c.symbol, "price": fmt(self.ex.mark[c.symbol], c.price_precision),
                    "time": self.ex.server_time()}
        if p.get("symbol"):
            return self.ok(one(self.ex.contract(p["symbol"])))
        return self.ok([one(c) for c in self.ex.contracts.values()])

    def book_ticker(self, acct, p):
        c = self.ex.contract(p.get("symbol"))
        t = self._ticker(c)
        return self.ok({"book_ticker": {"symbol": c.symbol, "bid_price": float(t["bidPrice"]),
                                        "bid_qty": float(t["bidQty"]), "ask_price": float(t["askPrice"]),
                                        "ask_qty": float(t["askQty"])}})

    def depth(self, acct, p):
        c = self.ex.contract(p.get("symbol"))
        limit = int(p.get("limit") or 20)
        if limit not in (5, 10, 20, 50, 100, 500, 1000):
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, limit: must be one of 5, 10, 20, 50, 100, 500, 1000")
        mark = self.ex.mark[c.symbol]
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
        return self.ok({"T": self.ex.server_time(), "bids": bids, "asks": asks, "bidsCoin": bids_coin,
                        "asksCoin": asks_coin})

    def _candles(self, p) -> tuple[Contract, list[tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal]]]:
        c = self.ex.contract(p.get("symbol"))
        interval = p.get("interval")
        if interval not in KLINE_SECONDS:
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, interval: This field is required.")
        step = KLINE_SECONDS[interval] * 1000
        limit = min(int(p.get("limit") or 500), 1440)
        now = self.ex.server_time()
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
        mark = self.ex.mark[c.symbol]
        rows = []
        for t in opens:
            k = (last_open - t) // step  # candles back from now
            wave = Decimal(str(math.sin(k / 7.0) * 0.004 + math.sin(k / 31.0) * 0.01))
            close = mark if k == 0 else (mark * (1 + wave)).quantize(c.tick)
            prev = (mark * (1 + Decimal(str(math.sin((k + 1) / 7.0) * 0.004 + math.sin((k + 1) / 31.0) * 0.01))))
            open_ = prev.quantize(c.tick)
            high = (max(open_, close) * Decimal("1.001")).quantize(c.tick)
            low = (min(open_, close) * Decimal("0.999")).quantize(c.tick)
            vol = (c.trade_min_quantity * (1000 + (k * 7919) % 5000)).quantize(c.step)
            rows.append((t, open_, high, low, close, vol))
        return c, rows

    def klines(self, acct, p):
        c, rows = self._candles(p)
        pp = c.price_precision
        return self.ok([{"open": fmt(o, pp), "close": fmt(cl, pp), "high": fmt(h, pp), "low": fmt(lo, pp),
                         "volume": fmt(v, c.quantity_precision), "time": t} for t, o, h, lo, cl, v in rows])

    def mark_klines(self, acct, p):
        c, rows = self._candles(p)
        pp = c.price_precision
        step = KLINE_SECONDS[p["interval"]] * 1000
        return self.ok([{"open": fmt(o, pp), "close": fmt(cl, pp), "high": fmt(h, pp), "low": fmt(lo, pp),
                         "volume": "0.00", "openTime": t, "closeTime": t + step - 1} for t, o, h, lo, cl, v in rows])

    def _premium(self, c: Contract) -> dict:
        now = self.ex.server_time()
        eight_h = 8 * 3_600_000
        return {"symbol": c.symbol, "markPrice": fmt(self.ex.mark[c.symbol], c.price_precision),
                "indexPrice": fmt(self.ex.index[c.symbol], c.price_precision),
                "lastFundingRate": fmt(self.ex.funding[c.symbol], 8),
                "nextFundingTime": now - now % eight_h + eight_h, "fundingIntervalHours": 8}

    def premium_index(self, acct, p):
        if p.get("symbol"):
            return self.ok(self._premium(self.ex.contract(p["symbol"])))
        return self.ok([self._premium(c) for c in self.ex.contracts.values()])

    def funding_history(self, acct, p):
        c = self.ex.contract(p.get("symbol"))
        limit = min(int(p.get("limit") or 100), 1000)
        eight_h = 8 * 3_600_000
        now = self.ex.server_time()
        last = now - now % eight_h
        rows = [{"symbol": c.symbol, "fundingRate": fmt(self.ex.funding[c.symbol] * (1 + Decimal(i % 5) / 10), 8),
                 "fundingTime": last - i * eight_h} for i in range(limit)]
        if p.get("startTime"):
            rows = [r for r in rows if r["fundingTime"] >= int(p["startTime"])]
        if p.get("endTime"):
            rows = [r for r in rows if r["fundingTime"] <= int(p["endTime"])]
        return self.ok(rows)

    def open_interest(self, acct, p):
        c = self.ex.contract(p.get("symbol"))
        return self.ok({"openInterest": fmt(c.open_interest, 2), "symbol": c.symbol, "time": self.ex.server_time()})

    def trades(self, acct, p):
        c = self.ex.contract(p.get("symbol"))
        limit = min(int(p.get("limit") or 500), 1000)
        now = self.ex.server_time()
        mark = self.ex.mark[c.symbol]
        return self.ok([{"time": now - i * 1000, "isBuyerMaker": bool(i % 2), "price": fmt(mark, c.price_precision),
                         "qty": fmt(c.trade_min_quantity * (i % 7 + 1), c.quantity_precision),
                         "quoteQty": fmt(mark * c.trade_min_quantity * (i % 7 + 1), 4)} for i in range(limit)])

    # ------------------------------------------------------------ account and wallet
    def coin_config(self, acct, p):
        out = []
        for coin in COINS:
            networks = []
            for i, (net, fee, confirm, wmin) in enumerate(coin["networks"]):
                networks.append({
                    "name": coin["coin"], "network": net, "isDefault": i == 0, "minConfirm": confirm,
                    "withdrawEnable": True, "depositEnable": True, "withdrawFee": fee, "withdrawMax": "1000000",
                    "withdrawMin": wmin, "depositMin": "0.01", "withdrawPrecision": "6", "depositPrecision": "6",
                    "contractAddress": "", "needTagOrMemo": "false", "displayName": coin["coin"] + net,
                })
            out.append({"coin": coin["coin"], "name": coin["name"], "networkList": networks})
        return self.ok(out, code="0")

    def api_permissions(self, acct: Account, p):
        # BingX's documented shape: permission numbers, not Binance-style enable* flags
        return self.ok({"apiKey": acct.api_key, "permissions": acct.permission_numbers(),
                        "ipAddresses": list(acct.ip_addresses), "note": acct.note})

    def api_restrictions(self, acct: Account, p):
        perms = acct.permissions
        return self.ok({"ipRestrict": bool(acct.ip_addresses), "createTime": acct.api_key_created,
                        "permitsUniversalTransfer": bool(perms.get("permitsUniversalTransfer")),
                        "enableReading": bool(perms.get("enableReading")),
                        "enableFutures": bool(perms.get("enableFutures")),
                        "enableSpotAndMarginTrading": bool(perms.get("enableSpotAndMarginTrading"))})

    def uid(self, acct: Account, p):
        return self.ok({"uid": _uid(acct.uid)}, debugMsg="")

    @staticmethod
    def _page(rows: list[dict], p: dict, time_key: str) -> list[dict]:
        if p.get("coin"):
            rows = [r for r in rows if r["coin"] == p["coin"]]
        if p.get("status") not in (None, ""):
            rows = [r for r in rows if str(r["status"]) == str(p["status"])]
        if p.get("startTime"):
            rows = [r for r in rows if r[time_key] >= int(p["startTime"])]
        if p.get("endTime"):
            rows = [r for r in rows if r[time_key] <= int(p["endTime"])]
        rows = sorted(rows, key=lambda r: r[time_key], reverse=True)
        offset = int(p.get("offset") or 0)
        limit = min(int(p.get("limit") or 1000), 1000)
        return [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows[offset:offset + limit]]

    def deposits(self, acct: Account, p):
        return self.bare(self._page(acct.deposits, p, "insertTime"))

    def withdrawals(self, acct: Account, p):
        return self.bare(self._page(acct.withdrawals, p, "_ts"))

    def _balance_row(self, acct: Account, asset: str) -> dict:
        s = self.ex.margin_summary(acct, asset)
        return {"userId": acct.uid, "asset": asset, "balance": fmt(s["balance"], 4), "equity": fmt(s["equity"], 4),
                "unrealizedProfit": fmt(s["unrealized"], 4), "realisedProfit": fmt(s["realised"], 4),
                "availableMargin": fmt(s["available"], 4), "usedMargin": fmt(s["used"], 4),
                "freezedMargin": fmt(s["frozen"], 4), "shortUid": acct.uid}

    def swap_balance_v3(self, acct: Account, p):
        # BingX answers both perpetual settlement assets, USDT and USDC
        assets = ["USDT", "USDC", *sorted(a for a in acct.swap if a not in ("USDT", "USDC"))]
        return self.ok([self._balance_row(acct, a) for a in assets])

    def swap_balance_v2(self, acct: Account, p):
        return self.ok({"balance": self._balance_row(acct, "USDT")})

    def spot_balance(self, acct: Account, p):
        return self.ok({"balances": [{"asset": a, "free": fmt(v, 8), "locked": "0"} for a, v in acct.spot.items()]},
                       debugMsg="")

    def fund_balance(self, acct: Account, p):
        return self.ok({"assets": [{"asset": a, "free": fmt(v, 8), "locked": "0"} for a, v in acct.fund.items()]},
                       code="0")

    def positions(self, acct: Account, p):
        out = [position_json(self.ex, acct, pos) for pos in acct.positions.values()
               if not p.get("symbol") or pos.symbol == p["symbol"]]
        return self.ok(out)

    def commission_rate(self, acct, p):
        return self.ok({"commission": {"takerCommissionRate": float(self.ex.taker_fee),
                                       "makerCommissionRate": float(self.ex.maker_fee)}})

    # ------------------------------------------------------------ settings
    def get_leverage(self, acct: Account, p):
        c = self.ex.contract(p.get("symbol"))
        long_side, short_side = ("LONG", "SHORT") if acct.hedged else ("BOTH", "BOTH")
        return self.ok({"longLeverage": self.ex.get_leverage(acct, c.symbol, long_side),
                        "shortLeverage": self.ex.get_leverage(acct, c.symbol, short_side),
                        "maxLongLeverage": c.max_leverage, "maxShortLeverage": c.max_leverage,
                        "availableLongVol": "0.0000", "availableShortVol": "0.0000", "availableLongVal": "0.0",
                        "availableShortVal": "0.0", "maxPositionLongVal": "0.0", "maxPositionShortVal": "0.0"})

    def set_leverage(self, acct: Account, p):
        c = self.ex.contract(p.get("symbol"))
        lev = self.ex.set_leverage(acct, c.symbol, p.get("side"), p.get("leverage"))
        return self.ok({"leverage": lev, "symbol": c.symbol, "availableLongVol": "0.0000",
                        "availableShortVol": "0.0000", "availableLongVal": "0.0", "availableShortVal": "0.0",
                        "maxPositionLongVal": "0.0", "maxPositionShortVal": "0.0"})

    def get_margin_type(self, acct: Account, p):
        c = self.ex.contract(p.get("symbol"))
        return self.ok({"marginType": acct.margin_type.get(c.symbol, "CROSSED")})

    def set_margin_type(self, acct: Account, p):
        c = self.ex.contract(p.get("symbol"))
        self.ex.set_margin_type(acct, c.symbol, p.get("marginType"))
        return 200, json.dumps({"code": 0, "msg": ""}).encode()

    def get_position_mode(self, acct: Account, p):
        return 200, json.dumps({"code": "0", "msg": "", "timeStamp": str(self.ex.server_time()),
                                "data": {"dualSidePosition": "true" if acct.hedged else "false"}}).encode()

    def set_position_mode(self, acct: Account, p):
        value = str(p.get("dualSidePosition", "")).lower()
        if value not in ("true", "false"):
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, dualSidePosition: must be true or false")
        self.ex.set_position_mode(acct, value == "true")
        return 200, json.dumps({"code": "0", "msg": "", "timeStamp": str(self.ex.server_time()),
                                "data": {"dualSidePosition": value}}).encode()

    # ------------------------------------------------------------ orders
    @staticmethod
    def _order_id(p) -> int | None:
        raw = p.get("orderId")
        if raw in (None, ""):
            return None
        try:
            return int(raw)
        except ValueError:
            raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, err: orderId: strconv.ParseInt: "
                                                   f"parsing \"{raw}\": invalid syntax") from None

    def place_order(self, acct: Account, p):
        order = self.ex.place_order(acct, p)
        return self.ok({"order": order_placed_json(order, p)})

    def query_order(self, acct: Account, p):
        c = self.ex.contract(p.get("symbol"))
        oid = self._order_id(p)
        cid = p.get("clientOrderId") or p.get("clientOrderID")
        if oid is None and not cid:
            raise BingXError(80001, "orderId and clientOrderId are both empty")
        order = self.ex.find_order(acct, c.symbol, oid, cid)
        return self.ok({"order": order_query_json(order, c)})

    def open_orders(self, acct: Account, p):
        symbol = p.get("symbol")
        if symbol:
            self.ex.contract(symbol)
        orders = [order_query_json(o, self.ex.contracts[o.symbol]) for o in acct.orders
                  if o.is_open and (not symbol or o.symbol == symbol)]
        if p.get("type"):
            orders = [o for o in orders if o["type"] == p["type"]]
        return self.ok({"orders": orders})

    def all_orders(self, acct: Account, p):
        symbol = p.get("symbol")
        rows = [o for o in acct.orders if not symbol or o.symbol == symbol]
        if p.get("startTime"):
            rows = [o for o in rows if o.time >= int(p["startTime"])]
        if p.get("endTime"):
            rows = [o for o in rows if o.time <= int(p["endTime"])]
        limit = min(int(p.get("limit") or 500), 1000)
        return self.ok({"orders": [order_query_json(o, self.ex.contracts[o.symbol]) for o in rows[-limit:]]})

    def full_orders(self, acct: Account, p):
        return self.all_orders(acct, p)

    def fill_orders(self, acct: Account, p):
        """Fills (ccxt fetch_my_trades). ``tradingUnit`` CONT counts contract sheets of the listing's
        ``size``, COIN counts coins; ccxt sends CONT unless told otherwise (pass tradingUnit=COIN)."""
        for name in ("tradingUnit", "startTs", "endTs"):
            if not p.get(name):
                raise BingXError(E.INVALID_PARAMETERS, f"Invalid parameters, err:{name}: This field is required.")
        unit = p["tradingUnit"].upper()
        if unit not in ("COIN", "CONT"):
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, err:tradingUnit: must be COIN or CONT")
        start, end = int(p["startTs"]), int(p["endTs"])
        oid = self._order_id(p)
        rows = []
        for f in acct.fills:
            o: Order = f["order"]
            if not start <= f["time"] <= end or (p.get("symbol") and o.symbol != p["symbol"]):
                continue
            if oid is not None and o.order_id != oid:
                continue
            c = self.ex.contracts[o.symbol]
            volume = f["qty"] if unit == "COIN" else f["qty"] / c.trade_min_quantity
            stamp = time.gmtime(f["time"] / 1000)
            rows.append({
                "filledTm": time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp), "symbol": o.symbol,
                "volume": fmt(volume, c.quantity_precision if unit == "COIN" else 0),
                "price": fmt(f["price"], c.price_precision), "amount": fmt(f["qty"] * f["price"], 4),
                "commission": fmt(-f["fee"], 6), "currency": c.currency, "orderId": str(o.order_id),
                "liquidatedPrice": "0.00", "liquidatedMarginRatio": "0.00", "workingType": o.working_type,
                "filledTime": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", stamp), "side": o.side, "type": o.type,
                "positionSide": o.position_side, "clientOrderID": o.client_order_id,
                "onlyOnePosition": not acct.hedged,
            })
        return self.ok({"fill_orders": rows})

    def cancel_order(self, acct: Account, p):
        c = self.ex.contract(p.get("symbol"))
        oid = self._order_id(p)
        cid = p.get("clientOrderID") or p.get("clientOrderId")
        if oid is None and not cid:
            raise BingXError(80001, "orderId and clientOrderID are both empty")
        order = self.ex.cancel_order(acct, c.symbol, oid, cid)
        return self.ok({"order": order_query_json(order, c)})

    def cancel_all(self, acct: Account, p):
        symbol = p.get("symbol")
        if symbol:
            self.ex.contract(symbol)
        done = self.ex.cancel_all(acct, symbol)
        return self.ok({"success": [order_query_json(o, self.ex.contracts[o.symbol]) for o in done], "failed": None})

    def close_all_positions(self, acct: Account, p):
        symbol = p.get("symbol")
        ok_ids = []
        for pos in list(acct.positions.values()):
            if symbol and pos.symbol != symbol:
                continue
            c = self.ex.contracts[pos.symbol]
            order = self.ex.place_order(acct, {
                "symbol": pos.symbol, "type": "MARKET", "side": "SELL" if pos.direction > 0 else "BUY",
                "positionSide": pos.position_side, "quantity": fmt(pos.qty, c.quantity_precision),
                **({} if acct.hedged else {"reduceOnly": "true"}),
            })
            ok_ids.append(order.order_id)
        return self.ok({"success": ok_ids, "failed": None})

    # ------------------------------------------------------------ agent
    def invite_relation_check(self, agent: Account, p):
        raw = p.get("uid")
        if raw in (None, ""):
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, uid: This field is required.")
        try:
            uid = str(int(raw))
        except ValueError:
            raise BingXError(E.INVALID_PARAMETERS, "Invalid parameters, uid: must be a number") from None
        target = self.ex.accounts.get(uid)
        chain = []
        cur = target
        while cur is not None and cur.referrer_uid and cur.referrer_uid not in chain:
            chain.append(cur.referrer_uid)
            cur = self.ex.accounts.get(cur.referrer_uid)
        invited = target is not None and agent.uid in chain
        direct = invited and target.referrer_uid == agent.uid and target.direct_invitation
        data = {"uid": _uid(uid), "existInviter": "true" if target is not None and target.referrer_uid else "false",
                "inviteResult": invited, "directInvitation": direct}
        if invited:
            s = self.ex.margin_summary(target)
            net = s["equity"] + sum(target.fund.values(), ZERO) + sum(target.spot.values(), ZERO)
            data.update({
                "inviterSid": _uid(target.referrer_uid), "registerTime": target.register_time,
                "deposit": target.ever_deposited(), "kycResult": "true" if target.kyc else "false",
                "balanceVolume": fmt(net, 2), "trade": target.traded, "userLevel": 1, "commissionRatio": 30,
                "currentBenefit": 0, "benefitRatio": 0, "benefitExpiration": 0,
            })
        return self.ok(data)


# ==================================================================== HTTP plumbing
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeBingX


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeBingX/1.0"
    disable_nagle_algorithm = True  # header and body go out in separate writes: no 40 ms delayed-ACK stalls
    server: _Server

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_DELETE(self):
        self._handle("DELETE")

    def do_PUT(self):
        self._handle("PUT")

    def _send(self, status: int, body: bytes, content_type="application/json; charset=utf-8",
              headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            self.close_connection = True

    def _drop(self) -> None:
        """Close the connection with a TCP reset and no answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        split = urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        if path.startswith("/_fake"):
            status, body = fake._control(method, path, raw_body, split.query)
            self._send(status, body)
            return
        pairs = parse_qsl(split.query, keep_blank_values=True)
        json_body = False
        if raw_body:
            ctype = (self.headers.get("Content-Type") or "").lower()
            if "json" in ctype:
                try:
                    obj = json.loads(raw_body)
                    pairs += [(k, json.dumps(v) if isinstance(v, (dict, list)) else
                               ("true" if v is True else "false" if v is False else str(v))) for k, v in obj.items()]
                    json_body = True
                except (ValueError, AttributeError):
                    self._send(400, b'{"code":100400,"msg":"Invalid request format"}')
                    return
            else:
                pairs += parse_qsl(raw_body.decode("utf-8", "replace"), keep_blank_values=True)
        fake._record(method, path, dict(pairs))
        fault = fake._take_fault(method, path)
        kind = fault.kind if fault else None
        opts = fault.options if fault else {}
        process = opts.get("process", kind in ("latency", "timeout_after_accept", "bad_json"))
        if kind == "latency":
            fake._sleep(float(opts.get("delay", opts.get("seconds", 1.0))))
        if kind and not process:
            self._answer_fault(kind, opts)
            return
        status, body = fake.app.dispatch(method, path, pairs, self.headers, self.client_address[0], json_body)
        if kind == "timeout_after_accept":
            fake._sleep(float(opts.get("delay", 10.0)))
        if kind in ("http_500", "http_429", "maintenance", "reset"):
            self._answer_fault(kind, opts)
            return
        if kind == "bad_json":
            body = opts.get("body", body[: max(1, len(body) // 2)] + b"<html>")
            if isinstance(body, str):
                body = body.encode()
        ctype = "application/json; charset=utf-8" if body[:1] in (b"{", b"[") else "text/plain; charset=utf-8"
        self._send(status, body, ctype)

    def _answer_fault(self, kind: str, opts: dict) -> None:
        if kind == "reset":
            self._drop()
        elif kind == "http_500":
            body = opts.get("body", "<html><body><h1>500 Internal Server Error</h1></body></html>")
            self._send(int(opts.get("status", 500)), body.encode(), "text/html")
        elif kind == "http_429":
            body = opts.get("body", "<html><body><h1>429 Too Many Requests</h1></body></html>")
            self._send(429, body.encode(), "text/html", {"Retry-After": str(opts.get("retry_after", 1))})
        elif kind == "maintenance":
            code, msg = E.MAINTENANCE
            payload = {"code": int(opts.get("code", code)), "msg": str(opts.get("msg", msg)),
                       "timestamp": int(time.time() * 1000), "data": {}}
            self._send(int(opts.get("status", 503)), json.dumps(payload).encode())


# ==================================================================== scenario API
class FakeBingX:
    """A BingX REST server on 127.0.0.1 with scenario controls. See README.md for the contract."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1", taker_fee=None, maker_fee=None,
                 default_leverage: int = 5, start: bool = True):
        kwargs = {}
        if taker_fee is not None:
            kwargs["taker_fee"] = Decimal(str(taker_fee))
        if maker_fee is not None:
            kwargs["maker_fee"] = Decimal(str(maker_fee))
        self.exchange = Exchange(default_leverage=default_leverage, **kwargs)
        self.app = App(self.exchange)
        self._faults: list[Fault] = []
        self._requests: list[tuple[str, str, dict]] = []
        self._meta_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        self.host, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None
        if start:
            self.start()

    # ------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_root(self) -> str:
        return f"{self.url}/openApi"

    def start(self) -> FakeBingX:
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name=f"FakeBingX:{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def serve_forever(self) -> None:
        """Block serving requests (the CLI); stop() from another thread or Ctrl-C ends it."""
        self._stopping.clear()
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def __enter__(self) -> FakeBingX:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    # ------------------------------------------------------------ state
    def reset(self) -> None:
        """Back to a clean state: no accounts, faults or recorded requests; markets and initial marks kept."""
        self.clear_faults()
        with self._meta_lock:
            self._requests.clear()
        self.exchange.reset()

    def add_account(self, uid="1001", api_key=None, secret=None, permissions=None, referrer_uid=None,
                    direct_invitation=True, kyc=True, balances=None, position_mode="hedge", **extra) -> Account:
        return self.exchange.add_account(uid, api_key=api_key, secret=secret, permissions=permissions,
                                         referrer_uid=referrer_uid, direct_invitation=direct_invitation, kyc=kyc,
                                         balances=balances, position_mode=position_mode, **extra)

    def add_agent(self, uid="9000", api_key=None, secret=None, **extra) -> Account:
        """The platform owner's account, whose key has BingX's agent role."""
        return self.exchange.add_account(uid, api_key=api_key, secret=secret, is_agent=True, **extra)

    def account(self, uid) -> Account:
        return self.exchange.account(uid)

    def add_deposit(self, uid, amount, coin="USDT", status=1, time=None, network="TRC20", **extra) -> dict:
        return self.exchange.add_deposit(uid, amount, coin=coin, status=status, time=time, network=network, **extra)

    def add_withdrawal(self, uid, amount, coin="USDT", status=6, time=None, **extra) -> dict:
        return self.exchange.add_withdrawal(uid, amount, coin=coin, status=status, time=time, **extra)

    def set_mark_price(self, symbol: str, price) -> list[dict]:
        """Move the mark price; stop-loss / take-profit / limit orders it crosses execute. Returns those orders."""
        triggered = self.exchange.set_mark_price(symbol, price)
        return [order_query_json(o, self.exchange.contracts[o.symbol]) for o in triggered]

    def mark_price(self, symbol: str) -> Decimal:
        return self.exchange.mark[symbol]

    def set_permissions(self, uid, **flags) -> None:
        self.exchange.set_permissions(uid, **flags)

    def set_balance(self, uid, asset: str, amount, wallet: str = "swap") -> None:
        self.exchange.set_balance(uid, asset, amount, wallet)

    def set_leverage(self, uid, symbol: str, leverage: int, side: str | None = None) -> None:
        with self.exchange.lock:
            acct = self.account(uid)
            sides = [side] if side else (["LONG", "SHORT"] if acct.hedged else ["BOTH"])
            for s in sides:
                self.exchange.set_leverage(acct, symbol, s, leverage)

    def set_clock_skew(self, ms: int) -> None:
        """Shift the fake's clock by ``ms`` (positive: the server is ahead of the client)."""
        self.exchange.clock_skew_ms = int(ms)

    def balance(self, uid, asset: str = "USDT") -> dict:
        with self.exchange.lock:
            return self.app._balance_row(self.account(uid), asset)

    def orders(self, uid) -> list[dict]:
        with self.exchange.lock:
            acct = self.account(uid)
            return [order_query_json(o, self.exchange.contracts[o.symbol]) for o in acct.orders]

    def positions(self, uid) -> list[dict]:
        with self.exchange.lock:
            acct = self.account(uid)
            return [position_json(self.exchange, acct, p) for p in acct.positions.values()]

    # ------------------------------------------------------------ faults and request log
    def inject(self, path_or_prefix: str, fault: str, count: int | None = 1, method: str | None = None,
               **options) -> None:
        """Make the next ``count`` requests whose path equals or starts with ``path_or_prefix`` fail.

        ``count=None`` means every matching request until ``clear_faults()``. Options per fault:
        latency ``delay`` (s); timeout_after_accept ``delay`` (s, default 10; the request is executed first);
        http_429 ``retry_after`` (s), ``body``; http_500 ``status``, ``body``; maintenance ``status`` (503),
        ``code`` (100503), ``msg``; bad_json ``body`` (default: the real answer cut in half);
        any fault ``process`` (execute the request before answering with the fault: default True for
        latency/timeout_after_accept/bad_json, False for the others).
        """
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        with self._meta_lock:
            self._faults.append(Fault(path_or_prefix, fault, count, method, dict(options)))

    def clear_faults(self) -> None:
        with self._meta_lock:
            self._faults.clear()

    def faults(self) -> list[dict]:
        with self._meta_lock:
            return [f.describe() for f in self._faults]

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._meta_lock:
            for f in self._faults:
                if f.matches(method, path) and (f.remaining is None or f.remaining > 0):
                    if f.remaining is not None:
                        f.remaining -= 1
                        if f.remaining == 0:
                            self._faults.remove(f)
                    return f
        return None

    def _record(self, method: str, path: str, params: dict) -> None:
        with self._meta_lock:
            self._requests.append((method, path, params))

    @property
    def requests(self) -> list[tuple[str, str, dict]]:
        with self._meta_lock:
            return list(self._requests)

    def requests_to(self, path: str, method: str | None = None) -> list[dict]:
        return [p for m, pa, p in self.requests if pa == path and (method is None or m == method)]

    # ------------------------------------------------------------ control endpoint (/_fake/...)
    def state(self) -> dict:
        with self.exchange.lock:
            accounts = []
            for a in self.exchange.accounts.values():
                accounts.append({
                    "uid": a.uid, "api_key": a.api_key, "secret": a.secret, "is_agent": a.is_agent,
                    "referrer_uid": a.referrer_uid, "direct_invitation": a.direct_invitation, "kyc": a.kyc,
                    "permissions": dict(a.permissions), "ip_addresses": list(a.ip_addresses),
                    "position_mode": a.position_mode,
                    "balances": {"swap": {k: str(v) for k, v in a.swap.items()},
                                 "fund": {k: str(v) for k, v in a.fund.items()},
                                 "spot": {k: str(v) for k, v in a.spot.items()}},
                    "deposits": [dict(d) for d in a.deposits], "withdrawals": [dict(w) for w in a.withdrawals],
                    "positions": self.positions(a.uid), "orders": self.orders(a.uid),
                })
            marks = {s: str(v) for s, v in self.exchange.mark.items()}
        return {"url": self.url, "accounts": accounts, "marks": marks, "faults": self.faults(),
                "requests": len(self.requests)}

    def _control(self, method: str, path: str, raw_body: bytes, query: str) -> tuple[int, bytes]:
        action = path[len("/_fake/"):].strip("/")
        try:
            if method == "GET" and action in ("state", ""):
                return 200, json.dumps(self.state()).encode()
            if method == "GET" and action == "requests":
                return 200, json.dumps([list(r) for r in self.requests]).encode()
            if method != "POST":
                return 405, json.dumps({"error": "use POST"}).encode()
            args = json.loads(raw_body or b"{}")
            if not isinstance(args, dict):
                raise ValueError("the body must be a JSON object")
            if action in ("add_account", "add_agent"):
                acct = (self.add_account if action == "add_account" else self.add_agent)(**args)
                return 200, json.dumps({"uid": acct.uid, "api_key": acct.api_key, "secret": acct.secret}).encode()
            if action == "add_deposit":
                return 200, json.dumps(self.add_deposit(**args)).encode()
            if action == "add_withdrawal":
                return 200, json.dumps(self.add_withdrawal(**args)).encode()
            if action == "set_mark_price":
                return 200, json.dumps({"triggered": self.set_mark_price(args["symbol"], args["price"])}).encode()
            if action == "set_balance":
                self.set_balance(**args)
            elif action == "set_permissions":
                self.set_permissions(args.pop("uid"), **args)
            elif action == "inject":
                self.inject(args.pop("path"), args.pop("fault"), **args)
            elif action == "clear_faults":
                self.clear_faults()
            elif action == "reset":
                self.reset()
            elif action == "set_clock_skew":
                self.set_clock_skew(args["ms"])
            else:
                return 404, json.dumps({"error": f"unknown action {action!r}"}).encode()
            return 200, json.dumps({"ok": True}).encode()
        except (KeyError, TypeError, ValueError, BingXError) as exc:
            return 400, json.dumps({"error": str(exc)}).encode()
