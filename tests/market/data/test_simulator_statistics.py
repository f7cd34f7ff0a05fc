"""The simulated market looks like a crypto market: fat tails, volatility clustering, intraday seasonality,
pumps and dumps, exchanges that agree closely but not exactly, and now and then a real arbitrage gap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from market.simulator import DAY_SECONDS, UNIVERSE, MarketSimulator, venue

from .conftest import BTC, T0

DAY0 = int(T0.timestamp()) // DAY_SECONDS - 20


@pytest.fixture(scope="module")
def sim() -> MarketSimulator:
    return MarketSimulator(seed=7)


def returns(sim, symbol, days=7, exchange="binanceusdm") -> np.ndarray:
    start = DAY0 * DAY_SECONDS
    bars = sim.minutes(exchange, symbol, start, start + days * DAY_SECONDS)
    return np.diff(np.log(bars.close))


def test_the_universe_has_thirty_perpetuals_at_realistic_levels(sim):
    symbols = sim.symbols()
    assert len(symbols) == 30 and symbols[0] == BTC
    assert {"ETH/USDT:USDT", "SOL/USDT:USDT", "XRP/USDT:USDT", "DOGE/USDT:USDT", "1000PEPE/USDT:USDT"} <= set(symbols)
    t = T0.timestamp()
    for inst in UNIVERSE:
        price = sim.price("bingx", inst.symbol, t)
        assert inst.price / 4 < price < inst.price * 4, inst.symbol


@pytest.mark.parametrize("symbol", [BTC, "ETH/USDT:USDT", "SOL/USDT:USDT", "LINK/USDT:USDT"])
def test_one_minute_returns_have_fat_tails(sim, symbol):
    assert pd.Series(returns(sim, symbol)).kurt() > 2  # a normal distribution has 0


@pytest.mark.parametrize("symbol", [BTC, "ETH/USDT:USDT", "AVAX/USDT:USDT"])
def test_volatility_clusters(sim, symbol):
    size = pd.Series(np.abs(returns(sim, symbol)))
    for lag in range(1, 11):
        assert size.autocorr(lag) > 0.03, lag


@pytest.mark.parametrize("symbol", [BTC, "ETH/USDT:USDT", "XRP/USDT:USDT"])
def test_the_us_open_is_busier_than_the_asian_night(sim, symbol):
    start = DAY0 * DAY_SECONDS
    bars = sim.minutes("binanceusdm", symbol, start, start + 14 * DAY_SECONDS)
    size = np.abs(np.log(bars.close / bars.open))
    minute = np.arange(len(size)) % 1440
    us_open = np.median(size[(minute >= 13 * 60 + 30) & (minute < 15 * 60)])
    night = np.median(size[(minute >= 2 * 60) & (minute < 5 * 60)])
    assert us_open > 1.5 * night


def test_pumps_and_dumps_move_five_minute_candles_violently(sim):
    start, end = DAY0 * DAY_SECONDS, (DAY0 + 10) * DAY_SECONDS
    found = {"pump": 0, "dump": 0}
    for symbol in sim.symbols():
        for event in sim.events(symbol, start, end):
            bars = sim.minutes("bingx", symbol, event.start, event.start + 300)
            move = bars.close[-1] / bars.open[0] - 1
            if event.kind == "pump":
                assert 0.035 < move < 0.14, (symbol, event, move)
            else:
                assert -0.17 < move < -0.08, (symbol, event, move)
            found[event.kind] += 1
    assert found["pump"] >= 20 and found["dump"] >= 10


def test_exchanges_quote_close_but_different_prices(sim):
    rng = np.random.default_rng(0)
    for t in rng.uniform(DAY0 * DAY_SECONDS, (DAY0 + 5) * DAY_SECONDS, 40):
        prices = [sim.price(ex, BTC, t) for ex in sim.exchanges]
        if sim.gaps(BTC, int(t) // DAY_SECONDS):
            continue
        assert len(set(prices)) == len(prices)
        assert max(prices) / min(prices) - 1 < 0.003


def test_an_arbitrage_gap_crosses_the_books_by_more_than_fees_plus_half_a_percent(sim):
    crossed = 0
    for symbol in sim.symbols()[:10]:
        for day in range(DAY0, DAY0 + 5):
            for gap in sim.gaps(symbol, day):
                t = (gap.start + gap.end) / 2
                other = next(ex for ex in sim.exchanges if ex != gap.exchange)
                rich, cheap = (gap.exchange, other) if gap.magnitude > 0 else (other, gap.exchange)
                sell = sim.order_book(rich, symbol, t).bids[0, 0]
                buy = sim.order_book(cheap, symbol, t).asks[0, 0]
                net = sell / buy - 1 - venue(rich).taker_fee - venue(cheap).taker_fee
                assert net > 0.005, (symbol, gap, net)
                crossed += 1
    assert crossed >= 5


def test_order_books_are_sorted_with_a_positive_spread(sim):
    t = T0.timestamp()
    for symbol in sim.symbols():
        book = sim.order_book("okx", symbol, t, 20)
        assert len(book.bids) == len(book.asks) == 20
        assert book.bids[0, 0] < book.asks[0, 0]
        assert (np.diff(book.bids[:, 0]) < 0).all() and (np.diff(book.asks[:, 0]) > 0).all()
        assert (book.bids[:, 1] > 0).all() and (book.asks[:, 1] > 0).all()


def test_candles_are_consistent_and_higher_timeframes_aggregate_minutes(sim):
    start, now = DAY0 * DAY_SECONDS, (DAY0 + 2) * DAY_SECONDS
    m1 = sim.candles("bybit", BTC, "1m", start, now, now)
    h1 = sim.candles("bybit", BTC, "1h", start, now, now)
    assert (m1.high >= np.maximum(m1.open, m1.close)).all() and (m1.low <= np.minimum(m1.open, m1.close)).all()
    assert len(m1) == 2 * 1440 and len(h1) == 48
    hour = m1.close.reshape(48, 60)
    np.testing.assert_allclose(h1.close, hour[:, -1])
    np.testing.assert_allclose(h1.high, m1.high.reshape(48, 60).max(1))
    np.testing.assert_allclose(h1.volume, m1.volume.reshape(48, 60).sum(1))


def test_a_forming_candle_converges_to_the_closed_one(sim):
    minute = int(T0.timestamp()) // 60 * 60
    closed = sim.candles("bingx", BTC, "1m", minute, minute + 60, minute + 3600)
    seen_high = 0.0
    for second in range(1, 60, 3):
        forming = sim.candles("bingx", BTC, "1m", minute, minute + 60, minute + second)
        assert forming.open[0] == closed.open[0]
        assert forming.high[0] <= closed.high[0] * (1 + 1e-12) and forming.low[0] >= closed.low[0] * (1 - 1e-12)
        assert forming.high[0] >= seen_high
        seen_high = forming.high[0]
    once_closed = sim.candles("bingx", BTC, "1m", minute, minute + 60, minute + 60)
    assert [x[0] for x in once_closed] == [x[0] for x in closed]


def test_liquidations_follow_big_moves(sim):
    start = DAY0 * DAY_SECONDS
    events = sim.liquidations(start, start + DAY_SECONDS, [BTC])
    assert len(events.time) > 50
    assert (np.diff(events.time) >= 0).all()
    bars = sim.minutes(sim.exchanges[0], BTC, start, start + DAY_SECONDS)
    size = np.abs(np.log(bars.close / bars.open))
    minute = ((events.time - start) // 60).astype(int)
    assert size[minute].mean() > 2 * size.mean()


def test_funding_open_interest_and_long_short_are_plausible(sim):
    t = T0.timestamp()
    for symbol in sim.symbols():
        for ex in sim.exchanges:
            f = sim.funding(ex, symbol, t)
            assert -0.003 <= f.rate <= 0.003
            assert f.next_funding_time % (8 * 3600) == 0 and 0 < f.next_funding_time - t <= 8 * 3600
            amount, value = sim.open_interest(ex, symbol, t)
            assert value > 1e6 and amount > 0
            if ex != "bingx":
                ratio, _ = sim.long_short(ex, symbol, t)
                assert 0.3 < ratio < 4
    with pytest.raises(LookupError):
        sim.long_short("bingx", BTC, t)
