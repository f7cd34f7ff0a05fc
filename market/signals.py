"""Signals other apps may listen to (``market`` imports no other app; they connect to it).

``candles_closed``: sent by ``market.services.candles.candles_ingest`` after newly closed candles were
stored, with ``exchange``, ``symbol``, ``timeframe`` and ``last`` (the newest open time, aware UTC).
The trading app connects its signal run here (queue the Celery task with ``transaction.on_commit``;
keep the receiver thin).

``tickers_stored``: sent by ``market.services.snapshots.tickers_refresh`` after the ticker snapshots were
stored, with ``exchanges`` (those refreshed). The trading app's paper watcher listens here.
"""

from django.dispatch import Signal

candles_closed = Signal()
tickers_stored = Signal()
