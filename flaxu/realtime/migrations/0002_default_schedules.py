"""Default beat schedules (worker ping, outbox pruning); staff edit them in the admin afterwards."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations

from flaxu import beat

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


class Migration(migrations.Migration):
    dependencies = [
        ("realtime", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
