"""The trading page's trades: active ones with "Close now", and those that ended today with their PnL, live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.trading.settings.conftest import other_user, trade  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_page_and_its_fragment_show_open_and_recently_ended_trades(full_client, full_user, other_user):  # noqa: F811
    now = timezone.now()
    open_ = trade(full_user, status="OPEN", remaining="1", pnl=None)
    won = trade(full_user, pnl="12.5", closed_at=now - timedelta(minutes=5))
    old = trade(full_user, pnl="-3", closed_at=now - timedelta(days=2))
    theirs = trade(other_user, pnl="1", closed_at=now)
    for url in ("/trading/", "/trading/trades/"):
        page = full_client.get(url).content.decode()
        assert 'id="trades-live"' in page and 'hx-get="/trading/trades/"' in page and "flaxu:trade " in page
        assert f'<tr data-trade-id="{open_.pk}" data-status="OPEN">' in page
        assert f"/trading/trades/{open_.pk}/close/" in page
        assert f'<tr data-trade-id="{won.pk}" data-status="CLOSED">' in page and "+12.50" in page
        assert f'data-trade-id="{old.pk}"' not in page and f'data-trade-id="{theirs.pk}"' not in page


def test_limited_users_get_no_fragment(limited_client):
    assert limited_client.get("/trading/trades/").status_code == 403
