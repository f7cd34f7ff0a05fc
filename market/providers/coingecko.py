"""CoinGecko: the top coins by market capitalisation (``GET /api/v3/coins/markets``).

The top 500 are two pages of 250 (``per_page`` is at most 250), ordered ``market_cap_desc``, in USD.
Without a key the public API is used; with ``COINGECKO_API_KEY`` (a free "demo" key) it is sent in the
``x-cg-demo-api-key`` header, never in the URL. Answers are a JSON array of coins::

    [{"id": "bitcoin", "symbol": "btc", "name": "Bitcoin", "image": "https://...",
      "current_price": 70187, "market_cap": 1381651251183, "market_cap_rank": 1,
      "fully_diluted_valuation": 1474623675796, "total_volume": 20154184933, "high_24h": 70215,
      "low_24h": 68060, "price_change_24h": 2126.88, "price_change_percentage_24h": 3.12502,
      "market_cap_change_24h": 44287678051, "market_cap_change_percentage_24h": 3.31157,
      "circulating_supply": 19675987, "total_supply": 21000000, "max_supply": 21000000,
      "ath": 73738, "ath_change_percentage": -4.77063, "ath_date": "2024-03-14T07:10:36.635Z",
      "atl": 67.81, "atl_change_percentage": 103455.83335, "atl_date": "2013-07-06T00:00:00.000Z",
      "roi": null, "last_updated": "2024-04-07T16:49:31.736Z",
      "price_change_percentage_7d_in_currency": -1.2}, ...]

(``price_change_percentage_7d_in_currency`` is there because we ask for ``price_change_percentage=7d``.)
Errors come as ``{"status": {"error_code": 429, "error_message": "..."}}`` with the HTTP status.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings

from market.providers.base import Provider, ProviderMalformed, ProviderRefused

PUBLIC_URL = "https://api.coingecko.com/api/v3"
PAGE_SIZE = 250
TOP = 500


@dataclass(frozen=True, slots=True)
class CoinMarket:
    id: str
    symbol: str  # upper case
    name: str
    image: str | None
    price: float | None
    market_cap: float | None
    rank: int | None
    volume_24h: float | None
    high_24h: float | None
    low_24h: float | None
    change_24h_pct: float | None
    change_7d_pct: float | None
    circulating_supply: float | None
    last_updated: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def parse_markets(payload: Any) -> list[CoinMarket]:
    """Coins from one ``/coins/markets`` answer, in the answer's order."""
    if isinstance(payload, dict) and "status" in payload:
        status = payload["status"] or {}
        raise ProviderRefused(f"coingecko: {status.get('error_message') or status}")
    if not isinstance(payload, list):
        raise ProviderMalformed("coingecko: /coins/markets did not answer with a list")
    coins = []
    for row in payload:
        rank = row.get("market_cap_rank")
        coins.append(
            CoinMarket(
                id=str(row["id"]),
                symbol=str(row["symbol"]).upper(),
                name=str(row["name"]),
                image=row.get("image"),
                price=_number(row.get("current_price")),
                market_cap=_number(row.get("market_cap")),
                rank=int(rank) if rank is not None else None,
                volume_24h=_number(row.get("total_volume")),
                high_24h=_number(row.get("high_24h")),
                low_24h=_number(row.get("low_24h")),
                change_24h_pct=_number(row.get("price_change_percentage_24h")),
                change_7d_pct=_number(row.get("price_change_percentage_7d_in_currency")),
                circulating_supply=_number(row.get("circulating_supply")),
                last_updated=row.get("last_updated"),
            )
        )
    return coins


class CoinGecko(Provider):
    name = "coingecko"
    default_base_url = PUBLIC_URL

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, **kwargs: Any):
        base_url = base_url or settings.FLAXU_COINGECKO_URL or None
        super().__init__(base_url=base_url, **kwargs)
        self.api_key = settings.COINGECKO_API_KEY if api_key is None else api_key

    def secrets(self) -> tuple[str, ...]:
        return (self.api_key,) if self.api_key else ()

    def headers(self) -> dict[str, str]:
        headers = super().headers()
        if self.api_key:
            headers["x-cg-demo-api-key"] = self.api_key
        return headers

    def page(self, page: int, per_page: int = PAGE_SIZE) -> list[CoinMarket]:
        payload = self.get_json(
            "/coins/markets",
            {
                "vs_currency": "usd",
                "order": "market_cap_desc",
                "per_page": per_page,
                "page": page,
                "sparkline": "false",
                "price_change_percentage": "7d",
            },
        )
        return parse_markets(payload)

    def top(self, n: int = TOP) -> list[CoinMarket]:
        """The top ``n`` coins by market cap (``ceil(n / 250)`` requests), ranked; all pages or an error."""
        with self.recording():
            coins: list[CoinMarket] = []
            for page in range(1, math.ceil(n / PAGE_SIZE) + 1):
                batch = self.page(page)
                coins.extend(batch)
                if len(batch) < PAGE_SIZE:
                    break
            if not coins:
                raise ProviderMalformed("coingecko: /coins/markets answered an empty list")
        return coins[:n]
