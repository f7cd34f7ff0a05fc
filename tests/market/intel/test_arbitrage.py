"""Arbitrage scanner: a hand-computed walk, and properties over random books (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from market.arbitrage import VenueBook, scan, scan_reference, stack_books

FEE = 0.001  # 0.1 % taker on both venues


def hand_books() -> dict[str, list[VenueBook]]:
    # Buy on "a": asks 100 x 1, 101 x 2. Sell on "b": bids 103 x 1, 102 x 1, 101.5 x 5.
    return {
        "BTC/USDT:USDT": [
            VenueBook("a", bids=[(99.0, 1.0), (98.0, 2.0)], asks=[(100.0, 1.0), (101.0, 2.0)], taker_fee=FEE),
            VenueBook("b", bids=[(103.0, 1.0), (102.0, 1.0), (101.5, 5.0)], asks=[(104.0, 1.0)], taker_fee=FEE),
        ]
    }


@pytest.mark.parametrize("implementation", [scan, scan_reference])
def test_hand_computed_walk_stops_where_the_marginal_net_spread_falls_below_the_threshold(implementation):
    # Segments (unit prices with fees: pay = ask * 1.001, get = bid * 0.999):
    #   1 unit  at ask 100 / bid 103   : pay 100.1,   get 102.897   -> +2.794 %, profit 2.797
    #   1 unit  at ask 101 / bid 102   : pay 101.101, get 101.898   -> +0.788 %, profit 0.797
    #   1 unit  at ask 101 / bid 101.5 : pay 101.101, get 101.3985  -> +0.294 %  < 0.5 %: not taken
    [row] = implementation(hand_books(), 0.5)
    assert (row.buy_exchange, row.sell_exchange) == ("a", "b")
    assert row.buy_price == 100.0 and row.sell_price == 103.0
    assert row.gross_pct == pytest.approx(3.0)
    assert row.net_pct == pytest.approx(100 * (102.897 / 100.1 - 1))  # 2.7942 %
    assert row.executable_size == pytest.approx(2.0)
    assert row.executable_cost == pytest.approx(100.1 + 101.101)
    assert row.profit == pytest.approx(2.797 + 0.797)
    assert row.avg_net_pct == pytest.approx(100 * 3.594 / 201.201)


def test_a_lower_threshold_takes_the_third_segment_until_the_asks_run_out():
    [row] = scan(hand_books(), 0.0)
    assert row.executable_size == pytest.approx(3.0)  # the asks hold 3 units in all
    assert row.profit == pytest.approx(2.797 + 0.797 + 0.2975)


def test_every_pair_is_listed_when_asked_and_the_reverse_direction_loses():
    rows = {(r.buy_exchange, r.sell_exchange): r for r in scan(hand_books(), 0.5, only_opportunities=False)}
    assert set(rows) == {("a", "b"), ("b", "a")}
    assert rows["b", "a"].executable_size == 0.0 and rows["b", "a"].gross_pct == pytest.approx(100 * (99 / 104 - 1))
    assert not rows["b", "a"].is_opportunity and rows["b", "a"].avg_net_pct is None


def test_symbols_on_a_single_exchange_are_ignored():
    books = {"ETH/USDT:USDT": [VenueBook("a", [(99.0, 1.0)], [(100.0, 1.0)], FEE)]}
    assert scan(books, 0.0, only_opportunities=False) == []
    assert stack_books(books).symbols == ()


# --- properties -----------------------------------------------------------------------------------------

EXCHANGES = ("bingx", "binanceusdm", "okx", "bybit")


@st.composite
def venue_book(draw, exchange: str, mid: float) -> VenueBook:
    """An uncrossed book around ``mid`` (each venue's own best bid < best ask)."""
    offset = draw(st.floats(-0.03, 0.03))
    center = mid * (1 + offset)
    half = center * draw(st.floats(0.00005, 0.002))
    n_bids, n_asks = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    bid_steps = draw(st.lists(st.floats(0.0001, 0.01), min_size=n_bids, max_size=n_bids))
    ask_steps = draw(st.lists(st.floats(0.0001, 0.01), min_size=n_asks, max_size=n_asks))
    sizes = st.floats(0.01, 50.0)
    bids, price = [], center - half
    for step in bid_steps:
        bids.append((price, draw(sizes)))
        price -= center * step
    asks, price = [], center + half
    for step in ask_steps:
        asks.append((price, draw(sizes)))
        price += center * step
    return VenueBook(exchange, bids, asks, draw(st.floats(0.0, 0.002)))


@st.composite
def market(draw) -> dict[str, list[VenueBook]]:
    books = {}
    for s in range(draw(st.integers(1, 4))):
        mid = draw(st.floats(0.01, 50_000.0))
        venues = draw(st.lists(st.sampled_from(EXCHANGES), min_size=2, max_size=4, unique=True))
        books[f"S{s}/USDT:USDT"] = [draw(venue_book(e, mid)) for e in venues]
    return books


thresholds = st.sampled_from([0.0, 0.1, 0.5, 1.0])
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _key(o):
    return (o.symbol, o.buy_exchange, o.sell_exchange)


@PROPERTY
@given(market(), thresholds)
def test_the_vectorized_scan_matches_the_plain_loop(books, threshold):
    fast = {_key(o): o for o in scan(books, threshold, only_opportunities=False)}
    slow = {_key(o): o for o in scan_reference(books, threshold, only_opportunities=False)}
    assert fast.keys() == slow.keys()
    for key, o in fast.items():
        r = slow[key]
        assert o.net_pct == pytest.approx(r.net_pct) and o.gross_pct == pytest.approx(r.gross_pct)
        assert o.executable_size == pytest.approx(r.executable_size, rel=1e-9, abs=1e-9)
        assert o.profit == pytest.approx(r.profit, rel=1e-7, abs=1e-9)


def _with_fees(books, extra: float):
    return {s: [VenueBook(b.exchange, b.bids, b.asks, b.taker_fee + extra) for b in v] for s, v in books.items()}


@PROPERTY
@given(market(), thresholds, st.floats(0.00001, 0.01))
def test_fees_only_ever_lower_the_net_spread_the_size_and_the_profit(books, threshold, extra):
    cheap = {_key(o): o for o in scan(books, threshold, only_opportunities=False)}
    dear = {_key(o): o for o in scan(_with_fees(books, extra), threshold, only_opportunities=False)}
    for key, o in dear.items():
        assert o.net_pct < cheap[key].net_pct
        assert o.net_pct <= o.gross_pct
        assert o.executable_size <= cheap[key].executable_size + 1e-9
        assert o.profit <= cheap[key].profit + 1e-9


@PROPERTY
@given(market(), thresholds)
def test_depth_only_ever_lowers_the_net_spread(books, threshold):
    full = {_key(o): o for o in scan(books, threshold)}
    top_only = {s: [VenueBook(b.exchange, b.bids[:1], b.asks[:1], b.taker_fee) for b in v] for s, v in books.items()}
    top = {_key(o): o for o in scan(top_only, threshold, only_opportunities=False)}
    for key, o in full.items():
        assert o.avg_net_pct <= o.net_pct + 1e-9  # walking deeper never beats the first unit
        assert o.net_pct == pytest.approx(top[key].net_pct)  # the headline spread is the top of book's
        assert o.executable_size >= top[key].executable_size - 1e-9


@PROPERTY
@given(market(), thresholds)
def test_executable_size_never_exceeds_either_book(books, threshold):
    for o in scan(books, threshold):
        venues = {b.exchange: b for b in books[o.symbol]}
        assert o.executable_size <= sum(q for _, q in venues[o.buy_exchange].asks) + 1e-9
        assert o.executable_size <= sum(q for _, q in venues[o.sell_exchange].bids) + 1e-9
        assert o.net_pct >= threshold and o.profit >= 0


@PROPERTY
@given(market(), thresholds)
def test_no_opportunity_when_the_books_do_not_cross_after_fees(books, threshold):
    for o in scan(books, threshold, only_opportunities=False):
        if o.net_pct < threshold:
            assert o.executable_size == 0.0 and o.profit == 0.0
    # One shared book everywhere: nothing crosses, whatever the fees.
    same = {s: [VenueBook(b.exchange, v[0].bids, v[0].asks, b.taker_fee) for b in v] for s, v in books.items()}
    assert scan(same, threshold) == []


@PROPERTY
@given(market(), thresholds)
def test_buy_and_sell_venues_are_symmetric(books, threshold):
    rows = scan(books, threshold, only_opportunities=False)
    by_key = {_key(o): o for o in rows}
    for (symbol, buy, sell), o in by_key.items():
        # Uncrossed venues: money can flow one way at most between two of them.
        if o.gross_pct > 0:
            assert by_key[symbol, sell, buy].gross_pct < 0
    # Renaming the venues (so their column order changes) renames the results and changes nothing else.
    rename = dict(zip(EXCHANGES, ("zz", "yy", "xx", "ww"), strict=True))
    back = {v: k for k, v in rename.items()}
    renamed = {s: [VenueBook(rename[b.exchange], b.bids, b.asks, b.taker_fee) for b in v] for s, v in books.items()}
    again = {(o.symbol, back[o.buy_exchange], back[o.sell_exchange]): o for o in scan(renamed, threshold)}
    opportunities = {k: o for k, o in by_key.items() if o.is_opportunity}
    assert again.keys() == opportunities.keys()
    for key, o in again.items():
        assert o.profit == pytest.approx(opportunities[key].profit, rel=1e-9, abs=1e-12)
