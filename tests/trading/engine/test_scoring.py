"""Signals: stop beyond the invalidation level plus an ATR buffer, targets at 1:2 and 1:3, confidence
as the sum of the documented confluence weights, one signal per bar."""

import numpy as np
import pytest

from tests.trading.engine.builders import STRUCTURE_BARS, candles, small_config
from trading.engine import EngineConfig, analyze
from trading.engine.scoring import stop_and_targets
from trading.engine.synthetic import generate_candles
from trading.engine.volume_profile import profile_at


def test_long_stop_below_the_level_by_the_buffer_and_targets_at_two_and_three_r():
    # entry 100, block bottom 98, ATR 2, buffer 0.25 -> stop 97.5, risk 2.5, TP1 105, TP2 107.5
    stop, tp1, tp2, risk = stop_and_targets(1.0, 100.0, 98.0, 2.0, 0.25, 2.0, 3.0)
    assert (stop, risk, tp1, tp2) == (97.5, 2.5, 105.0, 107.5)


def test_short_stop_above_the_level_and_targets_below():
    stop, tp1, tp2, risk = stop_and_targets(-1.0, 100.0, 102.0, 2.0, 0.25, 2.0, 3.0)
    assert (stop, risk, tp1, tp2) == (102.5, 2.5, 95.0, 92.5)


def test_the_breaker_short_of_the_hand_example():
    # Bar 13 retests the bearish breaker [9, 10] (bars 12-13 of the structure example) and closes 8.5:
    # a SHORT at 8.5 with the stop 0.25 ATR above the breaker's top 10.
    analysis = analyze(candles(STRUCTURE_BARS), small_config())
    sig = analysis.signals.set_index("confirmed").loc[13]
    assert (sig["direction"], sig["setup"], sig["entry"]) == ("SHORT", "swing_breaker", 8.5)
    assert sig["stop_loss"] == pytest.approx(10 + 0.25 * analysis.atr[13])
    risk = sig["stop_loss"] - 8.5
    assert sig["take_profit_1"] == pytest.approx(8.5 - 2 * risk)
    assert sig["take_profit_2"] == pytest.approx(8.5 - 3 * risk)
    # both scopes (size 2 here) retest their breaker on bar 13: the swing one wins, the internal one is
    # among the reasons (and scores the zone-confluence points)
    here = analysis.events.loc[[r for r in sig["reasons"] if analysis.events.loc[r, "confirmed"] == 13]]
    assert here[["kind", "scope"]].astype(str).values.tolist() == [
        ["breaker_mitigated", "swing"],
        ["breaker_mitigated", "internal"],
    ]


SETUP_WEIGHT = {"ob": "w_ob", "breaker": "w_breaker", "mb": "w_mb", "fvg": "w_fvg", "sweep": "w_sweep"}
ZONE_TRIGGERS = ("ob_mitigated", "breaker_mitigated", "mb_mitigated", "fvg_mitigated")


def _reference_confidence(analysis, frame, signal, cfg):
    """The confidence of a signal recomputed from the event table and the candles, rule by rule."""
    ev = analysis.events
    t, d = int(signal["confirmed"]), (1 if signal["direction"] == "LONG" else -1)
    setup = str(signal["setup"])
    kind = setup.split("_", 1)[-1]
    points = getattr(cfg, SETUP_WEIGHT[kind]) + (cfg.w_swing_scope if setup.startswith("swing_") else 0)
    sb = analysis.swing_bias[t]
    points += cfg.w_swing_bias if sb == d else (cfg.w_counter_trend if sb == -d else 0)
    points += cfg.w_internal_bias if analysis.internal_bias[t] == d else 0
    upto = t - 1 if kind == "sweep" else t
    window = ev[(ev["direction"] == d) & (ev["confirmed"] >= t - cfg.confluence_lookback)]
    if ((window["kind"] == "sweep") & (window["confirmed"] <= upto)).any():
        points += cfg.w_recent_sweep
    if ((window["kind"] == "choch") & (window["confirmed"] <= t)).any():
        points += cfg.w_recent_choch
    here = ev[ev["kind"].isin(ZONE_TRIGGERS) & (ev["confirmed"] == t) & (ev["direction"] == d)]
    boxes = len(set(zip(here["top"], here["bottom"], strict=True)))  # one price box counts once
    if boxes - (kind != "sweep") >= 1:
        points += cfg.w_zone_confluence
    o, h, lo, c = frame.iloc[t][["open", "high", "low", "close"]]
    if d * (c - o) > 0 and d * (c - (h + lo) / 2) >= 0:
        points += cfg.w_rejection
    p = profile_at(
        frame["high"].to_numpy(),
        frame["low"].to_numpy(),
        frame["close"].to_numpy(),
        frame["volume"].to_numpy(),
        np.array([t]),
        window=cfg.profile_window,
        bins=cfg.profile_bins,
        value_area=cfg.value_area,
    )
    points += cfg.w_premium_discount if d * (p.equilibrium[0] - c) > 0 else 0
    points += cfg.w_volume_profile if d * (p.poc[0] - c) >= 0 else 0
    return int(np.clip(np.rint(points), 0, 100))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_confidence_is_the_sum_of_the_documented_weights(seed):
    cfg = EngineConfig(swing_size=20, internal_size=4, report_confidence=0)
    frame = generate_candles(1500, seed=seed)
    analysis = analyze(frame, cfg)
    assert len(analysis.signals) > 50
    for _, signal in analysis.signals.iterrows():
        assert signal["confidence"] == _reference_confidence(analysis, frame, signal, cfg), signal


def test_one_price_box_counts_once_in_confluence():
    # Bar 13 of the structure example retests the bearish breaker [9, 10] in both scopes (size 2 each):
    # two copies of one box, so the swing breaker gets no "another zone" points from its internal twin.
    frame = candles(STRUCTURE_BARS)
    with_zone = analyze(frame, small_config()).signals.set_index("confirmed").loc[13]
    without = analyze(frame, small_config(w_zone_confluence=0.0)).signals.set_index("confirmed").loc[13]
    assert with_zone["setup"] == without["setup"] == "swing_breaker"
    assert with_zone["confidence"] == without["confidence"]


def test_an_order_block_and_a_mitigation_block_on_one_candle_are_one_zone():
    cfg = EngineConfig(swing_size=20, internal_size=4, report_confidence=0)
    shared = 0
    for seed in (1, 2, 3, 4):
        analysis = analyze(generate_candles(3000, seed=seed), cfg)
        ev = analysis.events
        kinds = ev["kind"].astype(str)
        trig = ev[kinds.isin(["ob_mitigated", "mb_mitigated"])]
        boxes = trig.groupby(["confirmed", "direction", "top", "bottom"], observed=True)["kind"]
        both = boxes.agg(lambda k: {"ob_mitigated", "mb_mitigated"} <= set(k.astype(str)))
        for (t, d, top, bottom), same in both.items():
            if not same:
                continue
            others = ev[
                kinds.isin(ZONE_TRIGGERS)
                & (ev["confirmed"] == t)
                & (ev["direction"] == d)
                & ~((ev["top"] == top) & (ev["bottom"] == bottom))
            ]
            side = "LONG" if d > 0 else "SHORT"
            sig = analysis.signals[(analysis.signals["confirmed"] == t) & (analysis.signals["direction"] == side)]
            if others.empty and len(sig) and str(sig["setup"].iloc[0]).endswith(("_ob", "_mb")):
                shared += 1
                again = analyze(generate_candles(3000, seed=seed), cfg.with_(w_zone_confluence=0.0)).signals
                assert again.loc[again["confirmed"] == t, "confidence"].iloc[0] == sig["confidence"].iloc[0]
    assert shared >= 1  # the case occurs on these series


def test_every_signal_risks_to_its_stop_and_aims_at_one_to_two_and_one_to_three():
    cfg = EngineConfig(swing_size=20, internal_size=4, report_confidence=0)
    frame = generate_candles(3000, seed=8)
    analysis = analyze(frame, cfg)
    sig = analysis.signals
    d = np.where(sig["direction"] == "LONG", 1.0, -1.0)
    risk = d * (sig["entry"] - sig["stop_loss"])
    assert (risk > 0).all()
    assert np.allclose(sig["take_profit_1"], sig["entry"] + d * 2 * risk)
    assert np.allclose(sig["take_profit_2"], sig["entry"] + d * 3 * risk)
    assert (risk <= cfg.max_risk_atr * analysis.atr[sig["confirmed"]] + 1e-12).all()
    assert (sig["entry"] == frame["close"].to_numpy()[sig["confirmed"]]).all()
    # the stop is the invalidation level (zone edge, or the sweep candle's extreme) plus 0.25 ATR
    ev = analysis.events
    for _, s in sig.iterrows():
        t, side = s["confirmed"], (1 if s["direction"] == "LONG" else -1)
        triggers = ev.loc[list(s["reasons"])]
        trigger = triggers[
            (triggers["confirmed"] == t)
            & (triggers["direction"] == side)
            & triggers["kind"].isin([*ZONE_TRIGGERS, "sweep"])
        ]
        level = trigger["bottom"] if side == 1 else trigger["top"]
        assert np.isclose(level - side * 0.25 * analysis.atr[t], s["stop_loss"]).any()


def test_executable_means_above_min_confidence_and_nothing_below_the_report_floor():
    frame = generate_candles(3000, seed=5)
    sig = analyze(frame, EngineConfig(swing_size=20, internal_size=4)).signals
    assert (sig["confidence"] >= 50).all()
    assert (sig["executable"] == (sig["confidence"] > 75)).all()
    assert (sig["confidence"] == 75).any() and not sig.loc[sig["confidence"] == 75, "executable"].any()
    assert sig["executable"].any() and not sig["executable"].all()
    strict = analyze(frame, EngineConfig(swing_size=20, internal_size=4, min_confidence=90)).signals
    assert (strict["executable"] == (strict["confidence"] > 90)).all()
    everything = analyze(frame, EngineConfig(swing_size=20, internal_size=4, report_confidence=0)).signals
    assert len(everything) > len(sig)
    cols = ["confirmed", "direction", "setup", "entry", "stop_loss", "confidence"]
    reported = everything[everything["confidence"] >= 50][cols].reset_index(drop=True)
    assert reported.equals(sig[cols].reset_index(drop=True))


def test_one_signal_per_bar_and_the_weights_decide_it():
    frame = generate_candles(3000, seed=6)
    base = {"swing_size": 20, "internal_size": 4, "report_confidence": 1}
    zero = {
        f: 0.0
        for f in (
            "w_ob",
            "w_breaker",
            "w_mb",
            "w_fvg",
            "w_sweep",
            "w_swing_scope",
            "w_swing_bias",
            "w_internal_bias",
            "w_counter_trend",
            "w_recent_sweep",
            "w_recent_choch",
            "w_zone_confluence",
            "w_premium_discount",
            "w_volume_profile",
            "w_rejection",
        )
    }
    only_fvg = analyze(frame, EngineConfig(**base, **{**zero, "w_fvg": 60.0})).signals
    assert set(only_fvg["setup"].astype(str)) == {"fvg"} and (only_fvg["confidence"] == 60).all()
    assert only_fvg["confirmed"].is_unique  # a long and a short of equal weight on one bar cancel out
    blocks_first = analyze(frame, EngineConfig(**base, **{**zero, "w_fvg": 60.0, "w_ob": 70.0})).signals
    both = set(blocks_first["setup"].astype(str))
    assert both == {"fvg", "swing_ob", "internal_ob"}
    assert (blocks_first.loc[blocks_first["setup"] != "fvg", "confidence"] == 70).all()
    assert blocks_first["confirmed"].is_unique
