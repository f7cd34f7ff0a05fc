"""What the backtester, the Celery task and the chart rely on: the columns, and what each event means."""

import numpy as np
import pandas as pd
import pytest

from trading.engine import KINDS, SETUPS, EngineConfig, analyze
from trading.engine.synthetic import generate_candles

CONFIG = EngineConfig(swing_size=15, internal_size=3, report_confidence=0)


@pytest.fixture(scope="module")
def market():
    candles = generate_candles(6000, seed=31, tick=0.01)
    return candles, analyze(candles, CONFIG)


def test_event_table_columns_and_types(market):
    _, analysis = market
    ev = analysis.events
    assert list(ev.columns) == [
        "kind",
        "scope",
        "direction",
        "bar",
        "confirmed",
        "top",
        "bottom",
        "level",
        "value",
        "ref",
    ]
    assert set(ev["kind"].astype(str)) == set(KINDS)  # 6,000 bars show every kind of event
    assert ev["direction"].isin([1, -1]).all()
    assert (ev["top"] >= ev["bottom"]).all()
    assert (ev["bottom"] <= ev["level"]).all() and (ev["level"] <= ev["top"]).all()
    assert set(ev.loc[ev["kind"] == "fvg", "scope"]) == {""}
    assert set(ev.loc[ev["kind"] == "bos", "scope"]) == {"swing", "internal"}


def test_signal_table_columns_and_types(market):
    candles, analysis = market
    sig = analysis.signals
    assert list(sig.columns) == [
        "confirmed",
        "time",
        "direction",
        "setup",
        "entry",
        "stop_loss",
        "take_profit_1",
        "take_profit_2",
        "r_tp1_net",
        "r_tp2_net",
        "confidence",
        "executable",
        "reasons",
    ]
    assert set(sig["direction"].astype(str)) == {"LONG", "SHORT"}
    assert set(sig["setup"].astype(str)) <= set(SETUPS) and len(set(sig["setup"].astype(str))) >= 6
    assert (sig["time"] == candles.index[sig["confirmed"]]).all()
    assert sig["confirmed"].is_monotonic_increasing and sig["confirmed"].is_unique
    assert sig["confidence"].between(0, 100).all() and sig["confidence"].dtype == np.int64
    assert sig["reasons"].map(lambda r: isinstance(r, tuple) and len(r) >= 1 and list(r) == sorted(r)).all()
    longs = sig["direction"] == "LONG"
    assert (sig.loc[longs, "stop_loss"] < sig.loc[longs, "entry"]).all()
    assert (sig.loc[longs, "entry"] < sig.loc[longs, "take_profit_1"]).all()
    assert (sig.loc[longs, "take_profit_1"] < sig.loc[longs, "take_profit_2"]).all()
    assert (sig.loc[~longs, "take_profit_2"] < sig.loc[~longs, "take_profit_1"]).all()
    assert (sig.loc[~longs, "take_profit_1"] < sig.loc[~longs, "entry"]).all()
    assert (sig.loc[~longs, "entry"] < sig.loc[~longs, "stop_loss"]).all()
    # expected R after costs: (reward - cost) / (risk + cost), cost = the round trip at the entry price
    risk = (sig["entry"] - sig["stop_loss"]).abs()
    cost = sig["entry"] * 2 * (CONFIG.taker_fee + CONFIG.slippage_bps / 10_000)
    assert (risk >= CONFIG.min_stop_cost_multiple * cost * (1 - 1e-12)).all()  # cheap stops are not signals
    for column, target in (("r_tp1_net", "take_profit_1"), ("r_tp2_net", "take_profit_2")):
        reward = (sig[target] - sig["entry"]).abs()
        assert np.allclose(sig[column], (reward - cost) / (risk + cost))
    assert (sig["r_tp1_net"] >= 1.25 - 1e-9).all() and (sig["r_tp1_net"] < 2).all()  # 1:2 less at most 1/3 R
    assert (sig["r_tp2_net"] > sig["r_tp1_net"]).all() and sig["r_tp2_net"].dtype == np.float64


def _parent(ev, kind):
    rows = ev[ev["kind"] == kind]
    return rows, ev.loc[rows["ref"]].set_index(rows.index)


def test_each_event_follows_from_the_right_one(market):
    _, ev = market[0], market[1].events
    piv = ev[ev["kind"].isin(["pivot_high", "pivot_low"])]
    size = np.where(piv["scope"] == "swing", CONFIG.swing_size, CONFIG.internal_size)
    assert (piv["confirmed"] - piv["bar"] == size).all()
    assert (piv["direction"] == np.where(piv["kind"] == "pivot_high", 1, -1)).all()
    for kind in ("bos", "choch"):
        rows, parent = _parent(ev, kind)
        assert parent["kind"].isin(["pivot_high", "pivot_low"]).all()
        assert (parent["level"] == rows["level"]).all() and (parent["scope"] == rows["scope"]).all()
        assert (rows["direction"] == np.where(parent["kind"] == "pivot_high", 1, -1)).all()
    rows, parent = _parent(ev, "ob")
    assert parent["kind"].isin(["bos", "choch"]).all() and (parent["confirmed"] == rows["confirmed"]).all()
    assert ((parent["bar"] <= rows["bar"]) & (rows["bar"] < rows["confirmed"])).all()  # between pivot and break
    rows, parent = _parent(ev, "breaker")
    assert (parent["kind"] == "ob").all() and (rows["direction"] == -parent["direction"]).all()
    assert (rows["confirmed"] > parent["confirmed"]).all()
    for kind, zone in (
        ("ob_mitigated", "ob"),
        ("breaker_mitigated", "breaker"),
        ("breaker_invalidated", "breaker"),
        ("mb_mitigated", "mb"),
        ("mb_invalidated", "mb"),
        ("fvg_mitigated", "fvg"),
        ("fvg_filled", "fvg"),
    ):
        rows, parent = _parent(ev, kind)
        assert (parent["kind"] == zone).all()
        assert (rows["confirmed"] > parent["confirmed"]).all()  # never on the bar that made the zone
        assert (
            rows[["top", "bottom", "bar", "direction"]].values == parent[["top", "bottom", "bar", "direction"]].values
        ).all()
    rows, parent = _parent(ev, "sweep")
    assert parent["kind"].isin(["equal_highs", "equal_lows"]).all()
    assert (rows["direction"] == -parent["direction"]).all()
    rows, parent = _parent(ev, "run")
    assert (rows["direction"] == parent["direction"]).all()
    gaps = ev[ev["kind"] == "fvg"]
    assert (gaps["confirmed"] == gaps["bar"] + 1).all()


def test_zones_know_when_they_ended(market):
    _, analysis = market
    zones = analysis.zones()
    ev = analysis.events
    assert set(zones["kind"]) == {"ob", "breaker", "mb", "fvg"}
    ended = zones[zones["end"] >= 0]
    assert (ended["end"] > ended["start"]).all()
    breakers = ev[ev["kind"] == "breaker"]
    assert (zones.loc[breakers["ref"], "end"].to_numpy() == breakers["confirmed"].to_numpy()).all()


def test_explain_lists_the_events_behind_a_signal(market):
    _, analysis = market
    text = analysis.explain(0)
    first = analysis.signals.iloc[0]
    assert text.splitlines()[0].startswith(f"{first['direction']} {first['setup']} at bar {first['confirmed']}")
    assert len(text.splitlines()) == 1 + len(first["reasons"])


def test_signals_concatenate_across_symbols():
    a = analyze(generate_candles(2000, seed=1), CONFIG).signals
    b = analyze(generate_candles(2000, seed=2), CONFIG).signals
    both = pd.concat([a.assign(symbol="A"), b.assign(symbol="B")], ignore_index=True)
    assert both["direction"].dtype == a["direction"].dtype and both["setup"].dtype == a["setup"].dtype


def test_a_market_that_never_moves_gives_no_signal_and_no_nan_levels():
    index = pd.date_range("2024-01-01", periods=300, freq="5min", tz="UTC")
    flat = pd.DataFrame({"open": 100.0, "high": 100.0, "low": 100.0, "close": 100.0, "volume": 5.0}, index=index)
    analysis = analyze(flat, CONFIG)
    assert analysis.signals.empty
    assert (analysis.atr == 0).all()
    assert not analysis.events[["top", "bottom", "level"]].isna().any().any()


def test_both_event_sorts_give_the_same_table(monkeypatch):
    from trading.engine import events

    candles = generate_candles(3000, seed=5, tick=0.05)  # ties on a coarse grid
    compiled = analyze(candles, CONFIG)
    monkeypatch.setattr(events, "SMALL", 0)  # force the numpy path
    vectorized = analyze(candles, CONFIG)
    pd.testing.assert_frame_equal(compiled.events, vectorized.events)
    pd.testing.assert_frame_equal(compiled.signals, vectorized.signals)
