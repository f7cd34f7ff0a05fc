"""Coinglass (only when ``COINGLASS_API_KEY`` is set): aggregated liquidation history across exchanges.

``GET https://open-api-v4.coinglass.com/api/futures/liquidation/aggregated-history`` with the key in the
``CG-API-KEY`` header and ``exchange_list`` (comma-separated, e.g. ``Binance,OKX,Bybit``), ``symbol``
(a coin, ``BTC``), ``interval`` (``1m`` .. ``1w``) and ``limit``. The answer::

    {"code": "0", "msg": "success",
     "data": [{"time": 1658966400000,
               "aggregated_long_liquidation_usd": 5916885.14234,
               "aggregated_short_liquidation_usd": 12969583.87632}, ...]}

``code`` other than ``"0"`` is an error described by ``msg`` (a bad key, a plan without the endpoint).
This complements the heatmap: real liquidated USD per period, long vs short, over the main exchanges.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from market.providers.base import Provider, ProviderDisabled, ProviderMalformed, ProviderRefused

PUBLIC_URL = "https://open-api-v4.coinglass.com"
DEFAULT_EXCHANGES = ("Binance", "OKX", "Bybit")


@dataclass(frozen=True, slots=True)
class LiquidationBucket:
    time: datetime
    long_usd: float
    short_usd: float

    def as_dict(self) -> dict[str, Any]:
        return {"time": self.time, "long_usd": self.long_usd, "short_usd": self.short_usd}


def parse_liquidation_history(payload: Any) -> list[LiquidationBucket]:
    """Buckets from one ``aggregated-history`` answer, oldest first."""
    if not isinstance(payload, dict):
        raise ProviderMalformed("coinglass: the answer is not an object")
    if str(payload.get("code")) != "0":
        raise ProviderRefused(f"coinglass: {payload.get('msg') or 'error code ' + str(payload.get('code'))}")
    rows = payload.get("data")
    if not isinstance(rows, list):
        raise ProviderMalformed("coinglass: the answer has no data list")
    buckets = [
        LiquidationBucket(
            time=datetime.fromtimestamp(int(row["time"]) / 1000, tz=UTC),
            long_usd=float(row["aggregated_long_liquidation_usd"]),
            short_usd=float(row["aggregated_short_liquidation_usd"]),
        )
        for row in rows
    ]
    return sorted(buckets, key=lambda b: b.time)


class Coinglass(Provider):
    name = "coinglass"
    default_base_url = PUBLIC_URL

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, **kwargs: Any):
        base_url = base_url or settings.FLAXU_COINGLASS_URL or None
        super().__init__(base_url=base_url, **kwargs)
        self.api_key = settings.COINGLASS_API_KEY if api_key is None else api_key

    @property
    def enabled(self) -> bool:
        return bool(self.api_key)

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()

    def headers(self) -> dict[str, str]:
        return {**super().headers(), "CG-API-KEY": self.api_key}

    def liquidation_history(
        self,
        coin: str = "BTC",
        *,
        interval: str = "1h",
        exchanges: tuple[str, ...] = DEFAULT_EXCHANGES,
        limit: int = 48,
    ) -> list[LiquidationBucket]:
        """Liquidated USD per ``interval`` (long vs short) over ``exchanges``; ProviderDisabled without a key."""
        if not self.enabled:
            raise ProviderDisabled("coinglass is used only when COINGLASS_API_KEY is set")
        with self.recording():
            payload = self.get_json(
                "/api/futures/liquidation/aggregated-history",
                {"exchange_list": ",".join(exchanges), "symbol": coin.upper(), "interval": interval, "limit": limit},
            )
            return parse_liquidation_history(payload)
