"""A signal explained: the events behind it as sentences, and as chart overlay data with prices and times.

Built once, when the signal is saved, from the engine's ``Analysis`` (event rows are only meaningful
inside one analysis, so the signal keeps the events themselves, not row numbers). Roles:
``trigger`` (the retest or sweep that fired the signal), ``reason`` (the zone, break and pivot it came
from, a recent sweep or CHoCH, other zones retested on the same bar) and ``context`` (other zones
alive at the signal, recent breaks and sweeps near the price), drawn fainter.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from trading.engine import Analysis

ZONE_KINDS = ("ob", "mb", "breaker", "fvg")
BREAK_KINDS = ("bos", "choch")
MAX_CONTEXT_ZONES = 6
MAX_CONTEXT_BREAKS = 4
MAX_CONTEXT_SWEEPS = 3
CONTEXT_BARS = 100
TIMES, DASH = "\u00d7", "\u2013"  # "x" and "-" as typeset in the sentences

# setup -> (trigger kind, scope)
SETUP_TRIGGER = {
    "swing_ob": ("ob_mitigated", "swing"),
    "internal_ob": ("ob_mitigated", "internal"),
    "swing_breaker": ("breaker_mitigated", "swing"),
    "internal_breaker": ("breaker_mitigated", "internal"),
    "swing_mb": ("mb_mitigated", "swing"),
    "internal_mb": ("mb_mitigated", "internal"),
    "fvg": ("fvg_mitigated", ""),
    "sweep": ("sweep", ""),
}
SETUP_LABELS = {
    "swing_ob": "Swing order block retest",
    "internal_ob": "Internal order block retest",
    "swing_breaker": "Swing breaker block retest",
    "internal_breaker": "Internal breaker block retest",
    "swing_mb": "Swing mitigation block retest",
    "internal_mb": "Internal mitigation block retest",
    "fvg": "Fair value gap retest",
    "sweep": "Liquidity sweep",
    "sniper_pump": "Sniper: pump",
    "sniper_dump": "Sniper: dump",
}
BLOCK_NAMES = {
    "ob": "order block",
    "mb": "mitigation block",
    "breaker": "breaker block",
    "fvg": "fair value gap",
    "ob_mitigated": "order block",
    "mb_mitigated": "mitigation block",
    "breaker_mitigated": "breaker block",
    "fvg_mitigated": "fair value gap",
}


def setup_label(setup: str) -> str:
    return SETUP_LABELS.get(setup, setup.replace("_", " ").capitalize())


def price(value: float) -> str:
    """A price with about six significant digits and no exponent: 97,000.5 / 3,412.25 / 0.0185432."""
    if value is None or not math.isfinite(value):
        return "?"
    if value == 0:
        return "0"
    decimals = min(max(5 - math.floor(math.log10(abs(value))), 0), 10)
    return f"{value:,.{decimals}f}"


def _when(moment: pd.Timestamp) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _float(value: Any) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _bullish(direction: int) -> str:
    return "bullish" if direction > 0 else "bearish"


def _sentence(e: pd.Series, index: pd.DatetimeIndex) -> str:
    """One event in words."""
    kind, scope, d = str(e.kind), str(e.scope), int(e.direction)
    scope_word = f"{scope} " if scope else ""
    at = _when(index[int(e.bar)])
    known = _when(index[int(e.confirmed)])
    band = f"{price(e.bottom)}{DASH}{price(e.top)}"
    if kind in ("ob_mitigated", "breaker_mitigated", "mb_mitigated"):
        return (
            f"Price came back into the {_bullish(d)} {scope_word}{BLOCK_NAMES[kind]} {band} for the first time "
            f"({e.value:.0f} % deep) on the {known} candle."
        )
    if kind == "fvg_mitigated":
        return (
            f"Price traded into the {_bullish(d)} fair value gap {band} ({e.value:.0f} % filled) on the {known} candle."
        )
    if kind in ("ob", "mb"):
        origin = "at a change of character (failure swing)" if kind == "mb" else "before the break"
        return (
            f"{_bullish(d).capitalize()} {scope_word}{BLOCK_NAMES[kind]} {band}: the {at} candle, "
            f"the last opposite candle {origin}."
        )
    if kind == "breaker":
        return (
            f"{_bullish(d).capitalize()} {scope_word}breaker block {band}: an order block that price closed "
            f"through on the {known} candle, now acting the other way."
        )
    if kind == "fvg":
        return f"{_bullish(d).capitalize()} fair value gap {band} ({e.value:.2f}{TIMES} ATR) left by the {at} candle."
    if kind in BREAK_KINDS:
        name = "break of structure (BOS)" if kind == "bos" else "change of character (CHoCH)"
        side = "above the high" if d > 0 else "below the low"
        way = "up" if d > 0 else "down"
        return f"{scope.capitalize()} {name} {way}: a close {side} at {price(e.level)} on the {known} candle."
    if kind in ("pivot_high", "pivot_low"):
        what = "high" if kind == "pivot_high" else "low"
        return f"{scope.capitalize()} swing {what} at {price(e.level)} ({at})."
    if kind in ("equal_highs", "equal_lows"):
        side = "above" if kind == "equal_highs" else "below"
        name = "Equal highs" if kind == "equal_highs" else "Equal lows"
        return f"{name} at {price(e.level)}: resting stop orders (liquidity) {side}, confirmed {known}."
    if kind == "sweep":
        pool = "equal lows" if d > 0 else "equal highs"
        return (
            f"Liquidity sweep: the {known} candle wicked {e.value:.2f}{TIMES} ATR through the {pool} at "
            f"{price(e.level)} and closed back inside."
        )
    if kind == "run":
        return f"Price ran through the liquidity at {price(e.level)} and closed beyond it ({known})."
    return f"{kind.replace('_', ' ').capitalize()} ({known})."


def _event(e: pd.Series, index: pd.DatetimeIndex, role: str, end: int | None) -> dict[str, Any]:
    return {
        "kind": str(e.kind),
        "scope": str(e.scope),
        "direction": int(e.direction),
        "time": index[int(e.bar)].isoformat(),
        "confirmed_time": index[int(e.confirmed)].isoformat(),
        "end_time": index[end].isoformat() if end is not None else None,
        "top": _float(e.top),
        "bottom": _float(e.bottom),
        "level": _float(e.level),
        "value": _float(e.value),
        "role": role,
    }


def _trigger_row(analysis: Analysis, signal: pd.Series) -> int | None:
    """The reason row that fired the signal: its setup's kind and scope, with the stop the signal has."""
    kind, scope = SETUP_TRIGGER.get(str(signal.setup), ("", ""))
    ev = analysis.events
    d = 1 if signal.direction == "LONG" else -1
    t = int(signal.confirmed)
    best, best_gap = None, math.inf
    for r in signal.reasons:
        e = ev.iloc[r]
        if str(e.kind) != kind or str(e.scope) != scope or int(e.direction) != d or int(e.confirmed) != t:
            continue
        invalidation = e.bottom if d > 0 else e.top
        stop = invalidation - d * analysis.config.sl_atr_buffer * analysis.atr[t]
        gap = abs(stop - float(signal.stop_loss))
        if gap < best_gap:
            best, best_gap = int(r), gap
    return best


def signal_story(
    analysis: Analysis, position: int, zones: pd.DataFrame | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """(reasons in words, events for the chart) of the signal at row ``position`` of ``analysis.signals``.

    ``zones``: ``analysis.zones()``, when the caller explains several signals of one analysis.
    """
    signal = analysis.signals.iloc[position]
    ev = analysis.events
    index = analysis.index
    t = int(signal.confirmed)
    d = 1 if signal.direction == "LONG" else -1
    zones = analysis.zones() if zones is None else zones
    zone_end = {int(r): (int(end) if 0 <= end <= t else None) for r, end in zip(zones.index, zones["end"], strict=True)}

    trigger = _trigger_row(analysis, signal)
    reason_rows = [int(r) for r in signal.reasons]
    # The chain behind each reason (a retest -> its zone -> the break -> the pivot; a sweep -> its pool).
    chosen: dict[int, str] = {}
    for r in reason_rows:
        chosen[r] = "trigger" if r == trigger else "reason"
        ref, depth = int(ev.iloc[r].ref), 0
        while ref >= 0 and depth < 3:
            chosen.setdefault(ref, "reason")
            ref, depth = int(ev.iloc[ref].ref), depth + 1

    ordered = sorted(chosen, key=lambda r: (chosen[r] != "trigger", -int(ev.iloc[r].confirmed), r))
    words = [_sentence(ev.iloc[r], index) for r in ordered]
    words.extend(_bias_sentences(analysis, t, d))
    risk = abs(float(signal.entry) - float(signal.stop_loss))
    side = "below" if d > 0 else "above"
    c = analysis.config
    words.append(
        f"Entry {price(signal.entry)} at the close; stop {price(signal.stop_loss)} {side} the invalidation level "
        f"plus {c.sl_atr_buffer:g}{TIMES} ATR (risk {price(risk)}); targets {price(signal.take_profit_1)} "
        f"(1:{c.tp1_rr:g}) and {price(signal.take_profit_2)} (1:{c.tp2_rr:g})."
    )
    events = [_event(ev.iloc[r], index, chosen[r], zone_end.get(r)) for r in sorted(chosen)]
    events.extend(_context(analysis, signal, t, set(chosen), zone_end, zones))
    return words, events


def higher_timeframe_sentences(higher: dict[str, Analysis], signal: pd.Series) -> list[str]:
    """The higher-timeframe trend break and zone that scored the signal (``analyze_mtf``), in words."""
    out = []
    for timeframe, row in getattr(signal, "htf_reasons", None) or ():
        analysis = higher.get(timeframe)
        if analysis is not None:
            out.append(f"On the {timeframe} chart: {_sentence(analysis.events.iloc[int(row)], analysis.index)}")
    return out


def _bias_sentences(analysis: Analysis, t: int, d: int) -> list[str]:
    out = []
    for name, bias in (("Swing", analysis.swing_bias[t]), ("Internal", analysis.internal_bias[t])):
        if bias == 0:
            continue
        trend = "bullish" if bias > 0 else "bearish"
        agrees = "with the trade" if bias == d else "against the trade"
        out.append(f"{name} trend is {trend} ({agrees}).")
    return out


def _context(
    analysis: Analysis, signal: pd.Series, t: int, taken: set[int], zone_end: dict, zones: pd.DataFrame
) -> list[dict[str, Any]]:
    ev = analysis.events
    index = analysis.index
    levels = [float(signal.entry), float(signal.stop_loss), float(signal.take_profit_2)]
    pad = 0.5 * (max(levels) - min(levels))
    lo, hi = min(levels) - pad, max(levels) + pad
    conf = ev["confirmed"].to_numpy()
    kinds = ev["kind"].astype(str).to_numpy()
    rows = np.arange(len(ev))
    out: list[dict[str, Any]] = []

    start, end = zones["start"].to_numpy(), zones["end"].to_numpy()
    alive = (start <= t) & ((end < 0) | (end > t)) & (t - start <= analysis.config.zone_max_age)
    near = (zones["bottom"].to_numpy() <= hi) & (zones["top"].to_numpy() >= lo)
    picked = [int(r) for r in zones.index[alive & near] if int(r) not in taken][-MAX_CONTEXT_ZONES:]
    out.extend(_event(ev.iloc[r], index, "context", zone_end.get(r)) for r in picked)

    window = (conf <= t) & (conf >= t - CONTEXT_BARS)
    for wanted, limit in ((BREAK_KINDS, MAX_CONTEXT_BREAKS), (("sweep",), MAX_CONTEXT_SWEEPS)):
        mask = window & np.isin(kinds, wanted)
        picked = [int(r) for r in rows[mask] if int(r) not in taken][-limit:]
        out.extend(_event(ev.iloc[r], index, "context", None) for r in picked)
    return out
