"""Portfolio pages (FULL access; others see the locked page): summary, history (+ CSV), performance.

Each page shows one mode (paper or live, ``?mode=``; default the user's trading mode) and links to the other."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from gatekeeper.permissions import full_access_required
from trading import selectors_portfolio as portfolio
from trading.models import Mode
from trading.portfolio.api import history_csv_response
from trading.portfolio.forms import HistoryFilterForm

TRADES_PER_PAGE = 50


def _mode_context(request: HttpRequest, name: str) -> dict:
    """The page's mode and the links of the paper/live switch (other filters dropped: they are per mode)."""
    mode = portfolio.portfolio_mode(request.user, request.GET.get("mode"))
    url = reverse(name)
    return {"mode": mode, "modes": [(value, label, f"{url}?mode={value}") for value, label in Mode.choices]}


def _portfolio_context(request: HttpRequest, *, with_balances: bool = False) -> dict:
    context = _mode_context(request, "portfolio")
    context["portfolio"] = portfolio.portfolio_summary(
        user=request.user, mode=context["mode"], with_balances=with_balances
    )
    context["positions_url"] = reverse("portfolio_positions") + f"?mode={context['mode']}"
    return context


@full_access_required
def portfolio_page(request: HttpRequest) -> HttpResponse:
    context = _portfolio_context(request, with_balances=True)
    context["transfers"] = portfolio.transfers(user=request.user, mode=context["mode"])
    return render(request, "trading/portfolio/portfolio.html", context)


@full_access_required
def portfolio_positions(request: HttpRequest) -> HttpResponse:
    """Summary cards, positions and orders alone: htmx swaps them in on a trade push (or the poll)."""
    return render(request, "trading/portfolio/_live.html", _portfolio_context(request))


def _history_form(request: HttpRequest, mode: str) -> HistoryFilterForm:
    query = request.GET.copy()
    query.pop("page", None)
    query["mode"] = mode
    return HistoryFilterForm(query, symbols=portfolio.trade_symbols(user=request.user, mode=mode))


@full_access_required
def history_page(request: HttpRequest) -> HttpResponse:
    context = _mode_context(request, "portfolio_history")
    form = _history_form(request, context["mode"])
    valid = form.is_valid()
    trades = portfolio.trades_history(user=request.user, mode=context["mode"], **(form.filters() if valid else {}))
    page = Paginator(trades, TRADES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query["mode"] = context["mode"]
    context.update(
        form=form,
        page=page,
        page_links=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        ellipsis=Paginator.ELLIPSIS,
        csv_url=reverse("portfolio_history_csv") + f"?{query.urlencode()}",
    )
    return render(request, "trading/portfolio/history.html", context, status=200 if valid else 400)


@full_access_required
def history_csv(request: HttpRequest) -> HttpResponse:
    mode = portfolio.portfolio_mode(request.user, request.GET.get("mode"))
    form = _history_form(request, mode)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    return history_csv_response(portfolio.trades_history(user=request.user, mode=mode, **form.filters()), mode)


@full_access_required
def performance_page(request: HttpRequest) -> HttpResponse:
    context = _mode_context(request, "portfolio_performance")
    report = portfolio.performance_of(user=request.user, mode=context["mode"])
    result = report.result
    context.update(
        report=report,
        overall=result.overall,
        by_strategy=sorted(result.by_strategy.items()),
        by_symbol=sorted(result.by_symbol.items()),
        expectation=result.expectation,
        equity_curve=[[t, round(v, 2)] for t, v in result.equity_curve],
    )
    return render(request, "trading/portfolio/performance.html", context)
