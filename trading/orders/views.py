"""Trading by hand on the pages (FULL access): the manual order form with its preview, and one-click "Trade this"
on sniper alerts and signals. Every order goes through the same service as the API (``placing``)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError, add_to_form
from gatekeeper.permissions import full_access_required
from trading.models import Signal, Trade
from trading.orders import placing
from trading.orders.forms import ManualOrderForm, new_idempotency_key
from trading.orders.selectors import trades_overview
from trading.services.execution import SNIPER_FRESH, AlreadyTraded
from trading.services.profile import profile_for


def _placed_message(request, trade: Trade) -> None:
    name = f"{trade.get_side_display()} {trade.symbol.removesuffix(':USDT')}"
    if trade.status == Trade.Status.OPEN:
        messages.success(
            request,
            f"{name} is open ({trade.get_mode_display().lower()}): {trade.size.normalize():f} at "
            f"{trade.entry_price.normalize():f}, {trade.leverage}x leverage; the stop risks "
            f"{trade.risk_amount:,.2f} USDT.",
        )
    elif trade.status == Trade.Status.FAILED:
        messages.error(request, f"{name} was not opened: {trade.failure_reason}")
    else:
        messages.info(request, f"{name} was sent; the exchange has not confirmed it yet. It is checked shortly.")


def _already(request, exc: AlreadyTraded) -> None:
    messages.info(request, f"{exc.message[:1].upper()}{exc.message[1:]}")


@full_access_required
@require_http_methods(["GET", "POST"])
def order_page(request: HttpRequest) -> HttpResponse:
    """GET: the form (a fresh idempotency key); POST ``preview``: the size and risk it would place; POST
    ``place``: place it (the same page submitted twice places once: the key is the order's identity)."""
    profile = profile_for(request.user)
    form = ManualOrderForm(
        request.POST or None, initial={"risk_pct": profile.risk_pct, "idempotency_key": new_idempotency_key()}
    )
    preview, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "place":
                trade = placing.order_place(request.user, form.cleaned_data)
                _placed_message(request, trade)
                return redirect("trading_home")
            preview = placing.order_preview_of(request.user, form.cleaned_data)
        except AlreadyTraded as exc:
            _already(request, exc)
            return redirect("trading_home")
        except ApplicationError as exc:
            add_to_form(form, exc)
            status = exc.status_code
    if form.errors and status == 200:
        status = 400
    context = {"form": form, "profile": profile, "preview": preview}
    return render(request, "trading/orders/order.html", context, status=status)


def _one_click(request: HttpRequest, data: dict, back: str) -> HttpResponse:
    try:
        trade = placing.order_place(request.user, data)
    except AlreadyTraded as exc:
        _already(request, exc)
        return redirect("trading_home")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    _placed_message(request, trade)
    return redirect("trading_home")


@full_access_required
@require_POST
def alert_trade(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on a sniper alert: your sniper risk and leverage."""
    return _one_click(request, {"sniper_alert": pk}, "sniper_panel")


@full_access_required
@require_POST
def signal_trade(request: HttpRequest, pk: int) -> HttpResponse:
    """One click on an executable, fresh signal: your risk setting, automation on or off."""
    back = reverse("signal_detail", args=[pk]) if Signal.objects.filter(pk=pk).exists() else reverse("signal_list")
    return _one_click(request, {"signal": pk}, back)


# --- What the signal and sniper pages show -------------------------------------------------------
def alerts_with_buttons(user, alerts) -> list:
    """The sniper panel's alerts, each with ``one_click``: ``{"trade": None}`` for "Trade this" (still fresh),
    ``{"trade": id}`` once the user traded it, None for a stale untraded alert (no button)."""
    alerts = list(alerts)
    traded = dict(
        Trade.objects.filter(user=user, sniper_alert_id__in=[a.pk for a in alerts]).values_list("sniper_alert_id", "pk")
    )
    oldest = timezone.now() - SNIPER_FRESH - timedelta(minutes=1)  # the alert's time is its candle's open
    for alert in alerts:
        fresh = alert.time >= oldest
        alert.one_click = {"trade": traded[alert.pk]} if alert.pk in traded else ({"trade": None} if fresh else None)
    return alerts


def signal_button(user, signal: Signal) -> dict | None:
    """``{"trade": id or None}`` when the signal page offers "Trade this" (executable, fresh, live) or shows
    the user's trade of it; None otherwise."""
    trade = Trade.objects.filter(user=user, signal=signal).values_list("pk", flat=True).first()
    if trade is not None:
        return {"trade": trade}
    if signal.historical or not signal.auto_executable or not signal.is_fresh_for_execution(timezone.now()):
        return None
    return {"trade": None}


# --- The trading page's live trades ----------------------------------------------------------------
@full_access_required
def trades_live(request: HttpRequest) -> HttpResponse:
    """The trading page's trades fragment (htmx swaps it in on each "trade" push)."""
    context = {**trades_overview(user=request.user), "trades_url": reverse("trading_trades_live")}
    return render(request, "trading/orders/_trades.html", context)
