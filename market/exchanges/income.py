"""The account's income on BingX perpetual swaps: funding fees settled on its positions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from market.exchanges import bingx, calls
from market.exchanges.credentials import ApiCredentials
from market.exchanges.types import FundingPayment

INCOME_LIMIT = 1000  # BingX's maximum rows per answer (default 100)


def funding_payments(creds: ApiCredentials, symbol: str, since: datetime | None = None) -> list[FundingPayment]:
    """Funding fees settled on ``symbol`` from ``since`` (inclusive) on, oldest first, at most INCOME_LIMIT;
    ``amount`` received (negative: paid). A malformed answer raises ExchangeUnavailable, never "none"."""

    def fetch(c: Any) -> list[FundingPayment]:
        market = c.market(symbol)
        request: dict[str, Any] = {"symbol": market["id"], "incomeType": "FUNDING_FEE", "limit": INCOME_LIMIT}
        if since is not None:
            request["startTime"] = int(since.timestamp() * 1000)
        return bingx.funding_payments_from(c.swapV2PrivateGetUserIncome(request), market["id"], symbol)

    return calls.private(creds, "funding_payments", fetch)
