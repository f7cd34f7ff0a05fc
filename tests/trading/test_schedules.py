"""The default schedules are installed by the data migration and point at tasks that exist."""

from __future__ import annotations

import pytest
from django_celery_beat.models import PeriodicTask

from flaxu.celery import app

pytestmark = pytest.mark.django_db


def test_signals_every_minute_sniper_every_30_seconds_calibration_daily():
    app.loader.import_default_modules()
    every = {
        t.task: (t.interval.every, t.interval.period, t.enabled)
        for t in PeriodicTask.objects.filter(task__startswith="trading.").select_related("interval")
    }
    assert every == {
        "trading.tasks.run_signals_due": (1, "minutes", True),
        "trading.tasks.scan_sniper": (30, "seconds", True),
        "trading.tasks.refresh_calibration": (24, "hours", True),
    }
    for name in every:
        assert name in app.tasks, name
