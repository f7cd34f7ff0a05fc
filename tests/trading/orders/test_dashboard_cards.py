"""The dashboard's Trading and Portfolio cards: the mode, open trades, links to /trading/ and /portfolio/."""

from __future__ import annotations

import pytest

from tests.trading.settings.conftest import trade

pytestmark = pytest.mark.django_db


def test_a_full_user_sees_the_mode_open_trades_and_the_links(full_client, full_user):
    trade(full_user, status="OPEN", remaining="1", pnl=None)
    trade(full_user, status="OPEN", remaining="1", pnl=None, mode="live")
    trade(full_user)
    page = full_client.get("/dashboard/").content.decode()
    assert '<strong id="trading-mode">Paper</strong> mode' in page
    assert 'id="trading-open">1 open trade <span class="muted">(+1 in the other mode)' in page
    assert "1 open position and 1 closed trade in paper mode." in page
    assert 'href="/trading/"' in page and 'href="/portfolio/"' in page and 'href="/trading/order/"' in page
    assert "arrive here" not in page


def test_other_users_see_why_the_cards_are_locked(limited_client):
    page = limited_client.get("/dashboard/").content.decode()
    assert 'id="trading-summary"' not in page and 'id="portfolio-summary"' not in page
