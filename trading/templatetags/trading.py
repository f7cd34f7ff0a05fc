"""Template helpers of the trading pages: prices, setup names, the dashboard's signals, trading and portfolio cards."""

from __future__ import annotations

from django import template
from django.urls import reverse

from market.formatting import format_price
from trading import selectors
from trading.models import Trade
from trading.orders.selectors import trades_overview
from trading.services.explain import setup_label
from trading.services.profile import profile_for
from trading.services.risk import ACTIVE, automation_refusal

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


def _trading_summary(user) -> dict:
    profile = profile_for(user)
    active = Trade.objects.filter(user=user, status__in=ACTIVE)
    return {
        "profile": profile,
        "open_here": active.filter(mode=profile.mode).count(),
        "open_elsewhere": active.exclude(mode=profile.mode).count(),
        "closed": Trade.objects.filter(user=user, mode=profile.mode, status=Trade.Status.CLOSED).count(),
        "automation_refusal": automation_refusal(user, profile),
    }


@register.inclusion_tag("trading/orders/_dashboard_trading.html", takes_context=True)
def trading_card(context):
    """The dashboard's Trading card: the mode, automation, open trades, links (FULL users only)."""
    return _trading_summary(context["request"].user)


@register.inclusion_tag("trading/orders/_dashboard_portfolio.html", takes_context=True)
def portfolio_card(context):
    """The dashboard's Portfolio card: open and closed trades in the current mode, links (FULL users only)."""
    return _trading_summary(context["request"].user)


@register.inclusion_tag("trading/orders/_trades.html", takes_context=True)
def trading_trades(context):
    """The trading page's trades (active, and ended in the last day), refreshed live on each "trade" push."""
    return {
        **trades_overview(user=context["request"].user),
        "trades_url": reverse("trading_trades_live"),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
