"""The default schedules are installed by the data migrations and point at tasks that exist; signals are
not polled (a stored closed candle queues its run)."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from flaxu.celery import app

pytestmark = pytest.mark.django_db


def test_sniper_every_30_seconds_calibration_daily_and_no_signal_poll():
    app.loader.import_default_modules()
    every = {
        t.task: (t.interval.every, t.interval.period, t.enabled)
        for t in PeriodicTask.objects.filter(task__startswith="trading.").select_related("interval")
    }
    assert every == {
        "trading.tasks.scan_sniper": (30, "seconds", True),
        "trading.tasks.refresh_calibration": (24, "hours", True),
        "trading.tasks.reconcile_trades": (1, "minutes", True),
        "trading.tasks.sync_positions": (10, "seconds", True),
        "trading.tasks.check_daily_loss": (1, "minutes", True),
    }
    for name in every:
        assert name in app.tasks, name
