"""Journey of a FULL user: paper automation switched on in the settings, then a new auto-executable signal is
stored and fanned out as production does (signal_fan_out_on_commit -> fan_out_signal -> execute_signal_for_user,
run eagerly here); the trade appears on /trading/ by push, and when a price update crosses its target the paper
watcher closes it and the page shows it CLOSED with its PnL, without reloading. Strict CSP throughout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from playwright.sync_api import expect

from flaxu.celery import app as celery_app
from market.services.snapshots import markets_refresh, tickers_refresh
from tests.e2e.helpers import RECORD_VIOLATIONS, off_this_thread
from tests.e2e.session import sign_in
from tests.trading.execution.conftest import fresh_signal
from tests.trading.paper.conftest import EXCHANGE, PricedReplay
from trading.models import Trade
from trading.services.execution import signal_fan_out_on_commit
from trading.services.signals import signals_push

pytestmark = pytest.mark.e2e
BTC = "BTC/USDT:USDT"


@pytest.fixture
def eager_tasks():
    """The orders and paper-watch tasks run in this process when queued, as the workers would run them."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def new_signal_stored():
    """What signals_run does with a new live signal, in its transaction: push it and queue the fan-out."""
    with transaction.atomic():
        signal = fresh_signal(entry="65000", stop="64000", tp1="67000", tp2="68000")
        signals_push(signal)
        signal_fan_out_on_commit(signal)
    return signal.pk


def test_automation_trades_a_signal_and_the_page_shows_it_close_live(page, live_asgi_server, full_user, eager_tasks):
    source = PricedReplay(exchanges=(EXCHANGE,))
    off_this_thread(markets_refresh, exchange=EXCHANGE, source=source)
    source.prices[BTC] = Decimal("65000")
    off_this_thread(tickers_refresh, exchange=EXCHANGE, source=source)

    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live_asgi_server, full_user)
    page.goto("/trading/settings/")
    page.get_by_label("ICT automation").check()
    page.get_by_label("Take profit").select_option("1:2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Your trading settings are saved.")

    page.goto("/trading/")
    expect(page.locator("#automation-state")).to_contain_text("ICT automation is on")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#no-trades")).to_be_visible()
    page.evaluate("() => { window.sameLoad = true; }")  # gone if the page were reloaded

    signal_id = off_this_thread(new_signal_stored)
    trade = Trade.objects.get(user=full_user, signal_id=signal_id)
    assert trade.status == Trade.Status.OPEN and trade.mode == "paper", trade.failure_reason
    row = page.locator(f'#open-trades tr[data-trade-id="{trade.pk}"]')
    expect(row).to_have_attribute("data-status", "OPEN")  # arrived by push: the page was not reloaded
    expect(row).to_contain_text("ICT")

    source.prices[BTC] = Decimal("67100")  # through the target: the paper watcher closes it on this price update
    off_this_thread(tickers_refresh, exchange=EXCHANGE, source=source)
    trade.refresh_from_db()
    assert trade.status == Trade.Status.CLOSED and trade.close_reason == "TP" and trade.pnl > 0
    closed = page.locator(f'#recent-trades tr[data-trade-id="{trade.pk}"]')
    expect(closed).to_have_attribute("data-status", "CLOSED")
    expect(closed.locator(".c-pnl")).to_contain_text(f"+{trade.pnl:,.2f}")
    expect(closed).to_contain_text("Take-profit")
    expect(page.locator("#no-trades")).to_be_visible()
    assert page.evaluate("window.sameLoad") is True
    assert page.errors == []
    assert page.evaluate("window.__csp") == []


def test_a_manual_order_is_corrected_previewed_and_placed_once_however_often_sent(page, live_asgi_server, full_user):
    source = PricedReplay(exchanges=(EXCHANGE,))
    off_this_thread(markets_refresh, exchange=EXCHANGE, source=source)
    source.prices[BTC] = Decimal("65000")
    off_this_thread(tickers_refresh, exchange=EXCHANGE, source=source)  # the server reads the shared cache

    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live_asgi_server, full_user)
    page.goto("/trading/")
    page.get_by_role("navigation", name="Trading").get_by_role("link", name="New order").click()
    page.get_by_label("Market", exact=True).fill("btc")
    page.get_by_label("Side", exact=True).select_option("LONG")
    page.get_by_label("Stop-loss", exact=True).fill("66000")
    page.get_by_label("Take-profit", exact=True).fill("67000")
    page.get_by_role("button", name="Preview size and risk").click()
    expect(page.locator("#stop_loss-errors")).to_contain_text("stop-loss must be below the price")

    page.get_by_label("Stop-loss", exact=True).fill("64000")
    page.get_by_role("button", name="Preview size and risk").click()
    expect(page.locator("#preview-risk")).to_contain_text("USDT, fees and slippage included")
    # A double submit: this very form (its key and CSRF token) posted twice, as a double click would.
    landed = page.evaluate(
        """async () => {
            const form = document.getElementById("order-form");
            const data = new FormData(form);
            data.set("action", "place");
            const send = () => fetch(form.getAttribute("action"), {method: "POST", body: data}).then((r) => r.url);
            return [await send(), await send()];
        }"""
    )
    assert [url.removeprefix(str(live_asgi_server)) for url in landed] == ["/trading/", "/trading/"]
    page.get_by_role("button", name="Place order").click()  # and a third time, by hand
    expect(page.locator(".messages")).to_contain_text("already been traded")
    (trade,) = Trade.objects.filter(user=full_user)
    expect(page.locator(f'#open-trades tr[data-trade-id="{trade.pk}"]')).to_have_attribute("data-status", "OPEN")
    assert Trade.objects.filter(user=full_user).count() == 1
    assert page.errors == []
    assert page.evaluate("window.__csp") == []
