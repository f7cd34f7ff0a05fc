"""Journey of a FULL user on the Portfolio: the performance page draws its equity curve (lightweight-charts,
strict CSP), and a trade pushed to the user refreshes the open positions in place (htmx fragment)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.realtime.push import push_to_user
from tests.e2e.helpers import RECORD_VIOLATIONS, off_this_thread
from tests.e2e.session import sign_in
from tests.trading.portfolio.conftest import make_trade

pytestmark = pytest.mark.e2e


def test_the_equity_curve_is_drawn_and_a_pushed_trade_appears_in_open_positions(page, live_asgi_server, full_user):
    from trading.models import PaperWallet

    PaperWallet.objects.create(user=full_user, initial_balance=Decimal("1000"), balance=Decimal("1015"))
    make_trade(full_user, pnl=25, r=2.5, closed_at=timezone.now() - timedelta(hours=3))
    make_trade(full_user, pnl=-10, r=-1, closed_at=timezone.now() - timedelta(hours=2))
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live_asgi_server, full_user)

    page.goto("/portfolio/performance/?mode=paper")
    expect(page.locator("#performance-equity-chart")).to_have_attribute("data-ready", "true")
    expect(page.locator("#performance-figures")).to_contain_text("(n=2)")

    page.goto("/portfolio/?mode=paper")
    expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
    expect(page.locator("#no-positions")).to_be_visible()
    trade = off_this_thread(make_trade, full_user, status="OPEN", symbol="ETH/USDT:USDT")
    off_this_thread(push_to_user, full_user.pk, "trade", {"id": trade.pk, "status": "OPEN"})

    expect(page.locator(f'#positions tr[data-trade-id="{trade.pk}"]')).to_be_visible()
    # The position monitor's live PnL push reaches the fragment's trigger (portfolio_live.js) and refreshes it.
    page.evaluate("() => document.addEventListener('flaxu:trade-pnl', (e) => { window.pnlPush = e.detail; })")
    second = off_this_thread(make_trade, full_user, status="OPEN", symbol="SOL/USDT:USDT")
    off_this_thread(push_to_user, full_user.pk, "trade.pnl", {"trades": [{"id": trade.pk, "mark_price": "101"}]})
    page.wait_for_function("() => window.pnlPush !== undefined")
    assert page.evaluate("window.pnlPush") == {"trades": [{"id": trade.pk, "mark_price": "101"}]}
    expect(page.locator(f'#positions tr[data-trade-id="{second.pk}"]')).to_be_visible()
    assert page.errors == []
    assert page.evaluate("window.__csp") == []
