"""How traders read symbols and prices, for pages, messages and emails alike (no Django)."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

MINUS = "\u2212"
MISSING = "\u2013"  # en dash: no value


def symbol_label(symbol: str) -> str:
    """``BTC/USDT:USDT`` → ``BTC/USDT perp``; a spot ``BTC/USDT`` stays as it is.

    ccxt writes a perpetual swap as ``BASE/QUOTE:SETTLE``; traders write ``BASE/QUOTE`` and mark the perp.
    """
    text = str(symbol)
    pair, _, settle = text.partition(":")
    return f"{pair} perp" if settle else pair


def number_or_none(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if math.isfinite(number) else None


def price_decimals(number: float) -> int:
    """Decimals shown for a price: 2 from 1,000, 4 from 1, then 6 significant digits."""
    magnitude = abs(number)
    if magnitude >= 1000:
        return 2
    if magnitude >= 1:
        return 4
    if magnitude == 0:
        return 2
    return min(10, max(4, 5 - math.floor(math.log10(magnitude))))


def format_price(value) -> str:
    """``101303.1`` → ``101,303.10``; ``0.00001234`` → ``0.00001234``; missing → an en dash."""
    number = number_or_none(value)
    if number is None:
        return MISSING
    text = f"{abs(number):,.{price_decimals(number)}f}"
    return (MINUS + text) if number < 0 else text


def format_level(value) -> str:
    """A level someone chose, grouped like ``format_price`` but never rounded: ``200000`` → ``200,000.00``,
    ``0.12345678`` → ``0.12345678`` (``format_price`` would show ``0.123457``)."""
    number = number_or_none(value)
    if number is None:
        return MISSING
    shown = format_price(value)
    exact = Decimal(str(value))
    if Decimal(shown.replace(",", "").replace(MINUS, "-")) == exact:
        return shown
    text = f"{abs(exact).normalize():,f}"
    return (MINUS + text) if exact < 0 else text
