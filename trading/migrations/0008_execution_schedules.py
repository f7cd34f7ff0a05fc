"""Execution schedules: reconcile PENDING trades every minute, sync live positions every 10 s (editable in the admin).

10 s is FLAXU_POSITION_MONITOR_SECONDS's default; a migration reads no settings, so change it in the admin.
"""

from django.db import migrations

from core import beat

SCHEDULES = {
    "Reconcile pending trades": (
        "trading.tasks.reconcile_trades",
        1,
        "minutes",
        60,
        "Looks up every PENDING trade by its client order id: filled -> OPEN, absent after the visibility window -> FAILED.",
    ),
    "Sync live positions": (
        "trading.tasks.sync_positions",
        10,
        "seconds",
        10,
        "Queues one BingX position sync per user with open live trades: stop/target fills and positions closed by hand.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0007_execution"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
