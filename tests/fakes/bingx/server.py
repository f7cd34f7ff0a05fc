"""The HTTP side of the fake BingX: the routing table, one request's handling (body parsing, request log,
faults, authentication, dispatch) and the threaded server.

Paths are BingX's own (``/openApi/...``); ccxt 4.5.90 is pointed at ``f"{fake.url}/openApi"`` for every
API section. The handlers live per API area: ``api_public``, ``api_account``, ``api_trading``.
"""

from __future__ import annotations

import json
import socket
import struct
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from . import api_account as account
from . import api_public as public
from . import api_trading as trading
from . import control, faults
from .auth import authenticate, authorize
from .errors import BingXError
from .state import Exchange
from .wire import Answer, Route, error

if TYPE_CHECKING:
    from .scenario import FakeBingX

_r = Route
ROUTES: dict[tuple[str, str], Route] = {
    # public market data
    ("GET", "/openApi/swap/v2/server/time"): _r(public.server_time),
    ("GET", "/openApi/spot/v1/server/time"): _r(public.server_time),
    ("GET", "/openApi/swap/v2/quote/contracts"): _r(public.contracts),
    ("GET", "/openApi/cswap/v1/market/contracts"): _r(public.inverse_contracts),
    ("GET", "/openApi/spot/v1/common/symbols"): _r(public.spot_symbols),
    ("GET", "/openApi/swap/v2/quote/ticker"): _r(public.ticker),
    ("GET", "/openApi/spot/v1/ticker/24hr"): _r(public.spot_ticker),
    ("GET", "/openApi/swap/v2/quote/price"): _r(public.price),
    ("GET", "/openApi/swap/v2/quote/bookTicker"): _r(public.book_ticker),
    ("GET", "/openApi/swap/v2/quote/depth"): _r(public.depth),
    ("GET", "/openApi/swap/v3/quote/klines"): _r(public.klines),
    ("GET", "/openApi/swap/v2/quote/klines"): _r(public.klines),
    ("GET", "/openApi/swap/v1/market/markPriceKlines"): _r(public.mark_klines),
    ("GET", "/openApi/swap/v2/quote/premiumIndex"): _r(public.premium_index),
    ("GET", "/openApi/swap/v2/quote/fundingRate"): _r(public.funding_history),
    ("GET", "/openApi/swap/v2/quote/openInterest"): _r(public.open_interest),
    ("GET", "/openApi/swap/v2/quote/trades"): _r(public.trades),
    # account and wallet (read)
    ("GET", "/openApi/wallets/v1/capital/config/getall"): _r(account.coin_config, True, "read"),
    ("GET", "/openApi/v1/account/apiPermissions"): _r(account.api_permissions, True, "read"),
    ("GET", "/openApi/v1/account/apiRestrictions"): _r(account.api_restrictions, True, "read"),
    ("GET", "/openApi/account/v1/uid"): _r(account.uid, True, "read"),
    ("GET", "/openApi/api/v3/capital/deposit/hisrec"): _r(account.deposits, True, "read"),
    ("GET", "/openApi/api/v3/capital/withdraw/history"): _r(account.withdrawals, True, "read"),
    ("GET", "/openApi/swap/v3/user/balance"): _r(account.swap_balance_v3, True, "read"),
    ("GET", "/openApi/swap/v2/user/balance"): _r(account.swap_balance_v2, True, "read"),
    ("GET", "/openApi/spot/v1/account/balance"): _r(account.spot_balance, True, "read"),
    ("GET", "/openApi/fund/v1/account/balance"): _r(account.fund_balance, True, "read"),
    ("GET", "/openApi/swap/v2/user/commissionRate"): _r(account.commission_rate, True, "read"),
    ("GET", "/openApi/swap/v2/user/income"): _r(account.income, True, "read"),
    # trading: reads need the Read permission (fills excepted, BingX files them under trading)
    ("GET", "/openApi/swap/v2/user/positions"): _r(trading.positions, True, "read"),
    ("GET", "/openApi/swap/v2/trade/leverage"): _r(trading.get_leverage, True, "read"),
    ("GET", "/openApi/swap/v2/trade/marginType"): _r(trading.get_margin_type, True, "read"),
    ("GET", "/openApi/swap/v1/positionSide/dual"): _r(trading.get_position_mode, True, "read"),
    ("GET", "/openApi/swap/v2/trade/order"): _r(trading.query_order, True, "read"),
    ("GET", "/openApi/swap/v2/trade/openOrders"): _r(trading.open_orders, True, "read"),
    ("GET", "/openApi/swap/v2/trade/allOrders"): _r(trading.all_orders, True, "read"),
    ("GET", "/openApi/swap/v1/trade/fullOrder"): _r(trading.full_orders, True, "read"),
    ("GET", "/openApi/swap/v2/trade/allFillOrders"): _r(trading.fill_orders, True, "futures"),
    # trading: changes need the Perpetual Futures Trading permission
    ("POST", "/openApi/swap/v2/trade/leverage"): _r(trading.set_leverage, True, "futures"),
    ("POST", "/openApi/swap/v2/trade/marginType"): _r(trading.set_margin_type, True, "futures"),
    ("POST", "/openApi/swap/v1/positionSide/dual"): _r(trading.set_position_mode, True, "futures"),
    ("POST", "/openApi/swap/v2/trade/order"): _r(trading.place_order, True, "futures"),
    ("DELETE", "/openApi/swap/v2/trade/order"): _r(trading.cancel_order, True, "futures"),
    ("DELETE", "/openApi/swap/v2/trade/allOpenOrders"): _r(trading.cancel_all, True, "futures"),
    ("POST", "/openApi/swap/v2/trade/closeAllPositions"): _r(trading.close_all_positions, True, "futures"),
    # agent (the platform owner's agent key)
    ("GET", "/openApi/agent/v1/account/inviteRelationCheck"): _r(account.invite_relation_check, True, "agent"),
}
_PATHS = {path for (_, path) in ROUTES}


def dispatch(
    ex: Exchange,
    method: str,
    path: str,
    pairs: list[tuple[str, str]],
    headers: Mapping,
    client_ip: str,
    json_body: bool,
) -> Answer:
    """Answer one BingX request; raises nothing: every outcome is (http_status, body_bytes)."""
    route = ROUTES.get((method, path))
    if route is None:
        if path in _PATHS:
            return 405, b"405 method not allowed"
        return 404, b"404 page not found"
    params = dict(pairs)
    try:
        with ex.lock:
            acct = None
            if route.private:
                acct = authenticate(ex, pairs, params, headers, client_ip, json_body)
                authorize(acct, route.permission)
            return route.handler(ex, acct, params)
    except BingXError as exc:
        return error(ex, exc)


def _as_param(value) -> str:
    """A JSON body value as the string BingX signs: objects as JSON, booleans lower-case."""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return "true" if value is True else "false" if value is False else str(value)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeBingX


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeBingX/1.0"
    disable_nagle_algorithm = True  # header and body go out in separate writes: no 40 ms delayed-ACK stalls
    server: Server

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

    def _send(
        self, status: int, body: bytes, content_type="application/json; charset=utf-8", headers: dict | None = None
    ) -> None:
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
            self._send(*control.handle(fake, method, path, raw_body))
            return
        pairs = parse_qsl(split.query, keep_blank_values=True)
        json_body = False
        if raw_body:
            ctype = (self.headers.get("Content-Type") or "").lower()
            if "json" in ctype:
                try:
                    pairs += [(k, _as_param(v)) for k, v in json.loads(raw_body).items()]
                    json_body = True
                except (ValueError, AttributeError):
                    self._send(400, b'{"code":100400,"msg":"Invalid request format"}')
                    return
            else:
                pairs += parse_qsl(raw_body.decode("utf-8", "replace"), keep_blank_values=True)
        fake.record(method, path, dict(pairs))
        fault = fake.fault_book.take(method, path)
        kind = fault.kind if fault else None
        opts = fault.options if fault else {}
        process = opts.get("process", kind in faults.PROCESSED_BY_DEFAULT)
        if kind == "latency":
            fake.sleep(float(opts.get("delay", opts.get("seconds", 1.0))))
        if kind and not process:
            self._answer_fault(kind, opts)
            return
        status, body = dispatch(fake.exchange, method, path, pairs, self.headers, self.client_address[0], json_body)
        if kind == "timeout_after_accept":
            fake.sleep(float(opts.get("delay", 10.0)))
        if kind in faults.REPLACE_ANSWER:
            self._answer_fault(kind, opts)
            return
        if kind == "bad_json":
            body = faults.cut(body, opts)
        ctype = "application/json; charset=utf-8" if body[:1] in (b"{", b"[") else "text/plain; charset=utf-8"
        self._send(status, body, ctype)

    def _answer_fault(self, kind: str, opts: dict) -> None:
        if kind == "reset":
            self._drop()
            return
        reply = faults.answer(kind, opts)
        if reply is not None:
            self._send(*reply)
