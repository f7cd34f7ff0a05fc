"""Outside data providers, one module each, behind one small interface (``base.Provider``).

* ``coingecko``: top 500 coins by market cap (``/api/v3/coins/markets``, 2 pages of 250).
* ``alternative_me``: Fear & Greed Index with history (``/fng/``).
* ``coinglass``: aggregated liquidation history (only when ``COINGLASS_API_KEY`` is set).
* ``binance_liquidations``: Binance's real liquidation stream via ccxt pro (``manage.py watch_liquidations``).
* ``replay``: the fixture answers in ``fixtures/`` played on the replay clock (offline, DEMO).

Each fetch returns parsed plain data or raises a ``base.ProviderError``; health, 429 backoff, last good
data and fallback chains live in ``base``. Exchanges are never called from here: exchange data comes
through ``market.exchanges`` / ``market.sources``.
"""

from market.providers.base import (
    Fetched,
    Link,
    Provider,
    ProviderDisabled,
    ProviderError,
    ProviderHealth,
    ProviderMalformed,
    ProviderRateLimited,
    ProviderRefused,
    ProviderUnavailable,
    all_provider_health,
    first_good,
    last_good,
    provider_health,
    remember,
)

__all__ = [
    "Fetched",
    "Link",
    "Provider",
    "ProviderDisabled",
    "ProviderError",
    "ProviderHealth",
    "ProviderMalformed",
    "ProviderRateLimited",
    "ProviderRefused",
    "ProviderUnavailable",
    "all_provider_health",
    "first_good",
    "last_good",
    "provider_health",
    "remember",
]
