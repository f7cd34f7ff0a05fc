"""Number formatting for the Markets page (markets.js formats live updates the same way)."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.dateparse import parse_datetime

register = template.Library()

MINUS = "\u2212"
MISSING = "\u2013"  # en dash: no value


def _number(value) -> float | None:
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


@register.filter
def price(value) -> str:
    """``101303.1`` → ``101,303.10``; ``0.00001234`` → ``0.00001234``; missing → an en dash."""
    number = _number(value)
    if number is None:
        return MISSING
    text = f"{abs(number):,.{price_decimals(number)}f}"
    return (MINUS + text) if number < 0 else text


@register.filter
def pct(value, decimals: int = 2) -> str:
    """Signed percent with an arrow, so the direction never depends on colour: ``▲ +1.23 %``."""
    number = _number(value)
    if number is None:
        return MISSING
    text = f"{abs(number):,.{int(decimals)}f} %"
    if round(number, int(decimals)) > 0:
        return f"▲ +{text}"
    if round(number, int(decimals)) < 0:
        return f"▼ {MINUS}{text}"
    return text


@register.filter
def plain_pct(value, decimals: int = 2) -> str:
    """Percent with a sign but no arrow (rates, spreads): ``+0.0100 %``."""
    number = _number(value)
    if number is None:
        return MISSING
    rounded = round(number, int(decimals))
    sign = "+" if rounded > 0 else (MINUS if rounded < 0 else "")
    return f"{sign}{abs(number):,.{int(decimals)}f} %"


@register.filter
def direction(value, decimals: int | None = None) -> str:
    """CSS class for a change: ``up``, ``down`` or ``flat`` (always paired with a sign or arrow in the text).

    With ``decimals``, a value that rounds to zero at that precision is ``flat`` (as its text shows no sign).
    """
    number = _number(value)
    if number is not None and decimals is not None:
        number = round(number, int(decimals))
    if number is None or number == 0:
        return "flat"
    return "up" if number > 0 else "down"


@register.filter
def usd(value) -> str:
    """Compact dollars: ``$1.91T``, ``$230.3B``, ``$12.4M``, ``$5.2K``, ``$12.34``."""
    number = _number(value)
    if number is None:
        return MISSING
    sign = MINUS if number < 0 else ""
    magnitude = abs(number)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= limit:
            return f"{sign}${magnitude / limit:,.2f}{suffix}"
    return f"{sign}${magnitude:,.2f}"


@register.filter
def amount(value, decimals: int = 4) -> str:
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number:,.{int(decimals)}f}"


@register.filter
def when(value) -> datetime | None:
    """An ISO string (as the widgets carry times) as a datetime, for the ``date`` filter."""
    if value is None or isinstance(value, datetime):
        return value
    return parse_datetime(str(value).replace("Z", "+00:00"))


@register.filter
def base(symbol: str) -> str:
    """``BTC/USDT:USDT`` → ``BTC``."""
    return str(symbol).split("/")[0]


@register.filter
def exchange_name(exchange: str) -> str:
    return EXCHANGE_NAMES.get(exchange, exchange)


EXCHANGE_NAMES = {"bingx": "BingX", "binanceusdm": "Binance", "okx": "OKX", "bybit": "Bybit"}


@register.filter
def get(mapping, key):
    """``mapping|get:key`` (dict lookups with a variable key)."""
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def percentage(value, decimals: int = 0) -> str:
    """A share in [0, 1] as percent: ``0.4501`` → ``45 %``."""
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number * 100:.{int(decimals)}f} %"
