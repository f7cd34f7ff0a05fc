"""Template helpers of the trading pages: prices, setup names, and the dashboard's signals card."""

from __future__ import annotations

from django import template

from market.formatting import format_price
from trading import selectors
from trading.services.explain import setup_label

register = template.Library()

CARD_SIGNALS = 5


@register.filter
def price(value) -> str:
    """A price as traders read it, like every other page (market.formatting): 97,000.50 / 0.0185432."""
    return format_price(value)


EXCHANGE_NAMES = {"bingx": "BingX", "binanceusdm": "Binance", "okx": "OKX", "bybit": "Bybit"}


@register.filter
def exchange_name(exchange: str) -> str:
    return EXCHANGE_NAMES.get(exchange, exchange.capitalize())


@register.filter
def setup_name(setup: str) -> str:
    return setup_label(setup)


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.5834 -> "58.3 %"; None -> "—"."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f} %"


@register.filter
def signed(value, digits: int = 2) -> str:
    if value is None:
        return "—"
    return f"{float(value):+,.{int(digits)}f}"


@register.filter
def ordinal(value) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd" (a place in the backtest queue)."""
    number = int(value or 0)
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@register.inclusion_tag("trading/_signals_card.html")
def signals_card():
    """The dashboard's Signals card: the latest signals and links to the pages (FULL users only)."""
    return {"signals": list(selectors.signals_filtered()[:CARD_SIGNALS])}
