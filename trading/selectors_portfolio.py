"""What the Portfolio pages and API read: wallet, open positions with live PnL, open orders, trade history,
deposits and withdrawals, and realised performance. Paper and live are kept apart: every function takes
the ``mode`` and reads only that mode's trades and wallet.

Live balances and transfers come from BingX through the gateway with the user's decrypted key (kept in
local variables only); when BingX cannot answer, the result says so (``available=False`` with a reason)
instead of failing the page. FLAXU never withdraws: transfers are read only.

Definitions shown to users:
- total value: the wallet's equity — paper: cash plus the open paper trades' unrealised PnL at the cached
  prices; live: BingX's equity of the USDT perpetual-futures account;
- balances by coin: live, every non-zero coin of the BingX perpetual (swap), spot and funding accounts
  (free, used, total; swap total is its equity), each valued in USDT at the cached BingX ticker when one
  exists (USDT at 1); an account BingX refuses or cannot answer for is listed unavailable with why;
  paper, the paper wallet's USDT;
- 24 h change: the net realised PnL of this mode's trades closed in the last 24 hours, and that as a
  percent of the equity before it (total value minus that PnL); unrealised moves and transfers are not in it;
- unrealised PnL of an open trade: (last price - entry) x remaining size (negated for shorts), before the
  closing fee; the price is the cached ticker's, marked stale when the ticker is.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.utils import timezone

from accounts import vault
from accounts.models import User
from accounts.services.credentials import credential_reveal
from core.csv_stream import csv_lines
from gatekeeper.selectors import bingx_keys
from market import exchanges
from market.selectors.snapshots import snapshots_of, tickers
from trading.engine import performance as engine
from trading.models import Mode, PaperWallet, Trade, TradeOrder, TradingProfile

logger = logging.getLogger(__name__)

USDT = "USDT"
BINGX = "bingx"
CHANGE_WINDOW = timedelta(hours=24)
TRANSFERS_DAYS = 90  # deposits and withdrawals shown by default
LIVE_BALANCE_SECONDS = 10
OPEN_ORDER_STATUSES = ("pending", "open")
CENT = Decimal("0.01")
BINGX_UNAVAILABLE = "BingX is unavailable right now, so live balances cannot be shown. Try again in a minute."
ACCOUNT_REFUSED = "BingX refused your API key for this account (it may lack the permission to read it)."
ACCOUNT_UNAVAILABLE = "BingX did not answer for this account. Try again in a minute."
BALANCE_ACCOUNT_LABELS = {
    "swap": "Perpetual futures (USDT-M)",
    "spot": "Spot",
    "funding": "Funding",
    Mode.PAPER: "Paper wallet",
}
KEY_REFUSED = "BingX refused your API key (revoked or changed?): reconnect it on the Access page."


def _gateway_refusal(exc: exchanges.GatewayError) -> str:
    """What to tell the user when a live read fails: their key, or BingX itself."""
    if isinstance(exc, exchanges.InvalidCredentials | exchanges.PermissionRefused):
        return KEY_REFUSED
    return BINGX_UNAVAILABLE


def portfolio_mode(user: User, requested: str | None = None) -> str:
    """The mode to show: the one asked for if valid, else the user's trading mode, else paper."""
    if requested in Mode.values:
        return requested
    mode = TradingProfile.objects.filter(user=user).values_list("mode", flat=True).first()
    return mode or Mode.PAPER


# --- open positions and orders --------------------------------------------------------------------------


def _direction(trade: Trade) -> int:
    return 1 if trade.side == Trade.Side.LONG else -1


def positions_open(*, user: User, mode: str) -> list[Trade]:
    """The user's OPEN trades in ``mode``, newest first, each with ``last_price``, ``price_stale``,
    ``unrealized_pnl``, ``unrealized_r`` and ``margin`` set (one cache read for every price)."""
    trades = list(Trade.objects.filter(user=user, mode=mode, status=Trade.Status.OPEN).order_by("-opened_at", "-id"))
    snaps = snapshots_of("tickers", sorted({t.exchange for t in trades})) if trades else {}
    for trade in trades:
        snap = snaps[trade.exchange]
        ticker = (snap.data or {}).get(trade.symbol)
        last = ticker.last if ticker is not None else None
        trade.last_price = last
        trade.price_stale = last is None or snap.stale
        trade.margin = (trade.entry_price or Decimal(0)) * trade.remaining / max(trade.leverage, 1)
        if last is None or trade.entry_price is None:
            trade.unrealized_pnl = trade.unrealized_r = None
            continue
        trade.unrealized_pnl = ((last - trade.entry_price) * trade.remaining * _direction(trade)).quantize(CENT)
        trade.unrealized_r = (trade.unrealized_pnl / trade.risk_amount).quantize(CENT) if trade.risk_amount else None
    return trades


def orders_open(*, user: User, mode: str) -> QuerySet[TradeOrder]:
    """Orders FLAXU sent for the user's ``mode`` trades that are still working (stops, targets, entries)."""
    return (
        TradeOrder.objects.filter(trade__user=user, trade__mode=mode, status__in=OPEN_ORDER_STATUSES)
        .select_related("trade")
        .order_by("-created_at", "-id")
    )


# --- history ---------------------------------------------------------------------------------------------


def trades_history(
    *,
    user: User,
    mode: str,
    status: str | None = None,
    signal_type: str | None = None,
    symbol: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Trade]:
    """The user's trades in ``mode``, newest first, narrowed by status, strategy, symbol and the time it was
    created (``since`` inclusive, ``until`` exclusive)."""
    trades = Trade.objects.filter(user=user, mode=mode)
    if status:
        trades = trades.filter(status=status)
    if signal_type:
        trades = trades.filter(signal_type=signal_type)
    if symbol:
        trades = trades.filter(symbol=symbol)
    if since:
        trades = trades.filter(created_at__gte=since)
    if until:
        trades = trades.filter(created_at__lt=until)
    return trades.order_by("-created_at", "-id")


def trade_symbols(*, user: User, mode: str) -> list[str]:
    """Symbols the user has traded in ``mode`` (the history filter's choices)."""
    return sorted(set(Trade.objects.filter(user=user, mode=mode).values_list("symbol", flat=True)))


TRADE_CSV_COLUMNS = (
    "id", "mode", "signal_type", "symbol", "side", "status", "confidence", "entry_price", "exit_price",
    "stop_loss", "take_profit", "take_profit_2", "size", "leverage", "risk_amount", "fees", "funding", "pnl",
    "pnl_pct", "r_multiple", "close_reason", "failure_reason", "created_at", "opened_at", "closed_at",
    "exchange_order_id", "client_order_id",
)  # fmt: skip


def trades_csv(trades: QuerySet[Trade]) -> Iterator[str]:
    """The trades as CSV lines (a header, then one line per trade), for streaming."""
    return csv_lines(TRADE_CSV_COLUMNS, trades.values_list(*TRADE_CSV_COLUMNS).iterator(chunk_size=2000))


# --- wallets ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Wallet:
    """A mode's USDT account as the Portfolio shows it; ``available`` False (with ``reason``) when unknown."""

    mode: str
    available: bool
    reason: str = ""
    currency: str = USDT
    balance: Decimal | None = None  # cash: deposits and realised PnL
    equity: Decimal | None = None  # cash plus unrealised PnL
    free: Decimal | None = None  # available margin
    used_margin: Decimal | None = None
    unrealized_pnl: Decimal | None = None
    initial_balance: Decimal | None = None  # paper only
    reset_at: datetime | None = None  # paper only


def paper_wallet(*, user: User, positions: list[Trade] | None = None) -> Wallet:
    """The paper wallet (or, before it exists, the configured initial balance) with the open paper trades'
    unrealised PnL and margin (``positions``: ``positions_open`` already read by the caller)."""
    wallet = PaperWallet.objects.filter(user=user).first()
    initial = wallet.initial_balance if wallet else Decimal(settings.FLAXU_PAPER_INITIAL_BALANCE)
    balance = wallet.balance if wallet else initial
    if positions is None:
        positions = positions_open(user=user, mode=Mode.PAPER)
    unrealized = sum((p.unrealized_pnl or Decimal(0) for p in positions), Decimal(0))
    used = sum((p.margin for p in positions), Decimal(0)).quantize(CENT)
    # Open trades' PnL so far (entry fee, a TP1 half taken) is in no closed trade yet, so not in the
    # balance: counted here as the paper broker counts it, so Portfolio and sizing see one equity.
    so_far = sum((p.pnl or Decimal(0) for p in positions), Decimal(0))
    equity = balance + so_far + unrealized
    return Wallet(
        mode=Mode.PAPER,
        available=True,
        balance=balance,
        equity=equity,
        free=max(equity - used, Decimal(0)),
        used_margin=used,
        unrealized_pnl=unrealized,
        initial_balance=initial,
        reset_at=wallet.reset_at if wallet else None,
    )


class _NoKey(Exception):
    pass


def _live_credentials(user: User) -> exchanges.ApiCredentials:
    """The user's BingX key, decrypted, for one gateway call: the caller keeps it in a local variable."""
    credential = bingx_keys(user).first()
    if credential is None:
        raise _NoKey("Connect your BingX API key to see live balances.")
    try:
        api_key, secret = credential_reveal(credential)
    except vault.VaultError:
        logger.exception("portfolio: credential %s cannot be decrypted", credential.pk)
        raise _NoKey("Your stored BingX key cannot be read: reconnect it on the Access page.") from None
    return exchanges.ApiCredentials(api_key=api_key, secret=secret, ref=f"credential {credential.pk}")


def _live_balance_key(user: User) -> str:
    return f"portfolio:live-balance:{user.pk}"


def _live_read(key: str, read):
    """``read()``, kept LIVE_BALANCE_SECONDS under ``key`` (per user): open pages refresh every 15 s, and a
    thousand users' tabs must not each cost a signed BingX call (the answers hold no key)."""
    value = cache.get(key)
    if value is None:
        value = read()
        cache.set(key, value, LIVE_BALANCE_SECONDS)
    return value


def _live_balance(user: User) -> exchanges.Balance:
    """BingX's USDT perpetual-futures account (``_live_read``)."""
    return _live_read(_live_balance_key(user), lambda: exchanges.balances(_live_credentials(user)))


def live_wallet(*, user: User) -> Wallet:
    """The BingX USDT perpetual-futures account (read at most every LIVE_BALANCE_SECONDS); unavailable
    (with why) without a key or when BingX cannot answer."""
    try:
        balance = _live_balance(user)
    except _NoKey as exc:
        return Wallet(mode=Mode.LIVE, available=False, reason=str(exc))
    except exchanges.GatewayError as exc:
        logger.warning("portfolio: live balance of user %s unavailable (%s)", user.pk, exc)
        return Wallet(mode=Mode.LIVE, available=False, reason=_gateway_refusal(exc))
    return Wallet(
        mode=Mode.LIVE,
        available=True,
        currency=balance.currency,
        balance=balance.balance,
        equity=balance.equity,
        free=balance.available,
        used_margin=balance.used_margin,
        unrealized_pnl=balance.unrealized_pnl,
    )


def wallet_for(*, user: User, mode: str, positions: list[Trade] | None = None) -> Wallet:
    return paper_wallet(user=user, positions=positions) if mode == Mode.PAPER else live_wallet(user=user)


@dataclass(frozen=True)
class CoinRow:
    """One coin of one account; ``usdt_value`` is None when no cached price exists for the coin."""

    account: str  # swap | spot | funding (live) or paper
    coin: str
    free: Decimal
    used: Decimal
    total: Decimal
    usdt_value: Decimal | None

    @property
    def account_label(self) -> str:
        return BALANCE_ACCOUNT_LABELS.get(self.account, self.account)


@dataclass(frozen=True)
class AccountState:
    """Whether one account's balances could be read (``reason`` says why not)."""

    account: str
    available: bool
    reason: str = ""

    @property
    def label(self) -> str:
        return BALANCE_ACCOUNT_LABELS.get(self.account, self.account)


@dataclass(frozen=True)
class CoinBalances:
    rows: list[CoinRow] = field(default_factory=list)
    accounts: list[AccountState] = field(default_factory=list)

    @property
    def unavailable(self) -> list[AccountState]:
        return [a for a in self.accounts if not a.available]


def _live_coin_balances(user: User) -> list[exchanges.AccountBalances]:
    """BingX's per-account answer (``_live_read``). Its swap read also refreshes the wallet's cached Balance,
    so reading the coins first spares the wallet a second call to the same endpoint."""

    def read() -> list[exchanges.AccountBalances]:
        accounts = exchanges.coin_balances(_live_credentials(user))
        futures = next((a.futures for a in accounts if a.futures is not None), None)
        if futures is not None:
            cache.set(_live_balance_key(user), futures, LIVE_BALANCE_SECONDS)
        return accounts

    return _live_read(f"portfolio:live-coin-balances:{user.pk}", read)


def _usdt_prices(coins: set[str]) -> dict[str, Decimal]:
    """The cached BingX last price in USDT of each coin that has a ticker (USDT itself is 1)."""
    data = (tickers(BINGX).data or {}) if coins - {USDT} else {}
    prices = {USDT: Decimal(1)}
    for coin in coins - {USDT}:
        ticker = data.get(f"{coin}/{USDT}:{USDT}") or data.get(f"{coin}/{USDT}")
        if ticker is not None and ticker.last is not None:
            prices[coin] = ticker.last
    return prices


def coin_balances(*, user: User, mode: str, wallet: Wallet | None = None) -> CoinBalances:
    """Balances by coin (see the module docstring). Paper: one USDT row from the paper wallet (``wallet``:
    already read by the caller). Live: BingX's swap, spot and funding accounts read with the user's key."""
    if mode == Mode.PAPER:
        wallet = wallet or paper_wallet(user=user)
        row = CoinRow(Mode.PAPER, USDT, wallet.free, wallet.used_margin, wallet.equity, wallet.equity)
        return CoinBalances(rows=[row], accounts=[AccountState(Mode.PAPER, True)])
    try:
        accounts = _live_coin_balances(user)
    except _NoKey as exc:
        return CoinBalances(accounts=[AccountState(a, False, str(exc)) for a in exchanges.BALANCE_ACCOUNTS])
    states = []
    for account in accounts:
        if not account.available:
            logger.info("portfolio: %s balances of user %s unavailable (%s)", account.account, user.pk, account.reason)
        reason = "" if account.available else ACCOUNT_REFUSED if account.refused else ACCOUNT_UNAVAILABLE
        states.append(AccountState(account.account, account.available, reason))
    coins = [c for account in accounts for c in account.coins]
    prices = _usdt_prices({c.coin for c in coins})
    rows = [
        CoinRow(
            c.account,
            c.coin,
            c.free,
            c.used,
            c.total,
            (c.total * prices[c.coin]).quantize(CENT) if c.coin in prices else None,
        )
        for c in coins
    ]
    return CoinBalances(rows=rows, accounts=states)


@dataclass(frozen=True)
class Transfer:
    kind: str  # deposit | withdrawal
    currency: str
    amount: Decimal
    status: str
    time: datetime | None
    tx_id: str | None
    network: str | None
    fee: Decimal | None


@dataclass(frozen=True)
class Transfers:
    available: bool
    reason: str = ""
    since: datetime | None = None
    items: list[Transfer] = field(default_factory=list)


def transfers(*, user: User, mode: str, since: datetime | None = None) -> Transfers:
    """Deposits and withdrawals since ``since`` (default: 90 days), newest first. Live: BingX's records
    (read only); paper: none (a paper wallet is only ever reset)."""
    since = since or timezone.now() - timedelta(days=TRANSFERS_DAYS)
    if mode == Mode.PAPER:
        return Transfers(available=True, reason="A paper wallet has no deposits or withdrawals.", since=since)
    try:
        creds = _live_credentials(user)
        deposits = exchanges.deposits_since(creds, since)
        withdrawals = exchanges.withdrawals(creds, since)
    except _NoKey as exc:
        return Transfers(available=False, reason=str(exc), since=since)
    except exchanges.GatewayError as exc:
        logger.warning("portfolio: transfers of user %s unavailable (%s)", user.pk, exc)
        return Transfers(available=False, reason=_gateway_refusal(exc), since=since)
    items = [
        Transfer("deposit", d.currency, d.amount, "credited", d.credited_at, d.tx_id, d.network, None) for d in deposits
    ] + [
        Transfer("withdrawal", w.currency, w.amount, w.status, w.requested_at, w.tx_id, w.network, w.fee)
        for w in withdrawals
        if w.requested_at is None or w.requested_at >= since
    ]
    items.sort(key=lambda t: t.time or since, reverse=True)
    return Transfers(available=True, since=since, items=items)


# --- summary ---------------------------------------------------------------------------------------------


def realised_since(*, user: User, mode: str, since: datetime) -> Decimal:
    """Net realised PnL of the user's ``mode`` trades closed since ``since``."""
    total = Trade.objects.filter(
        user=user, mode=mode, status=Trade.Status.CLOSED, closed_at__gte=since, pnl__isnull=False
    ).aggregate(total=Sum("pnl"))["total"]
    return total or Decimal(0)


@dataclass(frozen=True)
class Allocation:
    label: str
    value: Decimal
    share: float  # of the total, 0-1

    @property
    def percent(self) -> float:
        return self.share * 100


def allocation(*, wallet: Wallet, positions: list[Trade]) -> list[Allocation]:
    """Where the equity sits: each open position's margin (grouped by symbol), then the free USDT."""
    if not wallet.available or not wallet.equity or wallet.equity <= 0:
        return []
    margins: dict[str, Decimal] = {}
    for p in positions:
        margins[p.symbol] = margins.get(p.symbol, Decimal(0)) + p.margin
    rows = [(symbol, value.quantize(CENT)) for symbol, value in sorted(margins.items(), key=lambda kv: -kv[1])]
    rows.append((f"Free {wallet.currency}", max(wallet.equity - sum(margins.values(), Decimal(0)), Decimal(0))))
    total = sum((v for _, v in rows), Decimal(0)) or Decimal(1)
    return [Allocation(label, value, float(value / total)) for label, value in rows]


@dataclass(frozen=True)
class Portfolio:
    mode: str
    wallet: Wallet
    positions: list[Trade]
    orders: list[TradeOrder]
    total_value: Decimal | None
    change_24h: Decimal
    change_24h_pct: float | None
    allocation: list[Allocation]
    balances: CoinBalances | None = None


def wallet_and_coins(*, user: User, mode: str, positions: list[Trade] | None = None) -> tuple[Wallet, CoinBalances]:
    """The wallet and the balances by coin, read so that live costs one swap call, not two."""
    if mode == Mode.PAPER:
        wallet = paper_wallet(user=user, positions=positions)
        return wallet, coin_balances(user=user, mode=mode, wallet=wallet)
    coins = coin_balances(user=user, mode=mode)
    return live_wallet(user=user), coins


def portfolio_summary(*, user: User, mode: str, with_balances: bool = False) -> Portfolio:
    """Total value, 24 h change (see the module docstring), allocation, open positions and orders, wallet,
    and (``with_balances``) the balances by coin."""
    positions = positions_open(user=user, mode=mode)
    if with_balances:
        wallet, coins = wallet_and_coins(user=user, mode=mode, positions=positions)
    else:
        wallet, coins = wallet_for(user=user, mode=mode, positions=positions), None
    change = realised_since(user=user, mode=mode, since=timezone.now() - CHANGE_WINDOW)
    before = wallet.equity - change if wallet.equity is not None else None
    return Portfolio(
        mode=mode,
        wallet=wallet,
        positions=positions,
        orders=list(orders_open(user=user, mode=mode)[:200]),
        total_value=wallet.equity,
        change_24h=change,
        change_24h_pct=float(change / before) if before and before > 0 else None,
        allocation=allocation(wallet=wallet, positions=positions),
        balances=coins,
    )


# --- performance -----------------------------------------------------------------------------------------

PERFORMANCE_FIELDS = {
    "pnl": "pnl",
    "r_multiple": "r_multiple",
    "closed_at": "closed_at",
    "signal_type": "signal_type",
    "symbol": "symbol",
    "evidence_mean_r": "signal__evidence_mean_r",
    "evidence_rate": "signal__evidence_rate",
    "evidence_n": "signal__evidence_n",
}


@dataclass(frozen=True)
class PerformanceReport:
    mode: str
    initial_equity: Decimal | None
    since: datetime | None
    until: datetime | None
    result: engine.Performance


def performance_of(
    *, user: User, mode: str, since: datetime | None = None, until: datetime | None = None
) -> PerformanceReport:
    """Realised performance of the user's closed ``mode`` trades (closed in [since, until)).

    Paper counts from the wallet's last reset (the curve restarts at its initial balance then); live starts
    from the equity recorded at the first counted trade's entry (deposits and withdrawals are not taken
    out, so ROI on live is an approximation when money moved)."""
    closed = Trade.objects.filter(user=user, mode=mode, status=Trade.Status.CLOSED, pnl__isnull=False)
    if mode == Mode.PAPER:
        wallet = PaperWallet.objects.filter(user=user).first()
        initial = wallet.initial_balance if wallet else Decimal(settings.FLAXU_PAPER_INITIAL_BALANCE)
        if wallet and wallet.reset_at:
            closed = closed.filter(closed_at__gte=wallet.reset_at)
    if since:
        closed = closed.filter(closed_at__gte=since)
    if until:
        closed = closed.filter(closed_at__lt=until)
    closed = closed.order_by("closed_at", "id")
    if mode == Mode.LIVE:
        initial = closed.exclude(equity_at_entry__isnull=True).values_list("equity_at_entry", flat=True).first()
    values = closed.values_list(*PERFORMANCE_FIELDS.values())
    rows = [dict(zip(PERFORMANCE_FIELDS, row, strict=True)) for row in values]
    result = engine.performance(rows, float(initial) if initial is not None else None)
    return PerformanceReport(mode=mode, initial_equity=initial, since=since, until=until, result=result)
