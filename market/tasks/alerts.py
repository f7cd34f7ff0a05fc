"""Price-alert checks: a thin task over ``market.services.alerts``.

It runs right after every ticker refresh, in the same worker (Celery's ``task_postrun`` of
``refresh_tickers``, so the data-layer task needs no knowledge of alerts, and no extra broker message
every few seconds), and on a beat schedule as a backup (market/migrations/0003_price_alerts.py, every 30 s).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import task_postrun

from market.selectors.alerts import price_alerts_any_active
from market.services.alerts import price_alerts_check

__all__ = ["check_price_alerts"]

logger = logging.getLogger(__name__)

TICKERS_TASK = "market.tasks.refresh.refresh_tickers"


@shared_task(ignore_result=True)
def check_price_alerts() -> list[int]:
    """Fire the alerts whose condition holds on the current (fresh) ticker snapshots."""
    if not price_alerts_any_active():
        return []
    return price_alerts_check()


@task_postrun.connect(weak=False, dispatch_uid="market.alerts.after_tickers")
def _after_tickers_refresh(sender=None, state=None, **kwargs) -> None:
    if getattr(sender, "name", None) != TICKERS_TASK or state != "SUCCESS":
        return
    try:
        check_price_alerts()  # here and now: the prices it needs were just stored
    except Exception:  # never fail the refresh; the beat backup checks again within 30 s
        logger.exception("price-alert check after a ticker refresh failed")
