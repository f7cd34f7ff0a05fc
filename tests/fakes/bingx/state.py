"""The fake exchange's state: accounts, wallets, deposits, the clock, ids and the margin arithmetic.

Everything here is guarded by ``Exchange.lock`` (one re-entrant lock): HTTP handler threads and the
test's own scenario calls both go through it. Order rules live in ``matching.py``, mark-price moves in
``triggers.py``; both take the ``Exchange`` as their first argument.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from datetime import UTC, datetime
from decimal import Decimal

from . import errors as E
from .errors import BingXError
from .markets import CONTRACTS, MAKER_FEE, TAKER_FEE, Contract
from .models import DEFAULT_PERMISSIONS, ZERO, Account, Position, fmt, new_key, now_ms, to_ms


class Exchange:
    """State of the fake BingX. Public methods are safe to call from any thread."""

    def __init__(self, taker_fee: Decimal = TAKER_FEE, maker_fee: Decimal = MAKER_FEE, default_leverage: int = 5):
        self.lock = threading.RLock()
        self.contracts: dict[str, Contract] = {c.symbol: c for c in CONTRACTS}
        self.taker_fee = Decimal(taker_fee)
        self.maker_fee = Decimal(maker_fee)
        self.default_leverage = default_leverage
        self.clock_skew_ms = 0
        self._ids = itertools.count(1)
        self.reset()

    # ---------------------------------------------------------------- setup
    def reset(self) -> None:
        with self.lock:
            self.accounts: dict[str, Account] = {}
            self.by_key: dict[str, Account] = {}
            self.mark: dict[str, Decimal] = {c.symbol: c.mark_price for c in self.contracts.values()}
            self.index: dict[str, Decimal] = dict(self.mark)
            self.funding: dict[str, Decimal] = {c.symbol: c.funding_rate for c in self.contracts.values()}
            self.clock_skew_ms = 0

    def server_time(self) -> int:
        return now_ms() + self.clock_skew_ms

    def next_id(self) -> int:
        # 19-digit snowflake ids like BingX's order ids (ms since 2010-11-04 << 22, plus a sequence)
        return ((self.server_time() - 1288834974657) << 22) + (next(self._ids) % (1 << 22))

    def add_account(
        self,
        uid,
        api_key=None,
        secret=None,
        permissions=None,
        referrer_uid=None,
        direct_invitation=True,
        kyc=True,
        balances=None,
        position_mode="hedge",
        is_agent=False,
        ip_addresses=None,
        register_time=None,
        deposited=None,
    ) -> Account:
        uid = str(uid)
        if position_mode not in ("hedge", "oneway"):
            raise ValueError("position_mode must be 'hedge' or 'oneway'")
        perms = dict(DEFAULT_PERMISSIONS)
        perms.update(permissions or {})
        unknown = set(perms) - set(DEFAULT_PERMISSIONS)
        if unknown:
            raise ValueError(f"unknown permission flags: {sorted(unknown)}")
        api_key = api_key or new_key()
        secret = secret or new_key()
        if len(api_key) < 16 or len(secret) < 16:
            raise ValueError("api_key and secret must be at least 16 characters")
        with self.lock:
            if uid in self.accounts:
                raise ValueError(f"uid {uid} already exists")
            if api_key in self.by_key:
                raise ValueError("api_key already in use")
            acct = Account(
                uid=uid,
                api_key=api_key,
                secret=secret,
                permissions=perms,
                referrer_uid=None if referrer_uid is None else str(referrer_uid),
                direct_invitation=bool(direct_invitation),
                kyc=bool(kyc),
                is_agent=is_agent,
                position_mode=position_mode,
                ip_addresses=list(ip_addresses or (["127.0.0.1"] if perms["ipRestrict"] else [])),
                register_time=to_ms(register_time),
                deposited=deposited,
            )
            for asset, amount in (balances or {}).items():
                acct.swap[asset] = Decimal(str(amount))
            self.accounts[uid] = acct
            self.by_key[api_key] = acct
            return acct

    def account(self, uid) -> Account:
        try:
            return self.accounts[str(uid)]
        except KeyError:
            raise KeyError(f"no account with uid {uid}") from None

    def set_permissions(self, uid, **flags) -> None:
        with self.lock:
            acct = self.account(uid)
            unknown = set(flags) - set(DEFAULT_PERMISSIONS) - {"ip_addresses"}
            if unknown:
                raise ValueError(f"unknown permission flags: {sorted(unknown)}")
            if "ip_addresses" in flags:
                acct.ip_addresses = list(flags.pop("ip_addresses") or [])
            acct.permissions.update({k: bool(v) for k, v in flags.items()})
            if "ipRestrict" in flags:
                if flags["ipRestrict"] and not acct.ip_addresses:
                    acct.ip_addresses = ["127.0.0.1"]
                if not flags["ipRestrict"]:
                    acct.ip_addresses = []

    def set_balance(self, uid, asset: str, amount, wallet: str = "swap", locked=None) -> None:
        """``amount`` is the free balance; spot and fund wallets also take an amount ``locked`` in orders."""
        if wallet not in ("swap", "spot", "fund"):
            raise ValueError("wallet must be 'swap', 'spot' or 'fund'")
        if locked is not None and wallet == "swap":
            raise ValueError("the swap wallet has no locked amount (its margins come from positions and orders)")
        with self.lock:
            acct = self.account(uid)
            getattr(acct, wallet)[asset] = Decimal(str(amount))
            if locked is not None:
                acct.locked[(wallet, asset)] = Decimal(str(locked))

    def add_deposit(
        self, uid, amount, coin="USDT", status=1, time=None, network="TRC20", tx_id=None, address=None, credit=True
    ) -> dict:
        with self.lock:
            acct = self.account(uid)
            insert_time = to_ms(time)
            tx = tx_id or "0x" + hashlib.sha256(f"{uid}{amount}{insert_time}{next(self._ids)}".encode()).hexdigest()
            record = {
                "amount": fmt(Decimal(str(amount))),
                "coin": coin,
                "network": network,
                "status": int(status),
                "address": address or ("T" + hashlib.sha256(uid.encode()).hexdigest()[:33]),
                "addressTag": "",
                "txId": tx,
                "insertTime": insert_time,
                "transferType": 0,
                "unlockConfirm": "12/12" if int(status) == 1 else "0/12",
                "confirmTimes": "12/12" if int(status) == 1 else "1/12",
                "sourceAddress": "T" + hashlib.sha256(tx.encode()).hexdigest()[:33],
            }
            acct.deposits.append(record)
            if credit and int(status) == 1:
                acct.fund[coin] = acct.fund.get(coin, ZERO) + Decimal(str(amount))
            return dict(record)

    def add_funding(self, uid, symbol: str, income, time=None, asset: str = "USDT") -> dict:
        """A funding settlement of ``symbol`` (BingX id, e.g. BTC-USDT): ``income`` received (negative: paid),
        credited to the swap wallet."""
        with self.lock:
            acct = self.account(uid)
            amount = Decimal(str(income))
            record = {
                "symbol": symbol,
                "incomeType": "FUNDING_FEE",
                "income": fmt(amount),
                "asset": asset,
                "info": "Funding Fee",
                "time": to_ms(time),
                "tranId": f"{self.next_id()}_funding",
                "tradeId": "",
            }
            acct.funding.append(record)
            acct.swap[asset] = acct.swap.get(asset, ZERO) + amount
            return dict(record)

    def add_withdrawal(
        self, uid, amount, coin="USDT", status=6, time=None, network="TRC20", address=None, fee="1"
    ) -> dict:
        with self.lock:
            acct = self.account(uid)
            ts = to_ms(time)
            record = {
                "address": address or "TXyZ" + hashlib.sha256(f"w{uid}{ts}".encode()).hexdigest()[:30],
                "amount": fmt(Decimal(str(amount))),
                "applyTime": datetime.fromtimestamp(ts / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S"),
                "coin": coin,
                "id": str(self.next_id()),
                "network": network,
                "transferType": 1,
                "status": int(status),
                "transactionFee": fee,
                "confirmNo": 12 if int(status) == 6 else 0,
                "info": "",
                "txId": "0x" + hashlib.sha256(f"w{uid}{ts}{next(self._ids)}".encode()).hexdigest(),
                "_ts": ts,
            }
            acct.withdrawals.append(record)
            return {k: v for k, v in record.items() if not k.startswith("_")}

    # ---------------------------------------------------------------- lookups
    def contract(self, symbol: str | None) -> Contract:
        if not symbol:
            raise BingXError(E.PARAM_INVALID, "Invalid parameters, symbol: This field is required.")
        try:
            return self.contracts[symbol]
        except KeyError:
            raise BingXError(
                E.SYMBOL_NOT_EXIST,
                f"{symbol},symbol not exist, please verify it in api: /openApi/swap/v2/quote/contracts",
            ) from None

    def get_leverage(self, acct: Account, symbol: str, position_side: str) -> int:
        return acct.leverage.get((symbol, position_side), self.default_leverage)

    def is_isolated(self, acct: Account, symbol: str) -> bool:
        return acct.margin_type.get(symbol, "CROSSED") == "ISOLATED"

    # ---------------------------------------------------------------- accounting
    def unrealized(self, pos: Position) -> Decimal:
        return (self.mark[pos.symbol] - pos.entry) * pos.qty * pos.direction

    def margin_summary(self, acct: Account, asset: str = "USDT") -> dict:
        balance = acct.swap.get(asset, ZERO)
        if asset != "USDT":
            return {
                "balance": balance,
                "equity": balance,
                "unrealized": ZERO,
                "used": ZERO,
                "frozen": ZERO,
                "available": balance,
                "realised": ZERO,
            }
        unrealized = sum((self.unrealized(p) for p in acct.positions.values()), ZERO)
        used = sum((p.margin for p in acct.positions.values()), ZERO)
        frozen = ZERO
        for o in acct.orders:
            if o.is_open and o.type == "LIMIT" and not o.reduce_only and o.price is not None:
                lev = o.leverage or self.default_leverage
                frozen += o.price * (o.orig_qty - o.executed_qty) / lev
        equity = balance + unrealized
        available = equity - used - frozen
        return {
            "balance": balance,
            "equity": equity,
            "unrealized": unrealized,
            "used": used,
            "frozen": frozen,
            "available": max(available, ZERO),
            "realised": acct.realised,
        }
