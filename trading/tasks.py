"""Celery entry points of trading: thin, they load by id and call a service.

Default schedules (trading/migrations/0002_default_schedules.py, editable in the admin): signals every
minute (fanned out, one task per series with a newly closed candle), the sniper scan every 30 s, the
calibration snapshot daily.
"""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from trading.services.backtests import backtest_run
from trading.services.calibration import calibration_refresh
from trading.services.signals import signals_due, signals_run
from trading.services.sniper import sniper_scan

QUEUED_KEY = "trading:signals:queued:{}:{}:{}"
QUEUED_SECONDS = 300  # a series is not queued again while its run waits in a backlog (at most this long)


@shared_task(ignore_result=True)
def run_signals_due() -> int:
    """Queue one signal run per followed series whose newest closed candle has not been analysed yet."""
    queued = 0
    for exchange, symbol, timeframe in signals_due():
        if cache.add(QUEUED_KEY.format(exchange, symbol, timeframe), True, timeout=QUEUED_SECONDS):
            run_signals.delay(exchange, symbol, timeframe)
            queued += 1
    return queued


@shared_task(ignore_result=True)
def run_signals(exchange: str, symbol: str, timeframe: str) -> int:
    try:
        return len(signals_run(exchange=exchange, symbol=symbol, timeframe=timeframe))
    finally:
        cache.delete(QUEUED_KEY.format(exchange, symbol, timeframe))


@shared_task(ignore_result=True)
def scan_sniper() -> int:
    return len(sniper_scan())


# A backtest is bounded by FLAXU_BACKTEST_MAX_CANDLES; these limits only stop a runaway one.
@shared_task(ignore_result=True, soft_time_limit=1500, time_limit=1800)
def run_backtest(backtest_id: int) -> str:
    return backtest_run(backtest_id=backtest_id).status


@shared_task(ignore_result=True, soft_time_limit=3000, time_limit=3600)
def refresh_calibration() -> int:
    return calibration_refresh().pk
