"""Default beat schedules (worker ping, outbox pruning); staff edit them in the admin afterwards."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations

_PING_SECONDS = int(getattr(settings, "FLAXU_HEALTH_PING_INTERVAL", timedelta(seconds=60)).total_seconds())

# name → (task, every, period, expire_seconds, description)
SCHEDULES = {
    "Worker heartbeat (ping)": (
        "flaxu.realtime.tasks.ping",
        _PING_SECONDS,
        "seconds",
        _PING_SECONDS,
        "Records that a worker is alive; the staff health page reads it.",
    ),
    "Prune the realtime outbox": (
        "flaxu.realtime.tasks.prune_outbox",
        5,
        "minutes",
        300,
        "Deletes relayed websocket events older than FLAXU_OUTBOX_RETENTION_SECONDS.",
    ),
}


def create_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, every, period, expire_seconds, description) in SCHEDULES.items():
        # No unique constraint on (every, period): reuse the first match rather than get_or_create.
        interval = IntervalSchedule.objects.filter(every=every, period=period).order_by("id").first()
        if interval is None:
            interval = IntervalSchedule.objects.create(every=every, period=period)
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "interval": interval,
                "expire_seconds": expire_seconds,
                "description": description,
                "enabled": True,
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=SCHEDULES, task__in=[task for task, *_ in SCHEDULES.values()]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
