"""Celery entry points of trading: thin, they load by id and call a service.

Signal runs are not scheduled: storing a newly closed candle queues ``run_signals`` for exactly its
series (``trading.receivers``). Default schedules (trading/migrations/0002_default_schedules.py,
editable in the admin): the sniper scan every 30 s, the calibration snapshot daily.
"""

from __future__ import annotations

from celery import shared_task

from trading.services.backtests import backtest_run
from trading.services.calibration import calibration_refresh
from trading.services.evidence import signal_outcomes_update
from trading.services.paper_watch import paper_watch_tickers
from trading.services.signals import signals_run
from trading.services.sniper import sniper_scan


@shared_task(ignore_result=True)
def run_signals(exchange: str, symbol: str, timeframe: str) -> int:
    """Save (and push the live ones of) the signals of one series' newly closed candles."""
    # Outcomes first, on the same candles: the new signals' evidence then counts every one already known.
    signal_outcomes_update(exchange=exchange, symbol=symbol, timeframe=timeframe)
    return len(signals_run(exchange=exchange, symbol=symbol, timeframe=timeframe))


@shared_task(ignore_result=True)
def update_signal_outcomes(exchange: str, symbol: str, timeframe: str) -> int:
    """Resolve the open signals of one series on its stored closed candles."""
    return signal_outcomes_update(exchange=exchange, symbol=symbol, timeframe=timeframe)


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


@shared_task(ignore_result=True)
def watch_paper_trades(exchanges: list[str]) -> int:
    """Stops and targets of the open paper trades, at the tickers just stored (``trading.receivers``)."""
    return paper_watch_tickers(exchanges)
