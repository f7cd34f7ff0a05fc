"""Celery entry points of trading: thin, they load by id and call a service.

Signal runs are not scheduled: storing a newly closed candle queues ``run_signals`` for exactly its
series (``trading.receivers``). Default schedules (trading/migrations/0002_default_schedules.py,
editable in the admin): the sniper scan every 30 s, the calibration snapshot daily.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from accounts.models import User
from trading.models import Signal, Trade
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


# --- Execution (orders queue: one task per user-order, so one slow account never delays another) ------
@shared_task(ignore_result=True)
def execute_signal_for_user(signal_id: int, user_id: int) -> str:
    """Trade one auto-executable signal for one user; a refusal is logged, never retried."""
    from trading.services.execution import signal_execute_by_ids

    return signal_execute_by_ids(signal_id, user_id)


@shared_task(ignore_result=True)
def fan_out_signal(signal_id: int) -> int:
    """Queue one execute_signal_for_user per user whose automation would trade the signal."""
    from trading.services.execution import eligible_users

    signal = Signal.objects.filter(pk=signal_id).first()
    user_ids = eligible_users(signal) if signal is not None else []
    for user_id in user_ids:
        execute_signal_for_user.delay(signal_id, user_id)
    return len(user_ids)


@shared_task(ignore_result=True)
def close_trade(trade_id: int, reason: str = "MANUAL") -> str:
    from trading.services.execution import trade_close

    trade = Trade.objects.filter(pk=trade_id).first()
    return trade_close(trade, reason).status if trade is not None else "missing"


@shared_task(ignore_result=True)
def reconcile_trades() -> dict:
    """Settle every PENDING trade by its client order id (on worker start and on a schedule)."""
    from trading.services.reconciliation import trades_reconcile

    return trades_reconcile()


@shared_task(ignore_result=True)
def sync_positions() -> int:
    """Queue one live position sync per user with open live trades (on a schedule)."""
    from trading.services.monitoring import users_with_open_live_trades

    user_ids = users_with_open_live_trades()
    for user_id in user_ids:
        sync_user_positions.delay(user_id)
    return len(user_ids)


@shared_task(ignore_result=True)
def sync_user_positions(user_id: int) -> int:
    from trading.services.monitoring import positions_sync

    user = User.objects.filter(pk=user_id).first()
    return len(positions_sync(user)) if user is not None else 0


@shared_task(ignore_result=True)
def check_daily_loss() -> int:
    """Queue one daily-loss check per user whose automation could have lost today (every minute)."""
    from trading.services.risk import daily_loss_candidates

    candidates = daily_loss_candidates()
    for user_id, mode in candidates:
        check_daily_loss_for_user.delay(user_id, mode)
    return len(candidates)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def check_daily_loss_for_user(user_id: int, mode: str) -> bool:
    """Pause the user's automation until 00:00 UTC when today's loss reached their limit (told once)."""
    from trading.services.risk import daily_loss_check

    user = User.objects.filter(pk=user_id).first()
    return daily_loss_check(user, mode).paused if user is not None else False


@worker_ready.connect(dispatch_uid="trading.reconcile_on_worker_start")
def _reconcile_on_worker_start(sender=None, **kwargs) -> None:
    reconcile_trades.delay()
