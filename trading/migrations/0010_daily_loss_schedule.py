"""The daily loss check every minute (editable in the admin): automation pauses until 00:00 UTC at the limit."""

from django.db import migrations

from core import beat

SCHEDULES = {
    "Daily loss limit": (
        "trading.tasks.check_daily_loss",
        1,
        "minutes",
        60,
        "Queues one check per user with automation on who traded today: at the daily loss limit, automation "
        "pauses until 00:00 UTC and the user is told (in-app, push, email).",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("trading", "0008_execution_schedules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
