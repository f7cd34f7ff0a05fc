"""Markets pages: the market-intelligence panel (everyone: anonymous visitors read-only) and price alerts.

The panel renders every widget on the server, and only there: each widget's section refreshes itself with
htmx from its fragment ``/markets/widgets/<name>/`` when live.js dispatches the DOM event for the widget's
push (``flaxu:<type>``), or the poll event ``flaxu:poll`` (about once a minute while the websocket is down).
markets.js keeps the rest live: ticker pushes move prices and the chart. Anonymous visitors have no
websocket (it serves signed-in users only): their page polls the public market API from the start, and has
no alerts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.realtime.push import group_name
from market.formatting import symbol_label
from market.forms import PriceAlertForm
from market.fragments import render_fragment
from market.selectors import prices, snapshots
from market.selectors.alerts import price_alerts_for_user
from market.services import intel
from market.services.alerts import MAX_ACTIVE_ALERTS, alert_exchange, price_alert_create, price_alert_delete
from market.templatetags.market_format import price
from market.timeframes import TIMEFRAME_SECONDS, TIMEFRAMES

DEFAULT_TIMEFRAME = "15m"
POLL_SECONDS = 10  # while the websocket is down
TICKERS_GROUP = "market.tickers"
# intel widget push types (= keys of intel.GROUPS) → the widget (fragment) whose section listens for the
# DOM event "flaxu:<type>" that live.js dispatches for the push (hx-trigger in the widget's template).
WIDGET_EVENTS = {
    "fear_greed": "fear-greed",
    "altcoin_season": "altcoin-season",
    "top_coins": "top-coins",
    "funding": "funding",
    "long_short": "long-short",
    "open_interest": "open-interest",
    "arbitrage": "arbitrage",
}
TOP_PER_PAGE = 50
HEATMAP_CLUSTERS = 5
HEATMAP_REPORTED_HOURS = 6


def _symbol(request: HttpRequest, universe: list[str]) -> str:
    wanted = request.GET.get("symbol", "")
    return wanted if wanted in universe else (universe[0] if universe else "BTC/USDT:USDT")


def _timeframe(request: HttpRequest) -> str:
    wanted = request.GET.get("timeframe", "")
    return wanted if wanted in TIMEFRAMES else DEFAULT_TIMEFRAME


# --- widget contexts: each returns the template's context for one widget ----------------------------


def _fear_greed(request: HttpRequest) -> dict[str, Any]:
    data = intel.fear_greed()
    value = data.get("value")
    history = data.get("history") or []
    return {
        "fg": data,
        # The needle: 0 points left (-90°), 100 right (+90°).
        "fg_angle": None if value is None else round(-90 + 1.8 * value, 1),
        "fg_mood": _mood(value),
        "fg_history": [{**point, "height": max(2, point["value"])} for point in history],
        "fg_week_ago": history[-8] if len(history) >= 8 else None,
        "fg_month_ago": history[0] if history else None,
    }


def _mood(value: int | None) -> str:
    if value is None:
        return "neutral"
    if value <= 45:
        return "fear"
    if value >= 55:
        return "greed"
    return "neutral"


def _altcoin_season(request: HttpRequest) -> dict[str, Any]:
    data = intel.altcoin_season()
    window = (data.get("windows") or {}).get("90") or {}
    return {"alt": data, "alt_window": window, "alt_missing": len(window.get("missing") or [])}


def _top_coins_query(request: HttpRequest) -> dict[str, Any]:
    sort = request.GET.get("sort", "rank")
    if sort.lstrip("-") not in intel.TOP_SORTS:
        sort = "rank"
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    return {"page": page, "per_page": TOP_PER_PAGE, "sort": sort, "query": request.GET.get("q", "")[:40]}


TOP_COLUMNS = [
    ("rank", "#", "num"),
    ("name", "Coin", ""),
    ("price", "Price", "num"),
    ("change_24h_pct", "24 h", "num"),
    ("change_7d_pct", "7 d", "num"),
    ("market_cap", "Market cap", "num"),
    ("volume_24h", "Volume 24 h", "num"),
]


def _top_query(page: int, sort: str, q: str) -> str:
    """The query string of one choice of page, sort and search (for the page's links and the fragment's)."""
    return urlencode({"page": page, "sort": sort, **({"q": q} if q else {})})


def _top_coins(request: HttpRequest) -> dict[str, Any]:
    query = _top_coins_query(request)
    data = intel.top_coins(**query)
    field, descending = query["sort"].lstrip("-"), query["sort"].startswith("-")
    page, pages, q = data.get("page") or 1, data.get("pages") or 1, data.get("query") or ""
    columns = []
    for key, label, css in TOP_COLUMNS:
        current = key == field
        # Clicking the sorted column flips it; another column sorts ascending (rank/name) or descending (figures).
        if current:
            next_sort = key if descending else f"-{key}"
        else:
            next_sort = key if key in ("rank", "name", "symbol") else f"-{key}"
        aria = ("descending" if descending else "ascending") if current else None
        columns.append({"label": label, "css": css, "query": _top_query(1, next_sort, q), "aria_sort": aria})
    return {
        "top": data,
        "top_columns": columns,
        "top_state": _top_query(page, query["sort"], q),  # what a push or poll refreshes
        "top_prev": _top_query(page - 1, query["sort"], q) if page > 1 else None,
        "top_next": _top_query(page + 1, query["sort"], q) if page < pages else None,
    }


def _funding(request: HttpRequest) -> dict[str, Any]:
    return {"funding": intel.funding_table()}


def _long_short(request: HttpRequest) -> dict[str, Any]:
    return {"long_short": intel.long_short_table()}


def _open_interest(request: HttpRequest) -> dict[str, Any]:
    return {"open_interest": intel.open_interest_table()}


def _arbitrage(request: HttpRequest) -> dict[str, Any]:
    return {"arbitrage": intel.arbitrage_table()}


def _heatmap(request: HttpRequest) -> dict[str, Any]:
    universe = snapshots.universe()
    symbol = _symbol(request, universe)
    data = intel.liquidation_heatmap(symbol)
    price = data.get("price") or 0
    bins = data.get("bins") or []
    longs = sorted((b for b in bins if b[1] > 0 and b[0] < price), key=lambda b: -b[1])[:HEATMAP_CLUSTERS]
    shorts = sorted((b for b in bins if b[2] > 0 and b[0] >= price), key=lambda b: -b[2])[:HEATMAP_CLUSTERS]
    drawing = {
        "price": data.get("price"),
        "bin_width": data.get("bin_width"),
        "columns": [[c["time"], c["bins"]] for c in data.get("columns") or []],
        "bins": bins,
        "events": data.get("events") or [],
    }
    aggregated = (data.get("aggregated") or {}).get("buckets") or []
    return {
        "heatmap": data,
        "heatmap_reported": aggregated[-HEATMAP_REPORTED_HOURS:][::-1],
        "heatmap_symbol": symbol,
        "heatmap_drawing": drawing,
        "heatmap_longs": [{"price": b[0], "top": b[0] + (data.get("bin_width") or 0), "value": b[1]} for b in longs],
        "heatmap_shorts": [{"price": b[0], "top": b[0] + (data.get("bin_width") or 0), "value": b[2]} for b in shorts],
        "heatmap_group": group_name(intel.GROUPS["liquidations"], symbol),
    }


WIDGETS: dict[str, tuple[Callable[[HttpRequest], dict[str, Any]], str]] = {
    "fear-greed": (_fear_greed, "market/widgets/fear_greed.html"),
    "altcoin-season": (_altcoin_season, "market/widgets/altcoin_season.html"),
    "top-coins": (_top_coins, "market/widgets/top_coins.html"),
    "funding": (_funding, "market/widgets/funding.html"),
    "long-short": (_long_short, "market/widgets/long_short.html"),
    "open-interest": (_open_interest, "market/widgets/open_interest.html"),
    "arbitrage": (_arbitrage, "market/widgets/arbitrage.html"),
    "heatmap": (_heatmap, "market/widgets/heatmap.html"),
}


# --- pages ------------------------------------------------------------------------------------------


def _coin_map(universe: list[str]) -> dict[str, list]:
    """ccxt symbol → [coin, contract multiplier], so ticker pushes can update the top-500 rows."""
    return {symbol: list(intel.base_coin(symbol)) for symbol in universe}


@never_cache
@require_GET
def markets(request: HttpRequest) -> HttpResponse:
    universe = snapshots.universe()
    symbol, timeframe = _symbol(request, universe), _timeframe(request)
    source = prices.source_summary()
    chart_exchange = prices.chart_exchange()
    context: dict[str, Any] = {
        "source": source,
        "universe": universe,
        "symbol": symbol,
        "timeframe": timeframe,
        "timeframes": TIMEFRAMES,
        "chart_exchange": chart_exchange,
        "tickers": prices.tickers_table(exchange=chart_exchange, symbol=symbol),
        "config": {
            "symbol": symbol,
            "timeframe": timeframe,
            "chartExchange": chart_exchange,
            "timeframeSeconds": {tf: TIMEFRAME_SECONDS[tf] for tf in TIMEFRAMES},
            "coinMap": _coin_map(universe),
            "slugs": {s: group_name(s) for s in universe},
            "tickersGroup": TICKERS_GROUP,
            # The widgets' push groups; each widget's section refreshes itself on its event (hx-trigger).
            "widgetGroups": [group_name(intel.GROUPS[event]) for event in WIDGET_EVENTS],
            "urls": {
                "tickers": reverse("api_market_tickers"),
                "candles": reverse("api_market_candles"),
                "markets": reverse("markets"),
                "alerts": reverse("market_alerts"),
            },
            "pollSeconds": POLL_SECONDS,
            # No websocket for anonymous visitors: the page polls quietly instead of reporting an outage.
            "live": request.user.is_authenticated,
        },
    }
    # Each widget's section, rendered from its data alone (market.fragments: one rendering per data version).
    context["widgets"] = {name.replace("-", "_"): widget_html(request, name) for name in WIDGETS}
    return render(request, "market/markets.html", context)


@never_cache
@require_GET
def widget(request: HttpRequest, name: str) -> HttpResponse:
    """One widget's fragment (the section element), for live refreshes."""
    if name not in WIDGETS:
        raise Http404("No such widget.")
    return HttpResponse(widget_html(request, name))


def widget_html(request: HttpRequest, name: str) -> SafeString:
    """The widget's section for this request's query (symbol, page, sort, search), public to every visitor."""
    build, template = WIDGETS[name]
    return render_fragment(template, build(request))


@login_required
@never_cache
def alerts(request: HttpRequest) -> HttpResponse:
    universe = snapshots.universe()
    initial = {"symbol": _symbol(request, universe)} if request.method == "GET" else None
    form = PriceAlertForm(request.POST or None, initial=initial, symbols=universe)
    if request.method == "POST" and form.is_valid():
        try:
            alert = price_alert_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        else:
            messages.success(request, f"Alert created: {symbol_label(alert.symbol)} {alert.describe()}.")
            return redirect("market_alerts")
    status = 400 if request.method == "POST" else 200
    exchange = alert_exchange()
    tickers = snapshots.tickers(exchange)
    context = {
        "form": form,
        "alerts": price_alerts_for_user(user=request.user),
        "exchange": exchange,
        "max_active": MAX_ACTIVE_ALERTS,
        # Last prices, so the form can show the current price of the chosen perpetual; none while they
        # are stale (a level alert is refused then, and an old price would mislead).
        "last_prices": {} if tickers.stale else {s: price(t.last) for s, t in tickers.data.items()},
    }
    return render(request, "market/alerts.html", context, status=status)


@login_required
@require_POST
def alert_delete(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(price_alerts_for_user(user=request.user), pk=pk)
    description = f"{symbol_label(alert.symbol)} {alert.describe()}"
    price_alert_delete(alert=alert)
    messages.success(request, f"Alert deleted: {description}.")
    return redirect("market_alerts")
