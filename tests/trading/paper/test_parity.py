"""Paper/backtest parity: a seeded series fed bar by bar through the paper path gives the backtester's trades.

The series: ``generate_candles`` on a 0.01 tick, with the ICT engine's own signals (levels rounded to 6
decimals, so the database stores exactly the floats the backtester reads). The paper path, for each bar:

1. when no paper trade is open, the first signal confirmed on the previous bar is entered the way the
   execution service enters one: the ticker snapshot shows the bar's **open** (the real ticker refresh),
   the position is sized as the backtester sizes it (``equity x 1 % / |fill - stop|``, at most 10x
   equity) from the paper broker's equity, the paper broker fills it and the ledger records it; an entry
   the broker refuses (open already through the stop or TP1) is skipped, as the backtester skips it;
2. the bar is one price update ``PriceUpdate(open, high, low)`` for the paper watcher (``paper_watch``),
   which records exits through the ledger and settles the wallet.

This is exactly how the backtester walks a bar (entry at the open, the entry bar walked in full, one
position at a time, a signal arriving while a position is open skipped), so parity is exact up to the
database's decimals. Funding is off on both sides (the backtester's rate is 0; the market has no funding
snapshot, so the paper path counts none: ``trading.services.paper_funding``). The trade still
open at the end (the backtester closes it at the last close, ``end``) is compared on its entry.
"""

from __future__ import annotations

import math
from decimal import Decimal as D

import numpy as np
import pandas as pd
import pytest

from core.errors import Refused
from trading import engine
from trading.engine import synthetic
from trading.engine.backtest import BacktestConfig, run_backtest
from trading.engine.paper import LONG, SHORT, PriceUpdate, market_fill
from trading.models import Trade, TradeOrder
from trading.services.brokers.base import EntryRequest
from trading.services.brokers.paper import PaperBroker
from trading.services.ledger import trade_record_entry
from trading.services.paper_wallet import paper_wallet
from trading.services.paper_watch import paper_watch

from .conftest import BTC, EXCHANGE

pytestmark = pytest.mark.django_db
CONFIG = BacktestConfig(initial_equity=10_000.0, funding_rate=0.0)  # risk 1 %, 10x cap, half at TP1, BE
REASONS = {"stop": "SL", "breakeven": "BE", "tp1": "TP", "tp2": "TP"}


def series(plan: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    candles = synthetic.generate_candles(3000, seed=11, timeframe="5m", tick=0.01)
    signals = engine.analyze(candles).signals.reset_index(drop=True)
    for column in ("entry", "stop_loss", "take_profit_1", "take_profit_2"):
        signals[column] = signals[column].round(6)
    if plan == "all at TP1":
        signals["take_profit_2"] = np.nan
    return candles, signals


def _dec(value: float) -> D | None:
    return None if math.isnan(value) else D(repr(float(value)))


def paper_run(user, market, candles: pd.DataFrame, signals: pd.DataFrame) -> dict[int, dict]:
    """Feed the series through the paper path; {signal row: what happened to its trade}."""
    by_bar = signals.groupby("confirmed").groups
    broker = PaperBroker(user)
    opened: dict[int, dict] = {}
    open_trade: Trade | None = None
    rows = candles[["open", "high", "low"]].itertuples(index=True)
    for i, (time, *bar) in enumerate(rows):
        o, h, lo = (float(v) for v in bar)
        if open_trade is None:
            for k in by_bar.get(i - 1, []):
                open_trade = _enter(user, broker, market, signals.loc[k], k, o, time)
                if open_trade is not None:
                    opened[k] = {"trade": open_trade.pk, "entry_bar": i}
                    break
        if open_trade is not None:
            paper_watch(EXCHANGE, {BTC: PriceUpdate(o, h, lo)}, at=time.to_pydatetime())
            open_trade.refresh_from_db()
            if open_trade.status == Trade.Status.CLOSED:
                opened[int(_signal_of(open_trade))]["exit_bar"] = i
                open_trade = None
    return opened


def _signal_of(trade: Trade) -> str:
    return trade.client_order_id.removeprefix("fxparity")


def _enter(user, broker, market, sig, k: int, open_price: float, time) -> Trade | None:
    market.set(BTC, repr(open_price))  # the ticker snapshot now shows the bar's open
    side = LONG if sig["direction"] == "LONG" else SHORT
    fill = market_fill(side, open_price, opening=True)
    equity = float(broker.equity())
    size = min(equity * CONFIG.risk_per_trade / abs(fill - sig["stop_loss"]), equity * CONFIG.max_leverage / fill)
    size = D(repr(float(size))).quantize(D("1e-12"))
    tp2 = _dec(sig["take_profit_2"])
    trade = Trade.objects.create(
        user=user, mode="paper", signal_type="MANUAL", symbol=BTC, side=sig["direction"],
        reward_target="partial" if tp2 is not None else "1:2", stop_loss=_dec(sig["stop_loss"]),
        take_profit=_dec(sig["take_profit_1"]), take_profit_2=tp2, size=size, leverage=10,
        risk_amount=D("1"), equity_at_entry=D(repr(equity)), client_order_id=f"fxparity{k}",
    )  # fmt: skip
    request = EntryRequest(
        symbol=BTC, side=trade.side, size=size, leverage=10, stop_loss=trade.stop_loss,
        take_profit=trade.take_profit, take_profit_2=tp2, client_order_id=trade.client_order_id,
    )  # fmt: skip
    try:
        entry = broker.open(request)
    except Refused:
        trade.delete()  # the backtester skips a signal whose entry open is through its stop or TP1
        return None
    return trade_record_entry(trade, entry, at=time.to_pydatetime())


def assert_parity(user, market, candles: pd.DataFrame, signals: pd.DataFrame) -> pd.DataFrame:
    """Run both paths; every backtest trade is the paper path's, field by field. Returns the backtest's trades."""
    expected = run_backtest(candles, signals, CONFIG).trades
    paper = paper_run(user, market, candles, signals)

    assert sorted(paper) == sorted(expected["signal"].tolist())  # the same signals traded, the same skipped
    for row in expected.itertuples():
        got = paper[row.signal]
        trade = Trade.objects.get(pk=got["trade"])
        assert got["entry_bar"] == row.entry_bar
        assert trade.side == row.side
        assert float(trade.entry_price) == pytest.approx(row.entry_price, rel=1e-12)
        assert float(trade.size) == pytest.approx(row.size, rel=1e-9)
        if row.exit_reason == "end":
            assert trade.status == Trade.Status.OPEN and "exit_bar" not in got
            continue
        assert (trade.status, trade.close_reason, got["exit_bar"]) == ("CLOSED", REASONS[row.exit_reason], row.exit_bar)
        orders = {o.role: o for o in TradeOrder.objects.filter(trade=trade)}
        assert ("TP1" in orders) == bool(row.tp1_hit)
        if row.tp1_hit:
            assert float(orders["TP1"].average_price) == pytest.approx(row.tp1_price, rel=1e-12)
        last = orders["TP2"] if row.exit_reason == "tp2" else orders.get("STOP") or orders["TP1"]
        assert float(last.average_price) == pytest.approx(row.exit_price, rel=1e-12)
        assert float(trade.fees) == pytest.approx(row.fees, rel=1e-7, abs=1e-7)
        assert float(trade.pnl) == pytest.approx(row.pnl, rel=1e-7, abs=1e-7)
    closed = expected[expected["exit_reason"] != "end"]
    assert float(paper_wallet(user).balance) == pytest.approx(10_000 + closed["pnl"].sum(), rel=1e-9)
    return expected


@pytest.fixture(autouse=True)
def _balance(settings):
    settings.FLAXU_PAPER_INITIAL_BALANCE = D("10000")


@pytest.mark.parametrize("plan", ["half at TP1, break-even", "all at TP1"])
def test_the_paper_path_makes_the_backtesters_trades_on_the_engines_signals(full_user, market, plan):
    candles, signals = series(plan)
    expected = assert_parity(full_user, market, candles, signals)
    exits = {"stop", "breakeven", "tp2"} if plan.startswith("half") else {"stop", "tp1"}
    assert len(expected) >= 20 and exits <= set(expected["exit_reason"])  # a real sample of every exit


def test_parity_on_hand_placed_signals_skipped_entries_included(full_user, market):
    candles = synthetic.generate_candles(600, seed=5, timeframe="5m", tick=0.01)
    opens, closes = candles["open"].to_numpy(), candles["close"].to_numpy()

    def placed(bar, direction, risk=0.004, tp2=True, stop=None, tp1=None, entry=None):
        sd = 1 if direction == "LONG" else -1
        entry = closes[bar] if entry is None else entry
        return {
            "confirmed": bar, "direction": direction, "entry": entry,
            "stop_loss": round(stop if stop is not None else entry * (1 - sd * risk), 6),
            "take_profit_1": round(tp1 if tp1 is not None else entry * (1 + sd * 2 * risk), 6),
            "take_profit_2": round(entry * (1 + sd * 3 * risk), 6) if tp2 else np.nan, "confidence": 80.0,
        }  # fmt: skip

    rows = [
        placed(20, "LONG"),
        placed(21, "SHORT"),  # arrives while the first is open: skipped by both
        placed(90, "SHORT", tp2=False),
        # Valid levels, but the next open is already through the stop: never entered.
        placed(150, "LONG", entry=opens[151] + 1.0, stop=opens[151] + 0.05, tp1=opens[151] + 5.0, tp2=False),
        placed(150, "SHORT", risk=0.002),  # same bar, entered instead
        placed(260, "LONG", risk=0.001),
        placed(330, "SHORT", risk=0.006, tp2=False),
        placed(420, "LONG", risk=0.003),
        placed(598, "SHORT"),  # open at the end
    ]
    signals = pd.DataFrame(rows)
    expected = assert_parity(full_user, market, candles, signals)
    outcomes = run_backtest(candles, signals, CONFIG).outcomes.set_index("signal")
    assert outcomes.loc[1, "skipped"] == "position open"
    assert outcomes.loc[3, "status"] == "stop passed before entry"
    assert 4 in expected["signal"].tolist() and len(expected) >= 5
