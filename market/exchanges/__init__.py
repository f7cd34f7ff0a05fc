"""The exchange gateway: the one place FLAXU talks to exchanges (through ccxt).

Private operations (BingX USDT-margined perpetual swaps) take an ``ApiCredentials``; public market data
takes an exchange name (``bingx``, ``binanceusdm``, ``okx``, ``bybit``). Results are frozen dataclasses
with Decimal money (``types.py``); failures are ``GatewayError`` subclasses (``errors.py``) whose
messages never carry a key, secret or signature. No ccxt exception leaves this package.

``market`` knows no other app, so callers build the credentials themselves from the vault::

    from accounts.services.credentials import credential_reveal
    from market import exchanges

    api_key, secret = credential_reveal(credential)
    creds = exchanges.ApiCredentials(api_key=api_key, secret=secret, ref=f"credential {credential.pk}")
    check = exchanges.credentials_check(creds)

Keep ``creds`` in local variables only (never in Celery arguments, caches or logs); its repr masks the
key and hides the secret.

Reads and cancels are retried with backoff; orders never are (see ``orders.py``). Each exchange endpoint
has a circuit breaker, and ``health.py`` keeps per-operation health in the shared cache.
"""

from market.exchanges.account import (
    BALANCE_ACCOUNTS,
    balances,
    coin_balances,
    credentials_check,
    deposits_since,
    equity,
    referral_check,
    withdrawals,
)
from market.exchanges.credentials import ApiCredentials
from market.exchanges.errors import (
    CircuitOpen,
    DuplicateOrder,
    ExchangeUnavailable,
    GatewayError,
    InsufficientFunds,
    InvalidCredentials,
    InvalidRequest,
    Misconfigured,
    NotOffered,
    OrderRejected,
    OrderStateUnknown,
    PermissionRefused,
    RateLimited,
)
from market.exchanges.health import exchange_health, operation_health
from market.exchanges.income import funding_payments
from market.exchanges.orders import (
    cancel_order,
    client_order_id,
    close_position,
    fetch_order,
    open_orders,
    place_market_order,
    place_protective_order,
    position_mode,
    positions,
    set_leverage,
    set_margin_mode,
    set_position_mode,
)
from market.exchanges.public import funding_rates, long_short_ratio, markets, ohlcv, open_interest, order_book, tickers
from market.exchanges.types import (
    AccountBalances,
    Balance,
    Candle,
    CoinBalance,
    CredentialCheck,
    Deposit,
    FundingPayment,
    FundingRate,
    LongShortRatio,
    Market,
    OpenInterest,
    Order,
    OrderBook,
    Permissions,
    Position,
    ReferralCheck,
    Ticker,
    Withdrawal,
)


def reset_process_state() -> None:
    """Close every circuit breaker and drop buffered health samples, this thread's clients and the
    remembered account settings.

    For tests: breakers live in the process, so one test's injected outages would otherwise make the
    next test fail fast. Markets stay loaded.
    """
    from market.exchanges import clients, health, resilience, settings_cache

    resilience.reset_breakers()
    health.forget_pending()
    clients.forget_clients()
    settings_cache.forget_all()


__all__ = [
    "BALANCE_ACCOUNTS",
    "AccountBalances",
    "ApiCredentials",
    "Balance",
    "Candle",
    "CircuitOpen",
    "CoinBalance",
    "CredentialCheck",
    "Deposit",
    "DuplicateOrder",
    "ExchangeUnavailable",
    "FundingPayment",
    "FundingRate",
    "GatewayError",
    "InsufficientFunds",
    "InvalidCredentials",
    "InvalidRequest",
    "LongShortRatio",
    "Market",
    "Misconfigured",
    "NotOffered",
    "OpenInterest",
    "Order",
    "OrderBook",
    "OrderRejected",
    "OrderStateUnknown",
    "PermissionRefused",
    "Permissions",
    "Position",
    "RateLimited",
    "ReferralCheck",
    "Ticker",
    "Withdrawal",
    "balances",
    "cancel_order",
    "client_order_id",
    "close_position",
    "coin_balances",
    "credentials_check",
    "deposits_since",
    "equity",
    "exchange_health",
    "fetch_order",
    "funding_payments",
    "funding_rates",
    "long_short_ratio",
    "markets",
    "ohlcv",
    "open_interest",
    "open_orders",
    "operation_health",
    "order_book",
    "place_market_order",
    "place_protective_order",
    "position_mode",
    "positions",
    "referral_check",
    "reset_process_state",
    "set_leverage",
    "set_margin_mode",
    "set_position_mode",
    "tickers",
    "withdrawals",
]
