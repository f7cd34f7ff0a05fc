"""Number formatting for the Markets page (markets.js formats live updates the same way)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.dateparse import parse_datetime

from market.formatting import MINUS, MISSING, format_price, price_decimals, symbol_label  # noqa: F401
from market.formatting import number_or_none as _number

register = template.Library()


@register.filter
def price(value) -> str:
    """``101303.1`` → ``101,303.10``; ``0.00001234`` → ``0.00001234``; missing → an en dash."""
    return format_price(value)


@register.filter
def symbol(value: str) -> str:
    """``BTC/USDT:USDT`` → ``BTC/USDT perp`` (as traders write it)."""
    return symbol_label(value)


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


@register.filter
def pct_class(value) -> str:
    """``37.4`` → ``pct-37`` (clamped to 0-100): a percent as a class of static/css/pct.css, because the
    Content-Security-Policy allows no ``style="..."`` attribute. Missing → ``pct-0``."""
    number = _number(value)
    return f"pct-{0 if number is None else max(0, min(100, round(number)))}"
