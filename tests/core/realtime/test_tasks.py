"""The realtime tasks and their default beat schedules."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core import beat
from core.realtime.selectors import worker_heartbeat_last
from core.realtime.tasks import ping


def test_ping_records_the_worker_heartbeat():
    before = timezone.now()
    assert worker_heartbeat_last() is None
    assert ping() == "pong"
    assert worker_heartbeat_last() >= before


@pytest.mark.django_db
def test_the_migrated_schedules_name_the_tasks_where_they_live_now():
    for task in ("core.realtime.tasks.ping", "core.realtime.tasks.prune_outbox"):
        assert PeriodicTask.objects.filter(task=task, enabled=True).count() == 1, task
    assert not PeriodicTask.objects.filter(task__startswith="flaxu.realtime.").exists()


@pytest.mark.django_db
def test_default_schedules_are_created_once_and_left_alone_afterwards():
    migration = importlib.import_module("core.realtime.migrations.0002_default_schedules")
    renamed = importlib.import_module("core.realtime.migrations.0003_rename_tasks").RENAMED
    schedules = {name: (renamed[task], *rest) for name, (task, *rest) in migration.SCHEDULES.items()}
    PeriodicTask.objects.filter(task__startswith="core.realtime.").delete()
    beat.install(apps, schedules)
    ping_task = PeriodicTask.objects.get(task="core.realtime.tasks.ping")
    assert (ping_task.interval.every, ping_task.interval.period) == (60, "seconds")
    prune = PeriodicTask.objects.get(task="core.realtime.tasks.prune_outbox")
    assert (prune.interval.every, prune.interval.period) == (5, "minutes")

    ping_task.enabled = False  # staff edit it in the admin; running the migration again keeps the edit
    ping_task.save()
    beat.install(apps, schedules)
    assert PeriodicTask.objects.filter(task__startswith="core.realtime.").count() == 2
    assert PeriodicTask.objects.get(task="core.realtime.tasks.ping").enabled is False
