"""trading.selectors_portfolio on constructed Trade rows: live PnL, paper and live apart, filters, 24 h change,
paper wallet, performance inputs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.trading.factories import BTC, ETH
from tests.trading.portfolio.conftest import make_trade, set_tickers
from trading import selectors_portfolio as portfolio
from trading.models import PaperWallet, TradeOrder, TradingProfile

pytestmark = pytest.mark.django_db


def test_open_positions_carry_live_pnl_from_the_cached_price(trader):
    make_trade(trader, status="OPEN", side="LONG", entry="100", size="2", risk_amount=Decimal("20"))
    make_trade(trader, status="OPEN", side="SHORT", symbol=ETH, entry="50", size="4", leverage=5)
    set_tickers({BTC: "110", ETH: "45"})

    short, long = portfolio.positions_open(user=trader, mode="paper")

    assert long.unrealized_pnl == Decimal("20.00") and long.unrealized_r == Decimal("1.00")
    assert short.unrealized_pnl == Decimal("20.00")  # a short gains as the price falls
    assert not long.price_stale and long.last_price == Decimal("110")
    assert short.margin == Decimal("40")  # 50 x 4 / 5


def test_a_stale_price_is_flagged_and_a_missing_one_gives_no_pnl(trader, settings):
    make_trade(trader, status="OPEN", entry="100")
    make_trade(trader, status="OPEN", symbol=ETH, entry="50")
    set_tickers({BTC: "101"}, age=timedelta(seconds=settings.FLAXU_TTL_PRICES + 60))

    by_symbol = {p.symbol: p for p in portfolio.positions_open(user=trader, mode="paper")}

    assert by_symbol[BTC].price_stale and by_symbol[BTC].unrealized_pnl == Decimal("1.00")
    assert by_symbol[ETH].price_stale and by_symbol[ETH].unrealized_pnl is None


def test_paper_and_live_never_mix(trader):
    paper = make_trade(trader, mode="paper", status="OPEN")
    live = make_trade(trader, mode="live", status="OPEN")
    closed_live = make_trade(trader, mode="live", pnl=5)

    assert [t.pk for t in portfolio.positions_open(user=trader, mode="paper")] == [paper.pk]
    assert [t.pk for t in portfolio.positions_open(user=trader, mode="live")] == [live.pk]
    assert set(portfolio.trades_history(user=trader, mode="live").values_list("pk", flat=True)) == {
        live.pk,
        closed_live.pk,
    }
    assert portfolio.performance_of(user=trader, mode="paper").result.overall.n == 0
    assert portfolio.performance_of(user=trader, mode="live").result.overall.n == 1


def test_history_filters_by_status_strategy_symbol_and_dates(trader, other):
    now = timezone.now()
    ict = make_trade(trader, signal_type="ICT", pnl=1, created_at=now - timedelta(days=3))
    make_trade(trader, signal_type="SNIPER", symbol=ETH, pnl=2, created_at=now - timedelta(days=1))
    make_trade(trader, status="FAILED", failure_reason="rejected", created_at=now - timedelta(days=1))
    make_trade(other, signal_type="ICT", pnl=9)

    def pks(**filters):
        return list(portfolio.trades_history(user=trader, mode="paper", **filters).values_list("pk", flat=True))

    assert pks(signal_type="ICT") == [ict.pk]
    assert len(pks(status="CLOSED")) == 2
    assert len(pks(symbol=ETH)) == 1
    assert pks(until=now - timedelta(days=2)) == [ict.pk]
    assert len(pks(since=now - timedelta(days=2))) == 2
    assert len(pks()) == 3  # never the other user's


def test_open_orders_are_the_working_ones_of_this_mode(trader):
    trade = make_trade(trader, status="OPEN")
    live = make_trade(trader, mode="live", status="OPEN")
    stop = TradeOrder.objects.create(trade=trade, role="STOP", side="sell", client_order_id="s1", amount=1,
                                     status="open")  # fmt: skip
    TradeOrder.objects.create(trade=trade, role="ENTRY", side="buy", client_order_id="e1", amount=1, status="closed")
    TradeOrder.objects.create(trade=live, role="STOP", side="sell", client_order_id="s2", amount=1, status="open")

    assert [o.pk for o in portfolio.orders_open(user=trader, mode="paper")] == [stop.pk]


def test_paper_wallet_before_it_exists_is_the_configured_initial_balance(trader, settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = Decimal("5000")

    wallet = portfolio.paper_wallet(user=trader)

    assert wallet.available and wallet.balance == wallet.equity == Decimal("5000")
    assert wallet.initial_balance == Decimal("5000")


def test_paper_wallet_equity_adds_open_trades_unrealised_pnl(trader):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("10000"), balance=Decimal("10100"))
    make_trade(trader, status="OPEN", entry="100", size="3", leverage=3)
    set_tickers({BTC: "90"})

    wallet = portfolio.paper_wallet(user=trader)

    assert wallet.unrealized_pnl == Decimal("-30.00")
    assert wallet.equity == Decimal("10070.00")
    assert wallet.used_margin == Decimal("100.00")


def test_24h_change_is_the_realised_pnl_of_the_last_day(trader):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1100"))
    make_trade(trader, pnl=150, closed_at=timezone.now() - timedelta(hours=3))
    make_trade(trader, pnl=-50, closed_at=timezone.now() - timedelta(hours=30))  # older than a day
    make_trade(trader, mode="live", pnl=999)

    summary = portfolio.portfolio_summary(user=trader, mode="paper")

    assert summary.total_value == Decimal("1100")
    assert summary.change_24h == Decimal("150")
    assert summary.change_24h_pct == pytest.approx(150 / 950)


def test_allocation_is_margin_per_symbol_then_free_cash(trader):
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1000"))
    make_trade(trader, status="OPEN", entry="100", size="2", leverage=2)  # 100 margin
    set_tickers({BTC: "100"})

    rows = portfolio.portfolio_summary(user=trader, mode="paper").allocation

    assert [(r.label, r.value) for r in rows] == [(BTC, Decimal("100.00")), ("Free USDT", Decimal("900"))]
    assert rows[0].share == pytest.approx(0.1)


def test_mode_defaults_to_the_trading_profile_then_paper(trader):
    assert portfolio.portfolio_mode(trader) == "paper"
    TradingProfile.objects.create(user=trader, mode="live")
    assert portfolio.portfolio_mode(trader) == "live"
    assert portfolio.portfolio_mode(trader, "paper") == "paper"
    assert portfolio.portfolio_mode(trader, "bogus") == "live"


def test_paper_performance_counts_from_the_last_reset(trader):
    now = timezone.now()
    PaperWallet.objects.create(user=trader, initial_balance=Decimal("1000"), balance=Decimal("1000"),
                               reset_at=now - timedelta(days=1))  # fmt: skip
    make_trade(trader, pnl=-500, closed_at=now - timedelta(days=2))  # before the reset
    make_trade(trader, pnl=100, r=1, closed_at=now - timedelta(hours=1))

    overall = portfolio.performance_of(user=trader, mode="paper").result.overall

    assert overall.n == 1 and overall.roi == pytest.approx(0.1)


def test_ict_trades_bring_their_signals_evidence(trader):
    from tests.trading.factories import make_signal

    signal = make_signal(bar_time=timezone.now() - timedelta(days=1), evidence_mean_r=0.3, evidence_rate=0.5,
                         evidence_n=50)  # fmt: skip
    make_trade(trader, signal_type="ICT", signal=signal, pnl=20, r=2)

    expectation = portfolio.performance_of(user=trader, mode="paper").result.expectation

    assert expectation.n == 1
    assert expectation.expected_mean_r == pytest.approx(0.3) and expectation.realised_mean_r == pytest.approx(2)


def test_live_performance_starts_from_the_first_trades_equity(trader):
    make_trade(trader, mode="live", pnl=50, equity_at_entry=Decimal("500"),
               closed_at=timezone.now() - timedelta(hours=2))  # fmt: skip
    make_trade(trader, mode="live", pnl=-25, equity_at_entry=Decimal("550"))

    report = portfolio.performance_of(user=trader, mode="live")

    assert report.initial_equity == Decimal("500")
    assert report.result.overall.roi == pytest.approx(0.05)
