"""The scenario API: ``FakeBingX`` starts the server and sets up what a test needs (accounts, deposits,
marks, permissions, faults) and reads back what the fake holds and what it was asked (README: "Scenario API").
"""

from __future__ import annotations

import threading
from decimal import Decimal

from . import control, matching, triggers
from .api_account import balance_row
from .api_trading import order_query_json, position_json
from .faults import FaultBook
from .models import Account
from .server import Handler, Server
from .state import Exchange


class FakeBingX:
    """A BingX REST server on 127.0.0.1 with scenario controls. See README.md for the contract."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        taker_fee=None,
        maker_fee=None,
        default_leverage: int = 5,
        start: bool = True,
    ):
        kwargs = {}
        if taker_fee is not None:
            kwargs["taker_fee"] = Decimal(str(taker_fee))
        if maker_fee is not None:
            kwargs["maker_fee"] = Decimal(str(maker_fee))
        self.exchange = Exchange(default_leverage=default_leverage, **kwargs)
        self.fault_book = FaultBook()
        self._requests: list[tuple[str, str, dict]] = []
        self._requests_lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = Server((host, port), Handler)
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
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"FakeBingX:{self.port}",
                daemon=True,
            )
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

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fault's delay), cut short by ``stop()``."""
        self._stopping.wait(seconds)

    # ------------------------------------------------------------ state
    def reset(self) -> None:
        """Back to a clean state: no accounts, faults or recorded requests; markets and initial marks kept."""
        self.clear_faults()
        with self._requests_lock:
            self._requests.clear()
        self.exchange.reset()

    def add_account(
        self,
        uid="1001",
        api_key=None,
        secret=None,
        permissions=None,
        referrer_uid=None,
        direct_invitation=True,
        kyc=True,
        balances=None,
        position_mode="hedge",
        **extra,
    ) -> Account:
        return self.exchange.add_account(
            uid,
            api_key=api_key,
            secret=secret,
            permissions=permissions,
            referrer_uid=referrer_uid,
            direct_invitation=direct_invitation,
            kyc=kyc,
            balances=balances,
            position_mode=position_mode,
            **extra,
        )

    def add_agent(self, uid="9000", api_key=None, secret=None, **extra) -> Account:
        """The platform owner's account, whose key has BingX's agent role."""
        return self.exchange.add_account(uid, api_key=api_key, secret=secret, is_agent=True, **extra)

    def account(self, uid) -> Account:
        return self.exchange.account(uid)

    def add_deposit(self, uid, amount, coin="USDT", status=1, time=None, network="TRC20", **extra) -> dict:
        return self.exchange.add_deposit(uid, amount, coin=coin, status=status, time=time, network=network, **extra)

    def add_funding(self, uid, symbol: str, income, time=None, asset: str = "USDT") -> dict:
        """A funding fee on ``symbol`` (BingX id, BTC-USDT): ``income`` received (negative: paid); returns its row."""
        return self.exchange.add_funding(uid, symbol, income, time=time, asset=asset)

    def add_withdrawal(self, uid, amount, coin="USDT", status=6, time=None, **extra) -> dict:
        return self.exchange.add_withdrawal(uid, amount, coin=coin, status=status, time=time, **extra)

    def set_mark_price(self, symbol: str, price) -> list[dict]:
        """Move the mark price; stop-loss / take-profit / limit orders it crosses execute. Returns those orders."""
        triggered = triggers.set_mark_price(self.exchange, symbol, price)
        return [order_query_json(o, self.exchange.contracts[o.symbol]) for o in triggered]

    def mark_price(self, symbol: str) -> Decimal:
        return self.exchange.mark[symbol]

    def set_permissions(self, uid, **flags) -> None:
        self.exchange.set_permissions(uid, **flags)

    def set_balance(self, uid, asset: str, amount, wallet: str = "swap", locked=None) -> None:
        self.exchange.set_balance(uid, asset, amount, wallet, locked)

    def set_leverage(self, uid, symbol: str, leverage: int, side: str | None = None) -> None:
        with self.exchange.lock:
            acct = self.account(uid)
            sides = [side] if side else (["LONG", "SHORT"] if acct.hedged else ["BOTH"])
            for s in sides:
                matching.set_leverage(self.exchange, acct, symbol, s, leverage)

    def set_clock_skew(self, ms: int) -> None:
        """Shift the fake's clock by ``ms`` (positive: the server is ahead of the client)."""
        self.exchange.clock_skew_ms = int(ms)

    def balance(self, uid, asset: str = "USDT") -> dict:
        with self.exchange.lock:
            return balance_row(self.exchange, self.account(uid), asset)

    def orders(self, uid) -> list[dict]:
        with self.exchange.lock:
            acct = self.account(uid)
            return [order_query_json(o, self.exchange.contracts[o.symbol]) for o in acct.orders]

    def positions(self, uid) -> list[dict]:
        with self.exchange.lock:
            acct = self.account(uid)
            return [position_json(self.exchange, acct, p) for p in acct.positions.values()]

    # ------------------------------------------------------------ faults and request log
    def inject(
        self, path_or_prefix: str, fault: str, count: int | None = 1, method: str | None = None, **options
    ) -> None:
        """Make the next ``count`` requests whose path equals or starts with ``path_or_prefix`` fail.

        ``count=None`` means every matching request until ``clear_faults()``. Options per fault:
        latency ``delay`` (s); timeout_after_accept ``delay`` (s, default 10; the request is executed first);
        http_429 ``retry_after`` (s), ``body``; http_500 ``status``, ``body``; maintenance ``status`` (503),
        ``code`` (100503), ``msg``; permission_denied ``msg`` (100004, HTTP 200); bad_json ``body`` (default:
        the real answer cut in half);
        any fault ``process`` (execute the request before answering with the fault: default True for
        latency/timeout_after_accept/bad_json, False for the others).
        """
        self.fault_book.inject(path_or_prefix, fault, count, method, **options)

    def clear_faults(self) -> None:
        self.fault_book.clear()

    def faults(self) -> list[dict]:
        return self.fault_book.describe()

    def state(self) -> dict:
        """Everything the fake holds, JSON-ready (what ``GET /_fake/state`` answers)."""
        return control.state(self)

    def record(self, method: str, path: str, params: dict) -> None:
        """Log one request as received (the HTTP handler calls this before faults and checks)."""
        with self._requests_lock:
            self._requests.append((method, path, params))

    @property
    def requests(self) -> list[tuple[str, str, dict]]:
        with self._requests_lock:
            return list(self._requests)

    def requests_to(self, path: str, method: str | None = None) -> list[dict]:
        return [p for m, pa, p in self.requests if pa == path and (method is None or m == method)]
