"""Trading listens to the market: a newly closed candle queues the signal run of exactly its series; stored
tickers queue the paper watcher (stops and targets of open paper trades). A paper trade saved CLOSED
settles its owner's paper wallet (whichever path closed it).

Connected in ``trading.apps.TradingConfig.ready`` (trading may import market; market imports no app).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from market.signals import candles_closed, tickers_stored
from trading import conf
from trading.models import Mode, Trade
from trading.services.paper_wallet import paper_wallet_settle


@receiver(candles_closed, dispatch_uid="trading.signals_on_closed_candle")
def _candles_closed(sender, *, exchange: str, symbol: str, timeframe: str, last: datetime, **kwargs) -> None:
    from trading.tasks import run_signals

    symbols = conf.signal_symbols()
    if timeframe not in conf.signal_timeframes() or (symbols is not None and symbol not in symbols):
        return
    # After commit: the worker must find the candles the run is about.
    transaction.on_commit(lambda: run_signals.delay(exchange, symbol, timeframe))


@receiver(tickers_stored, dispatch_uid="trading.paper_watch_on_tickers")
def _tickers_stored(sender, *, exchanges: list[str], **kwargs) -> None:
    from trading.tasks import watch_paper_trades

    # After commit, on the orders queue: the ticker refresh never waits on paper trades.
    transaction.on_commit(lambda: watch_paper_trades.delay(list(exchanges)))


@receiver(post_save, sender=Trade, dispatch_uid="trading.paper_wallet_on_close")
def _paper_trade_saved(sender, *, instance: Trade, **kwargs) -> None:
    if instance.mode == Mode.PAPER and instance.status == Trade.Status.CLOSED:
        paper_wallet_settle(instance.user_id)
