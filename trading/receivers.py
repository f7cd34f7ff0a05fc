"""Trading listens to the market: a newly closed candle queues the signal run of exactly its series.

Connected in ``trading.apps.TradingConfig.ready`` (trading may import market; market imports no app).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.dispatch import receiver

from market.signals import candles_closed
from trading import conf


@receiver(candles_closed, dispatch_uid="trading.signals_on_closed_candle")
def _candles_closed(sender, *, exchange: str, symbol: str, timeframe: str, last: datetime, **kwargs) -> None:
    from trading.tasks import run_signals

    symbols = conf.signal_symbols()
    if timeframe not in conf.signal_timeframes() or (symbols is not None and symbol not in symbols):
        return
    # After commit: the worker must find the candles the run is about.
    transaction.on_commit(lambda: run_signals.delay(exchange, symbol, timeframe))
