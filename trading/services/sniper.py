"""The sniper scan: the pure detector over the universe's stored 1-minute candles, new alerts saved and pushed.

Runs every 30 s. Each scan reads enough 1-minute candles per symbol for the liquidation estimate, the
5-minute window and the quiet window that ends a move, and keeps the alerts on bars of the last
``FLAXU_SNIPER_RECENT_MINUTES`` minutes (a missed scan is caught up by the next); alerts are unique per
symbol and bar, so overlapping scans add nothing twice.

Liquidations: the detector needs the map *as it was before the move* (the heatmap sweeps the levels a
move trades through, so the live map after a dump shows little left to clear). The live heatmap
(``market.selectors.intel.liquidation_map_for``) is used when it was last updated within
``HEATMAP_MAX_AGE`` before the window's start and not after it; otherwise the detector's own estimate
from the candles (the same model: tiers and weights of ``market.liquidation_map``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from django.db import transaction

from core.realtime.push import push
from market.formatting import symbol_label
from market.selectors.candles import candle_exchanges, candle_frame
from market.sources import get_source
from trading import conf
from trading.engine import sniper
from trading.models import SniperAlert
from trading.models.fields import PERCENT, PRICE, to_decimal

logger = logging.getLogger(__name__)

ALERTS_GROUP = "sniper.alerts"
ALERT_EVENT = "sniper_alert"
HEATMAP_MAX_AGE = 300.0  # seconds
_PLACES = PRICE["decimal_places"]
_PCT = PERCENT["decimal_places"]


def _heatmap(symbol: str):
    try:
        from market.selectors.intel import liquidation_map_for
    except ImportError:  # pragma: no cover - the market app decides what it offers
        return None
    try:
        return liquidation_map_for(symbol)
    except Exception:
        logger.warning("sniper: no liquidation heatmap for %s", symbol, exc_info=True)
        return None


def _liquidations(symbol: str, frame: pd.DataFrame, config: sniper.SniperConfig) -> sniper.LiquidationSource:
    """The map as known at the close of each bar: the live heatmap if it predates the move, else the estimate."""
    estimate = sniper.candle_liquidation_source(frame, config.liquidations)
    heatmap = _heatmap(symbol)
    if heatmap is None or getattr(heatmap, "updated_at", None) is None:
        return estimate
    closes = frame.index.asi8 // 1_000_000_000 + 60

    def source(bar: int) -> sniper.LiquidationMap:
        known_at = float(closes[bar])
        if known_at - HEATMAP_MAX_AGE <= heatmap.updated_at <= known_at:
            return heatmap
        return estimate(bar)

    return source


def sniper_scan(*, now: datetime | None = None, symbols: list[str] | None = None) -> list[SniperAlert]:
    """Scan the universe's 1-minute candles; save and push the new alerts of the last few minutes."""
    source = get_source()
    now = now or source.now()
    exchange = candle_exchanges(source)[0]
    config = conf.sniper_config()
    recent = timedelta(minutes=conf.sniper_recent_minutes())
    bars = (
        config.liquidations.entry_lookback
        + config.window_minutes
        + config.rearm_quiet_bars  # a move alerted on before the saved minutes is still seen as one
        + int(recent / timedelta(minutes=1))
        + 5
    )
    closed_by = pd.Timestamp(now) - pd.Timedelta(minutes=1)
    universe, liquidations = {}, {}
    for symbol in symbols or source.universe():
        frame = candle_frame(exchange, symbol, "1m", limit=bars)
        frame = frame[frame.index <= closed_by]
        if len(frame) > config.window_minutes:
            universe[symbol] = frame
            liquidations[symbol] = _liquidations(symbol, frame, config)
    if not universe:
        return []
    alerts = sniper.scan(universe, config, liquidations=liquidations)
    alerts = alerts[alerts["time"] >= pd.Timestamp(now) - recent]
    return _save(exchange, alerts)


def _save(exchange: str, alerts: pd.DataFrame) -> list[SniperAlert]:
    rows = [
        SniperAlert(
            exchange=exchange,
            symbol=a.symbol,
            time=pd.Timestamp(a.time).to_pydatetime(),
            move=a.move,
            change_pct=to_decimal(a.change_pct, _PCT),
            cleared_pct=to_decimal(a.cleared_pct, _PCT),
            direction=a.direction,
            entry=to_decimal(a.entry, _PLACES),
            stop_loss=to_decimal(a.stop_loss, _PLACES),
            take_profit=to_decimal(a.take_profit, _PLACES),
            origin_price=to_decimal(a.origin_price, _PLACES),
        )
        for a in alerts.itertuples(index=False)
    ]
    if not rows:
        return []
    with transaction.atomic():
        keys = {(r.symbol, r.time) for r in rows}
        stored = set(
            SniperAlert.objects.filter(exchange=exchange, time__in=[r.time for r in rows]).values_list("symbol", "time")
        )
        fresh = [r for r in rows if (r.symbol, r.time) not in stored]
        SniperAlert.objects.bulk_create(fresh, ignore_conflicts=True)
        candidates = SniperAlert.objects.filter(exchange=exchange, time__in=[r.time for r in fresh])
        created = [
            a
            for a in candidates.order_by("time", "id")
            if (a.symbol, a.time) in keys and (a.symbol, a.time) not in stored
        ]
        for alert in created:
            sniper_push(alert)
    if created:
        logger.info("sniper: %d new alert(s)", len(created))
    return created


def alert_event(alert: SniperAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "exchange": alert.exchange,
        "symbol": alert.symbol,
        "symbol_label": symbol_label(alert.symbol),
        "time": alert.time,
        "move": alert.move,
        "change_pct": alert.change_pct,
        "cleared_pct": alert.cleared_pct,
        "direction": alert.direction,
        "entry": alert.entry,
        "stop_loss": alert.stop_loss,
        "take_profit": alert.take_profit,
        "origin_price": alert.origin_price,
    }


def sniper_push(alert: SniperAlert) -> None:
    """Tell FULL users' pages: ``sniper.alerts``, type ``sniper_alert`` (after commit)."""
    push(ALERTS_GROUP, ALERT_EVENT, alert_event(alert))
