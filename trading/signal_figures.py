"""What the signal list, page and API show beside a signal's levels: expected R after costs, its evidence
in words, how far the price is from its entry, and which signals are auto-executable (as a query)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Q

from market.selectors.snapshots import snapshots_of
from trading import conf
from trading.engine.costs import cost_rate, net_r
from trading.models import Signal


def engine_cost_rate() -> float:
    """The round-trip cost the engine charges a setup, as a fraction of its entry (the configured fees)."""
    config = conf.engine_config()
    return cost_rate(config.taker_fee, config.slippage_bps)


def expected_r(signal: Signal, rate: float | None = None) -> tuple[float | None, float | None]:
    """Expected R after costs at TP1 and TP2, as the engine computed it (``trading.engine.costs.net_r``
    with the engine's fees): recomputed from the stored levels, since the row does not store it.
    ``rate``: ``engine_cost_rate()``, read once by a caller with many signals."""
    risk = abs(float(signal.entry) - float(signal.stop_loss))
    cost = float(signal.entry) * (engine_cost_rate() if rate is None else rate)
    if risk + cost <= 0:
        return (None, None)
    return tuple(
        round(net_r(abs(float(tp) - float(signal.entry)), risk, cost), 2)
        for tp in (signal.take_profit_1, signal.take_profit_2)
    )


def evidence_text(signal: Signal) -> str:
    """``54 % (41\u201366 %), n=62``; ``no past outcomes`` when the class has none yet."""
    if not signal.evidence_n or signal.evidence_rate is None:
        return "no past outcomes"
    rate = round(signal.evidence_rate * 100)
    if signal.evidence_low is None or signal.evidence_high is None:
        return f"{rate} %, n={signal.evidence_n}"
    low, high = round(signal.evidence_low * 100), round(signal.evidence_high * 100)
    return f"{rate} % ({low}\u2013{high} %), n={signal.evidence_n}"


def executable_q() -> Q:
    """The rows whose ``Signal.verdict`` is auto-executable (``trading.engine.evidence.execution_verdict``):
    live, confidence strictly above the threshold, positive mean R after costs over enough outcomes."""
    return Q(
        historical=False,
        confidence__gt=conf.signal_min_confidence(),
        evidence_n__gte=conf.evidence_config().min_samples,
        evidence_mean_r__gt=0,
    )


def last_prices(signals: Iterable[Signal]) -> dict[tuple[str, str], Decimal]:
    """The last traded price of each signal's symbol from the cached tickers: one cache read for the whole
    page (not one per row); symbols the snapshot lacks are left out."""
    pairs = {(s.exchange, s.symbol) for s in signals}
    if not pairs:
        return {}
    snaps = snapshots_of("tickers", sorted({exchange for exchange, _ in pairs}))
    prices = {}
    for exchange, symbol in pairs:
        ticker = (snaps[exchange].data or {}).get(symbol)
        if ticker is not None and ticker.last:
            prices[(exchange, symbol)] = ticker.last
    return prices


def distance_pct(signal: Signal, last: Decimal | None) -> float | None:
    """How far the current price is from the entry, in percent of the entry (+: above it)."""
    if last is None or not signal.entry:
        return None
    return round(float((Decimal(last) - signal.entry) / signal.entry * 100), 2)


def annotate(signals: Iterable[Signal]) -> list[Signal]:
    """The page's signals with ``r_tp1_net``/``r_tp2_net``, ``evidence_text`` and ``distance_pct`` set."""
    rows = list(signals)
    prices = last_prices(rows)
    rate = engine_cost_rate()  # once per page, not once per row
    for signal in rows:
        signal.r_tp1_net, signal.r_tp2_net = expected_r(signal, rate)
        signal.evidence_text = evidence_text(signal)
        signal.distance_pct = distance_pct(signal, prices.get((signal.exchange, signal.symbol)))
    return rows
