"""Trading pages (FULL access; others see the locked page): the trading home, the settings, the kill switch."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError, Refused, add_to_form
from gatekeeper.permissions import full_access_required
from trading.controls.forms import LiveModeForm, PaperResetForm, TradingSettingsForm
from trading.models import Mode, Trade
from trading.services.profile import (
    active_trades_elsewhere,
    live_mode_enable,
    live_mode_refusals,
    profile_for,
    profile_update,
)
from trading.services.risk import ACTIVE, automation_refusal, global_pause_refusal, kill_switch


def _active_trades(user):
    return Trade.objects.filter(user=user, status__in=ACTIVE).order_by("-created_at", "-id")


@full_access_required
def trading_home(request: HttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    context = {
        "profile": profile,
        "automation_refusal": automation_refusal(request.user, profile),
        "global_pause": global_pause_refusal(),
    }
    return render(request, "trading/controls/home.html", context)


def _settings_page(request, form, live_form, status=200, reset_form=None) -> HttpResponse:
    from trading.services.paper_wallet import paper_reset_size

    profile = profile_for(request.user)
    context = {
        "profile": profile,
        "form": form,
        "live_form": live_form,
        "reset_form": reset_form or PaperResetForm(initial={"initial_balance": paper_reset_size(request.user)}),
        "live_refusals": live_mode_refusals(request.user) if profile.mode == Mode.PAPER else [],
        "elsewhere": active_trades_elsewhere(request.user, profile.mode),
        "automation_refusal": automation_refusal(request.user, profile),
    }
    return render(request, "trading/controls/settings.html", context, status=status)


@full_access_required
@require_http_methods(["GET", "POST"])
def trading_settings(request: HttpRequest) -> HttpResponse:
    profile = profile_for(request.user)
    form = TradingSettingsForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(request.user, form.changes(), request)
        except Refused as exc:
            add_to_form(form, exc)
        else:
            messages.success(request, "Your trading settings are saved.")
            return redirect("trading_settings")
    return _settings_page(request, form, LiveModeForm(), status=400 if form.errors else 200)


@full_access_required
@require_POST
def trading_mode(request: HttpRequest) -> HttpResponse:
    """Switch to live (with the acknowledgement) or back to paper."""
    if request.POST.get("mode") == Mode.PAPER:
        profile_update(request.user, {"mode": Mode.PAPER}, request)
        messages.success(request, "You are in paper mode: new trades use the paper wallet.")
        return redirect("trading_settings")
    live_form = LiveModeForm(request.POST)
    live_form.is_valid()
    try:
        live_mode_enable(request.user, live_form.cleaned_data.get("acknowledge_live_risk", False), request)
    except Refused as exc:
        add_to_form(live_form, exc)
        return _settings_page(request, TradingSettingsForm(instance=profile_for(request.user)), live_form, 400)
    messages.success(request, "Live mode is on: new trades place real orders on your BingX account.")
    return redirect("trading_settings")


@full_access_required
@require_POST
def paper_reset(request: HttpRequest) -> HttpResponse:
    """Start the paper wallet again at the size chosen (empty: the current size), open paper trades closed."""
    from trading.services.paper_wallet import paper_wallet_reset  # the paper helper's

    reset_form = PaperResetForm(request.POST)
    if not reset_form.is_valid():
        return _reset_refused(request, reset_form)
    try:
        wallet = paper_wallet_reset(
            request.user, initial_balance=reset_form.cleaned_data["initial_balance"], request=request
        )
    except Refused as exc:
        add_to_form(reset_form, exc)
        return _reset_refused(request, reset_form)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Your paper wallet starts again at {wallet.balance:,.2f} USDT.")
    return redirect("trading_settings")


def _reset_refused(request, reset_form) -> HttpResponse:
    settings_form = TradingSettingsForm(instance=profile_for(request.user))
    return _settings_page(request, settings_form, LiveModeForm(), 400, reset_form=reset_form)


@full_access_required
@require_http_methods(["GET", "POST"])
def trading_kill_switch(request: HttpRequest) -> HttpResponse:
    """GET: the confirmation step (what will happen); POST: do it."""
    if request.method == "POST":
        try:
            result = kill_switch(request.user, request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Kill switch: automation is off and {result.closed} open trade(s) were closed.")
        return redirect("trading_home")
    trades = _active_trades(request.user)
    return render(request, "trading/controls/kill_switch.html", {"trades": trades, "count": trades.count()})


@full_access_required
@require_POST
def trading_trade_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close one of the user's trades now (another user's id is a 404)."""
    trade = get_object_or_404(Trade, pk=pk, user=request.user)
    from trading.services.execution import trade_close  # the exec helper's

    try:
        trade = trade_close(trade, Trade.CloseReason.MANUAL)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        name = f"{trade.get_side_display()} {trade.symbol}"
        if trade.status == Trade.Status.CLOSED:
            messages.success(request, f"{name} closed.")
        elif trade.is_active:
            messages.error(request, f"{name} is not closed yet; it is being checked with the exchange.")
        else:
            messages.info(request, f"{name} was never opened ({trade.get_status_display().lower()}).")
    return redirect("trading_home")
