"""Shared field shapes: money is Decimal in storage; the engines' floats are converted at the edge."""

from __future__ import annotations

import math
from decimal import Decimal

# Prices carry 12 decimals (SHIB/PEPE trade near 1e-5) and 12 integer digits, like market.Candle.
PRICE = {"max_digits": 24, "decimal_places": 12}
# Quote-currency amounts (PnL, fees, equity) and base-currency sizes.
AMOUNT = {"max_digits": 28, "decimal_places": 8}
SIZE = {"max_digits": 32, "decimal_places": 12}
PERCENT = {"max_digits": 10, "decimal_places": 4}


def to_decimal(value: float | None, places: int) -> Decimal | None:
    """A float from an engine as a Decimal with ``places`` decimals (None for None, NaN or infinity)."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places))
