"""The Portfolio pages: FULL only, one mode at a time with a switch, live fragment, history filters and
CSV, performance figures with n and the equity curve's data for the static chart script."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gatekeeper import rules
from gatekeeper.services.overrides import access_override
from tests.trading.factories import BTC, ETH
from tests.trading.portfolio.conftest import make_trade, set_tickers
from trading.models import PaperWallet

pytestmark = pytest.mark.django_db

PAGES = ["/portfolio/", "/portfolio/positions/", "/portfolio/history/", "/portfolio/performance/",
         "/portfolio/history.csv"]  # fmt: skip


@pytest.mark.parametrize("url", PAGES)
def test_limited_users_get_the_locked_page_and_suspended_ones_their_status(client, user, url):
    client.force_login(user)
    limited = client.get(url)
    access_override(user=user, level=rules.SUSPENDED, reason="test", expires_at=None, actor=None)
    suspended = client.get(url)

    assert limited.status_code == 403 and b"FULL access" in limited.content
    assert suspended.status_code == 302 and suspended["Location"] == "/access/"  # SuspendedUserMiddleware


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_portfolio_page_shows_value_positions_orders_and_the_mode_switch(trader_client, trader, other):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("10000"), balance=Decimal("10250"))
    make_trade(trader, status="OPEN", entry="100", size="2")
    make_trade(trader, mode="live", status="OPEN", symbol=ETH)
    make_trade(other, status="OPEN", symbol="SOL/USDT:USDT")
    set_tickers({BTC: "105"})

    html = trader_client.get("/portfolio/?mode=paper").content.decode()

    assert "10260.00 USDT" in html  # 10,250 cash + 10 unrealised
    assert "BTC/USDT perp" in html and "ETH/USDT" not in html and "SOL/USDT" not in html
    assert 'href="/portfolio/?mode=live"' in html and 'aria-current="true">Paper' in html
    assert 'hx-get="/portfolio/positions/?mode=paper"' in html and "flaxu:trade from:document" in html
    assert "FLAXU never withdraws" in html
    assert re.search(r'<a href="/portfolio/"[^>]*aria-current="page"[^>]*>Portfolio</a>', html)  # the nav link


def test_positions_fragment_is_the_live_part_alone(trader_client, trader):
    make_trade(trader, status="OPEN")

    html = trader_client.get("/portfolio/positions/?mode=paper").content.decode()

    assert html.lstrip().startswith('<div id="portfolio-live"') and "<html" not in html
    assert 'id="positions"' in html


def test_pages_have_no_inline_script_or_style(trader_client, trader):
    make_trade(trader, pnl=10, r=1)
    for url in ["/portfolio/", "/portfolio/history/", "/portfolio/performance/"]:
        html = trader_client.get(url).content.decode()
        assert " style=" not in html and "<style" not in html, url
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def test_history_page_filters_and_paginates(trader_client, trader):
    for _ in range(3):
        make_trade(trader, signal_type="ICT", pnl=1)
    make_trade(trader, signal_type="SNIPER", pnl=2)

    html = trader_client.get("/portfolio/history/?mode=paper&signal_type=SNIPER").content.decode()

    assert html.count("data-trade-id=") == 1
    csv_link = re.search(r'id="download-csv" href="([^"]+)"', html).group(1)
    assert csv_link.startswith("/portfolio/history.csv?")
    assert "signal_type=SNIPER" in csv_link and "mode=paper" in csv_link


def test_history_with_bad_filters_is_a_400_with_the_field_message(trader_client):
    response = trader_client.get("/portfolio/history/?since=2025-02-01&until=2025-01-01")

    assert response.status_code == 400 and "The end date is before the start date." in response.content.decode()
    assert trader_client.get("/portfolio/history.csv?status=NOPE").status_code == 400


def test_history_csv_has_the_filtered_trades_of_the_mode(trader_client, trader, other):
    now = timezone.now()
    kept = make_trade(trader, signal_type="ICT", symbol=ETH, pnl="12.5", r="1.25", created_at=now - timedelta(days=1))
    make_trade(trader, signal_type="ICT", symbol=ETH, pnl=3, created_at=now - timedelta(days=10))
    make_trade(trader, signal_type="MANUAL", symbol=ETH, pnl=3)
    make_trade(trader, mode="live", signal_type="ICT", symbol=ETH, pnl=3)
    make_trade(other, signal_type="ICT", symbol=ETH, pnl=3)
    since = (now - timedelta(days=2)).date().isoformat()

    response = trader_client.get(f"/portfolio/history.csv?mode=paper&signal_type=ICT&symbol={ETH}&since={since}")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="flaxu-paper-trades.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [int(r["id"]) for r in rows] == [kept.pk]
    assert rows[0]["pnl"] == "12.50000000" and rows[0]["r_multiple"] == "1.2500"
    assert rows[0]["mode"] == "paper" and rows[0]["symbol"] == ETH


def test_performance_page_shows_figures_with_n_and_the_curve_data(trader_client, trader):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1030"))
    make_trade(trader, signal_type="ICT", pnl=20, r=2, closed_at=timezone.now() - timedelta(hours=3))
    make_trade(trader, signal_type="SNIPER", pnl=10, r=1, closed_at=timezone.now() - timedelta(hours=2))

    html = trader_client.get("/portfolio/performance/?mode=paper").content.decode()

    assert "3.00 %" in html and "(n=2)" in html  # ROI 30 / 1,000
    assert "(no losing trade)" in html  # profit factor: a dash, not a number
    assert 'id="performance-equity-chart"' in html and "js/portfolio.js" in html
    data = json.loads(re.search(r'id="performance-equity-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert [v for _, v in data] == [1000.0, 1020.0, 1030.0]
    assert 'id="by-strategy"' in html and "SNIPER" in html


def test_performance_page_with_no_trades_is_honest(trader_client):
    html = trader_client.get("/portfolio/performance/").content.decode()

    assert 'id="no-curve"' in html and "js/portfolio.js" not in html
    assert "No closed ICT trade with signal evidence yet." in html
