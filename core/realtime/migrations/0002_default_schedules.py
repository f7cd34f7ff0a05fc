"""Default beat schedules (worker ping, outbox pruning); staff edit them in the admin afterwards.

The task names are those of the time (the app lived in flaxu/realtime); 0003 renames them."""

from django.db import migrations

from core import beat

_PING_SECONDS = 60  # FLAXU_HEALTH_PING_SECONDS' default; a migration never reads settings

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
