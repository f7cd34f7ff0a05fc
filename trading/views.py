"""Trading pages (FULL access; others see the locked page): signals, a signal's chart, sniper alerts, backtests."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.errors import add_to_form
from gatekeeper.permissions import full_access_required
from trading import conf, selectors, signal_figures
from trading.api import trades_csv_response
from trading.forms import BacktestForm, SignalFilterForm
from trading.models import Backtest, Signal
from trading.models.signals import Outcome
from trading.orders.views import alerts_with_buttons, signal_button
from trading.services.backtests import PARAMETER, BacktestInvalid, backtest_create
from trading.services.explain import setup_label

LIST_LENGTH = 100
SIGNALS_PER_PAGE = 50
TRADES_SHOWN = 500


def _signal_list_context(request: HttpRequest) -> dict:
    """The list's page of signals and its figures; the page and its live fragment share it."""
    query = request.GET.copy()
    query.pop("page", None)  # the page is not a filter (an unfiltered list has no other parameter)
    form = SignalFilterForm(query or None, symbols=selectors.signal_symbols())
    filters = form.filters()
    page = Paginator(selectors.signals_filtered(**filters), SIGNALS_PER_PAGE).get_page(request.GET.get("page"))
    encoded = request.GET.urlencode()
    return {
        "form": form,
        "filters": filters,
        "page": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
        "signals": signal_figures.annotate(page.object_list),
        "min_confidence": conf.signal_min_confidence(),
        "rows_url": reverse("signal_rows") + (f"?{encoded}" if encoded else ""),
    }


@full_access_required
def signal_list(request: HttpRequest) -> HttpResponse:
    return render(request, "trading/signals.html", _signal_list_context(request))


@full_access_required
def signal_rows(request: HttpRequest) -> HttpResponse:
    """The list's results (count, table, pager) alone: htmx swaps it in when a signal is pushed."""
    return render(request, "trading/_signal_results.html", _signal_list_context(request))


def _signal_data(signal: Signal) -> dict:
    """What the chart script draws: candles, the signal's levels, the events behind it and its outcome."""
    data = selectors.signal_chart(signal)
    resolved = signal.outcome_at if signal.outcome != Outcome.OPEN else None
    return {
        **data,
        "direction": signal.direction,
        "entry": float(signal.entry),
        "stop_loss": float(signal.stop_loss),
        "take_profit_1": float(signal.take_profit_1),
        "take_profit_2": float(signal.take_profit_2),
        "events": signal.events,
        "outcome": signal.outcome,
        # The candle that resolved it (outcome_at is its close), for the marker.
        "outcome_time": int(resolved.timestamp()) - data["step"] if resolved else None,
        "outcome_label": signal.get_outcome_display()
        + (f" {signal.outcome_r:+.2f}R" if signal.outcome_r is not None else ""),
    }


@full_access_required
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signal = signal_figures.annotate([get_object_or_404(Signal, pk=pk)])[0]
    context = {
        "signal": signal,
        "setup": setup_label(signal.setup),
        "calibration": selectors.signal_calibration(signal),
        "chart": _signal_data(signal),
        "min_confidence": conf.signal_min_confidence(),
        "one_click": signal_button(request.user, signal),  # "Trade this" when executable and fresh
    }
    return render(request, "trading/signal_detail.html", context)


@full_access_required
def sniper_panel(request: HttpRequest) -> HttpResponse:
    sniper = conf.sniper_config()
    alerts = alerts_with_buttons(request.user, selectors.sniper_alerts()[:LIST_LENGTH])  # "Trade this" per alert
    context = {"alerts": alerts, "sniper": sniper}
    return render(request, "trading/sniper.html", context)


@full_access_required
def backtest_list(request: HttpRequest) -> HttpResponse:
    form = BacktestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            backtest = backtest_create(
                user=request.user,
                symbol=data["symbol"],
                timeframe=data["timeframe"],
                start=data["start"],
                end=data["end"],
                parameters=form.parameters(),
            )
        except BacktestInvalid as exc:
            add_to_form(form, exc)
        else:
            return redirect("backtest_detail", pk=backtest.pk)
    context = {
        "form": form,
        "backtests": selectors.backtests_of(request.user)[:50],
        "max_candles": f"{conf.backtest_max_candles():,}",
    }
    return render(request, "trading/backtests.html", context, status=400 if form.errors else 200)


@full_access_required
def backtest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    backtest = get_object_or_404(Backtest, pk=pk, user=request.user)
    trades = list(backtest.trades.order_by("number")[:TRADES_SHOWN]) if backtest.status == Backtest.Status.DONE else []
    parameters = [(PARAMETER[name].label, value) for name, value in backtest.parameters.items() if name in PARAMETER]
    context = {
        "backtest": backtest,
        "queue_position": selectors.backtest_queue_position(backtest),
        "stats": backtest.stats,
        "trades": trades,
        "trades_total": backtest.trades.count() if trades else 0,
        "trades_shown": TRADES_SHOWN,
        "parameters": parameters,
        "calibration": sorted(backtest.calibration, key=lambda r: (r["setup"], r["low"])),
    }
    return render(request, "trading/backtest_detail.html", context)


@full_access_required
def backtest_trades_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return trades_csv_response(get_object_or_404(Backtest, pk=pk, user=request.user))
